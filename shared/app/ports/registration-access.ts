import type { Cloud } from "../../domain/integration/cloud";
import type { CredentialFailure, ProbeOutcome } from "../../domain/integration/permission-report";

/** An app registration as the admin entered it (or as saved), with its client secret. */
export interface Registration {
  readonly cloud: Cloud;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Read-only Graph calls that prove what a token may do. Every call answers; none throws for Graph's refusals. */
export interface GraphProbes {
  /** `roles` (app token) or `scp` (user token) of the token behind these probes. */
  readonly permissions: readonly string[];
  /** Reads one user (/users). */
  users(): Promise<ProbeOutcome>;
  /** Reads one group (/groups). */
  groups(): Promise<ProbeOutcome>;
  /** Reads one room (/places); on success, the address of a room it saw, to probe its calendar. */
  rooms(): Promise<ProbeOutcome & { readonly firstRoom?: string }>;
  /** Reads a minute of a mailbox's calendar (calendarView). */
  calendar(mailbox: string): Promise<ProbeOutcome>;
  /** The tenant's verified domains (GET /organization), when the token may read them. */
  verifiedDomains(): Promise<
    { readonly ok: true; readonly domains: readonly string[] } | Exclude<ProbeOutcome, { ok: true }>
  >;
}

export type AccessResult =
  | { readonly ok: true; readonly probes: GraphProbes }
  | { readonly ok: false; readonly failure: CredentialFailure; readonly detail: string };

export type DelegatedAccessResult =
  | AccessResult
  /** The user holds no working token for this registration (never signed in, expired, other client). */
  | { readonly ok: false; readonly failure: "no-user-token"; readonly detail: string };

/**
 * Graph access for a registration that need not be saved yet: the app's own token (client credentials,
 * always fresh) or a signed-in user's delegated token renewed from their stored cache. Testing never
 * flags the user or drops their stored tokens when the registration fails.
 */
export interface RegistrationAccess {
  app(registration: Registration): Promise<AccessResult>;
  delegated(registration: Registration, userId: string): Promise<DelegatedAccessResult>;
}
