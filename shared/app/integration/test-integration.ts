import type { Principal } from "../../domain/auth/principal";
import { AppError } from "../../domain/errors";
import type { Cloud } from "../../domain/integration/cloud";
import { modePermissions, type IntegrationMode } from "../../domain/integration/modes";
import {
  integrationTestReport,
  type CredentialCheck,
  type IntegrationTestReport,
  type ProbeRecord,
  type TokenSource,
} from "../../domain/integration/permission-report";
import type { IntegrationStore } from "../ports/integration-store";
import type { GraphProbes, Registration, RegistrationAccess } from "../ports/registration-access";
import type { RoomStore } from "../ports/sync-store";
import { redirectUriOf } from "../auth/start-sign-in";

export interface TestIntegrationDeps {
  readonly integration: IntegrationStore;
  readonly access: RegistrationAccess;
  /** Rooms ONES already knows (synced or imported): calendars to probe when /places gives none. */
  readonly rooms: Pick<RoomStore, "anyActiveRoomEmail">;
  readonly appBaseUrl: string;
}

/** The registration and mode to test, as the admin entered them; what is left out comes from the saved settings. */
export interface IntegrationCandidate {
  readonly cloud?: Cloud;
  readonly tenantId?: string;
  readonly clientId?: string;
  /** Optional when one is saved (and the tenant and client stay the same). */
  readonly clientSecret?: string;
  readonly mode?: IntegrationMode;
}

/** The candidate completed from the saved settings; `validation-failed` naming what is still missing. */
export async function resolveCandidate(
  integration: IntegrationStore,
  candidate: IntegrationCandidate,
): Promise<{ registration: Registration; mode: IntegrationMode }> {
  const saved = await integration.get();
  const cloud = candidate.cloud ?? saved?.cloud;
  const tenantId = candidate.tenantId ?? saved?.tenantId;
  const clientId = candidate.clientId ?? saved?.clientId;
  const mode = candidate.mode ?? saved?.mode;
  const sameApp =
    saved !== undefined &&
    saved.tenantId.toLowerCase() === tenantId?.toLowerCase() &&
    saved.clientId.toLowerCase() === clientId?.toLowerCase();
  const clientSecret = candidate.clientSecret ?? (sameApp ? await integration.clientSecret() : undefined);
  const absent = [
    ...(cloud === undefined ? ["cloud"] : []),
    ...(tenantId === undefined ? ["tenantId"] : []),
    ...(clientId === undefined ? ["clientId"] : []),
    ...(clientSecret === undefined ? ["clientSecret"] : []),
    ...(mode === undefined ? ["mode"] : []),
  ];
  if (
    cloud === undefined ||
    tenantId === undefined ||
    clientId === undefined ||
    clientSecret === undefined ||
    mode === undefined
  ) {
    throw new AppError("validation-failed", "Some fields are missing or invalid.", {
      fields: absent.map((path) => ({
        path,
        message:
          path === "clientSecret"
            ? "Required: no client secret is saved for this tenant and client id."
            : "Required: nothing is saved yet.",
      })),
    });
  }
  return { registration: { cloud, tenantId, clientId, clientSecret }, mode };
}

/**
 * Tests a registration for a mode and reports, per permission the mode needs, granted or missing.
 * Application modes: a fresh app token's `roles`, and probes of /users, /groups, /places and a room's
 * calendar (in the resource-only mode the calendar access comes from Exchange, so only the probe shows
 * it). Delegated modes: the client credentials are checked with a token request, the permissions with
 * the calling admin's own delegated token (`scp`), and a room calendar is probed when rooms are known.
 */
export async function runIntegrationTest(
  deps: TestIntegrationDeps,
  admin: Principal,
  registration: Registration,
  mode: IntegrationMode,
): Promise<IntegrationTestReport> {
  const redirectUri = redirectUriOf(deps.appBaseUrl);
  const app = await deps.access.app(registration);
  if (!app.ok) {
    if (app.failure === "unreachable") throw unreachable();
    const credentials: CredentialCheck = { ok: false, failure: app.failure, detail: app.detail };
    const source: TokenSource = { kind: "none", reason: "The credentials did not work." };
    return integrationTestReport({ mode, credentials, source, probes: [], redirectUri });
  }
  const knownRoom = (): Promise<string | undefined> => deps.rooms.anyActiveRoomEmail();

  if (modePermissions[mode].kind === "application") {
    const probes = await applicationProbes(app.probes, mode, knownRoom);
    return integrationTestReport({
      mode,
      credentials: { ok: true },
      source: { kind: "application" },
      tokenPermissions: app.probes.permissions,
      probes,
      redirectUri,
    });
  }

  const delegated = await deps.access.delegated(registration, admin.userId);
  if (!delegated.ok) {
    if (delegated.failure === "unreachable") throw unreachable();
    if (delegated.failure !== "no-user-token") {
      return integrationTestReport({
        mode,
        credentials: { ok: false, failure: delegated.failure, detail: delegated.detail },
        source: { kind: "none", reason: "The credentials did not work." },
        probes: [],
        redirectUri,
      });
    }
    return integrationTestReport({
      mode,
      credentials: { ok: true },
      source: {
        kind: "none",
        reason: `${delegated.detail} Delegated permissions show only in a signed-in person's token: sign in to ONES with this registration in this mode, then test again.`,
      },
      probes: [],
      redirectUri,
    });
  }
  const room = await knownRoom();
  const probes: ProbeRecord[] =
    room === undefined
      ? []
      : [{ probe: "room-calendar", target: room, outcome: await delegated.probes.calendar(room) }];
  return integrationTestReport({
    mode,
    credentials: { ok: true },
    source: { kind: "delegated", userId: admin.userId },
    tokenPermissions: delegated.probes.permissions,
    probes,
    redirectUri,
  });
}

async function applicationProbes(
  probes: GraphProbes,
  mode: IntegrationMode,
  knownRoom: () => Promise<string | undefined>,
): Promise<ProbeRecord[]> {
  const out: ProbeRecord[] = [];
  if (mode === "application") {
    const [users, groups] = await Promise.all([probes.users(), probes.groups()]);
    out.push({ probe: "users", outcome: users }, { probe: "groups", outcome: groups });
  }
  const rooms = await probes.rooms();
  const { firstRoom, ...roomsOutcome } = rooms;
  out.push({ probe: "rooms", outcome: roomsOutcome });
  const room = firstRoom ?? (await knownRoom());
  if (room !== undefined) {
    out.push({ probe: "room-calendar", target: room, outcome: await probes.calendar(room) });
  }
  return out;
}

function unreachable(): AppError {
  return new AppError("dependency-unavailable", "Microsoft Entra ID could not be reached. Try again.", {
    retryable: true,
  });
}

/** POST /api/admin/integration/test: the candidate (or the saved settings) tested, never saved. */
export async function testIntegration(
  deps: TestIntegrationDeps,
  admin: Principal,
  candidate: IntegrationCandidate,
): Promise<IntegrationTestReport> {
  const { registration, mode } = await resolveCandidate(deps.integration, candidate);
  return runIntegrationTest(deps, admin, registration, mode);
}
