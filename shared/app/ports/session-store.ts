import type { Principal } from "../../domain/auth/principal";

export interface Session {
  readonly principal: Principal;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
}

/** Server-side sessions (table `sessions`), keyed by a hash of the session id the cookie carries. */
export interface SessionStore {
  create(id: string, session: Session): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  touch(id: string, at: Date): Promise<void>;
  delete(id: string): Promise<void>;
}

/**
 * A started sign-in. It is kept in the browser that started it, sealed in a short-lived cookie
 * (`CookieSealer`), so starting a sign-in writes nothing on the server.
 */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  readonly expiresAt: Date;
}

/**
 * Completed sign-ins (table `signInRequests`), so a callback is used once: written only when a
 * callback has succeeded, and kept until the sign-in would have expired anyway.
 */
export interface SignInRequestStore {
  /** Whether a sign-in with this `state` has completed already. */
  used(state: string): Promise<boolean>;
  /** Records the sign-in as completed until `expiresAt`; false when it already was (single use). */
  markUsed(state: string, expiresAt: Date): Promise<boolean>;
}
