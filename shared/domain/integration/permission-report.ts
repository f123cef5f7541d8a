import { capabilitiesLostWithout, capabilityLabels, modeLabels, type Capability } from "./capabilities";
import { modePermissions, type IntegrationMode } from "./modes";

/**
 * The integration test's verdict (POST /api/admin/integration/test): for each Graph permission the mode
 * needs, granted or missing, judged from the token's `roles` / `scp` and from probe calls, and which ONES
 * functions the missing ones take away. Pure: the evidence comes from the caller.
 *
 * Why probes and not only the token: in the application resource-only mode the calendar access comes
 * from an Exchange RBAC assignment, not from Entra consent, so it never shows in `roles`
 * (reference/graph-facts.md §6); and an Exchange scope or access policy can narrow a role the token has.
 */

/** What a probe reads: a page of users, of groups, of rooms (/places), or a room's calendar. */
export type ProbeName = "users" | "groups" | "rooms" | "room-calendar";

export type ProbeFailureReason = "denied" | "not-found" | "unauthorized" | "unavailable";

export type ProbeOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: ProbeFailureReason;
      readonly status?: number;
      readonly graphRequestId?: string;
    };

export interface ProbeRecord {
  readonly probe: ProbeName;
  /** The mailbox a calendar probe read. */
  readonly target?: string;
  readonly outcome: ProbeOutcome;
}

export type CredentialFailure = "invalid-client" | "unknown-tenant" | "unreachable" | "rejected";

export type CredentialCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: CredentialFailure; readonly detail: string };

/** How the permissions were read: the app's own token, a signed-in admin's token, or not at all. */
export type TokenSource =
  | { readonly kind: "application" }
  | { readonly kind: "delegated"; readonly userId: string }
  | { readonly kind: "none"; readonly reason: string };

export interface IntegrationTestEvidence {
  readonly mode: IntegrationMode;
  readonly credentials: CredentialCheck;
  readonly source: TokenSource;
  /** `roles` (application) or `scp` (delegated) of the token the test got; absent without one. */
  readonly tokenPermissions?: readonly string[];
  readonly probes: readonly ProbeRecord[];
  readonly redirectUri: string;
}

export type PermissionStatus = "granted" | "missing" | "unverified";

export interface PermissionCheck {
  readonly permission: string;
  readonly type: "application" | "delegated";
  readonly status: PermissionStatus;
  /** Whether the token's `roles` / `scp` name it. */
  readonly inToken: boolean;
  readonly probe?: ProbeRecord;
  readonly note: string;
}

export interface IntegrationTestReport {
  readonly mode: IntegrationMode;
  readonly modeLabel: string;
  readonly permissionType: "application" | "delegated";
  /** Credentials work and no permission is missing: the mode may be saved. */
  readonly ok: boolean;
  /** Every permission could be checked (false when some are only `unverified`). */
  readonly complete: boolean;
  readonly credentials: CredentialCheck;
  readonly testedWith: TokenSource;
  readonly permissions: readonly PermissionCheck[];
  readonly missing: readonly string[];
  readonly unverified: readonly string[];
  /** ONES functions the missing permissions (or failing credentials) leave unavailable. */
  readonly unavailable: readonly { readonly capability: Capability; readonly label: string }[];
  readonly warnings: readonly string[];
  /** To register in the app registration as a Web platform redirect URI. */
  readonly redirectUri: string;
}

/** The probe that proves each permission ONES asks for. */
const probeOf: Record<string, ProbeName> = {
  "Calendars.ReadWrite": "room-calendar",
  "Calendars.ReadWrite.Shared": "room-calendar",
  "User.Read.All": "users",
  "Group.Read.All": "groups",
  "Place.Read.All": "rooms",
};

/** Mailbox permissions Exchange can grant to an app besides Entra consent (RBAC for Applications). */
const exchangeGrantable = new Set(["Calendars.ReadWrite"]);

const has = (list: readonly string[], p: string): boolean =>
  list.some((x) => x.toLowerCase() === p.toLowerCase());

function describeFailure(record: ProbeRecord): string {
  if (record.outcome.ok) return "succeeded";
  const status = record.outcome.status === undefined ? "" : ` (${record.outcome.status})`;
  const what = record.target === undefined ? record.probe : `${record.probe} of ${record.target}`;
  switch (record.outcome.reason) {
    case "denied":
      return `reading ${what} was refused${status}`;
    case "not-found":
      return `${what} was not found${status}`;
    case "unauthorized":
      return `the token was not accepted for ${what}${status}`;
    case "unavailable":
      return `${what} could not be read right now${status}`;
  }
}

function applicationCheck(
  permission: string,
  inToken: boolean,
  probe: ProbeRecord | undefined,
): PermissionCheck {
  const base = {
    permission,
    type: "application" as const,
    inToken,
    ...(probe === undefined ? {} : { probe }),
  };
  const byExchange = exchangeGrantable.has(permission);
  if (probe?.outcome.ok === true) {
    return {
      ...base,
      status: "granted",
      note: inToken
        ? "Granted: in the app token, and the probe call succeeded."
        : byExchange
          ? "Granted by Exchange (RBAC for Applications): not in the app token, but the probe call succeeded."
          : "Granted through a broader permission: not in the app token, but the probe call succeeded.",
    };
  }
  if (probe !== undefined && !probe.outcome.ok && probe.outcome.reason === "denied") {
    return {
      ...base,
      status: "missing",
      note: inToken
        ? `In the app token, but ${describeFailure(probe)}: an Exchange scope or application access policy leaves this mailbox out.`
        : `Not granted: not in the app token, and ${describeFailure(probe)}.`,
    };
  }
  if (inToken) {
    return {
      ...base,
      status: "granted",
      note:
        probe === undefined
          ? "Granted: in the app token (no probe call was possible)."
          : `Granted: in the app token (the probe was inconclusive: ${describeFailure(probe)}).`,
    };
  }
  if (byExchange) {
    return {
      ...base,
      status: "unverified",
      note:
        probe === undefined
          ? "Not in the app token, and no room is known to probe whether Exchange grants it: import or sync rooms, then test again."
          : `Not in the app token, and the probe was inconclusive (${describeFailure(probe)}).`,
    };
  }
  return {
    ...base,
    status: "missing",
    note: "Not granted: the app token does not carry it (admin consent missing).",
  };
}

function delegatedCheck(
  permission: string,
  inToken: boolean,
  probe: ProbeRecord | undefined,
): PermissionCheck {
  const base = { permission, type: "delegated" as const, inToken, ...(probe === undefined ? {} : { probe }) };
  if (!inToken) {
    return {
      ...base,
      status: "missing",
      note: "Not granted: the signed-in admin's token does not carry it (admin consent missing).",
    };
  }
  return {
    ...base,
    status: "granted",
    note:
      probe === undefined
        ? "Granted: in the signed-in admin's token (no room known to probe)."
        : probe.outcome.ok
          ? "Granted: in the signed-in admin's token, and reading a room calendar succeeded."
          : `Granted: in the signed-in admin's token; ${describeFailure(probe)} (see warnings).`,
  };
}

/** The report from the evidence gathered by the test. */
export function integrationTestReport(evidence: IntegrationTestEvidence): IntegrationTestReport {
  const { mode } = evidence;
  const needed = modePermissions[mode];
  const tokenPermissions = evidence.tokenPermissions;
  const warnings: string[] = [];
  const permissions: PermissionCheck[] = needed.graph.map((permission) => {
    if (!evidence.credentials.ok || tokenPermissions === undefined) {
      return {
        permission,
        type: needed.kind,
        status: "unverified",
        inToken: false,
        note: evidence.credentials.ok
          ? evidence.source.kind === "none"
            ? evidence.source.reason
            : "No token to check it with."
          : "Not checked: the credentials did not work.",
      };
    }
    const probe = evidence.probes.find((p) => p.probe === probeOf[permission]);
    const inToken = has(tokenPermissions, permission);
    return needed.kind === "application"
      ? applicationCheck(permission, inToken, probe)
      : delegatedCheck(permission, inToken, probe);
  });

  if (needed.kind === "delegated") {
    for (const p of evidence.probes) {
      if (p.probe === "room-calendar" && !p.outcome.ok) {
        warnings.push(
          `Your account could not read the calendar of ${p.target ?? "a room"}: ${describeFailure(p)}. In delegated modes ONES reads room calendars with staff members' own rights: give them (or at least the people who book) folder permission on the room calendars.`,
        );
      }
    }
  }
  if (
    mode === "application-resource-only" &&
    tokenPermissions !== undefined &&
    has(tokenPermissions, "Calendars.ReadWrite")
  ) {
    warnings.push(
      "The app holds Calendars.ReadWrite through tenant-wide Entra consent: Exchange RBAC scoping adds to it and cannot narrow it, so ONES can reach every mailbox. Remove that consent and keep the Exchange role assignment scoped to the rooms.",
    );
  }

  const missing = permissions.filter((p) => p.status === "missing").map((p) => p.permission);
  const unverified = permissions.filter((p) => p.status === "unverified").map((p) => p.permission);
  const lost = capabilitiesLostWithout(mode, evidence.credentials.ok ? missing : needed.graph);
  return {
    mode,
    modeLabel: modeLabels[mode],
    permissionType: needed.kind,
    ok: evidence.credentials.ok && missing.length === 0,
    complete: evidence.credentials.ok && unverified.length === 0,
    credentials: evidence.credentials,
    testedWith: evidence.source,
    permissions,
    missing,
    unverified,
    unavailable: lost.map((capability) => ({ capability, label: capabilityLabels[capability] })),
    warnings,
    redirectUri: evidence.redirectUri,
  };
}
