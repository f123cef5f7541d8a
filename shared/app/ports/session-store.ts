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

/** A started sign-in, kept server-side until its callback, and usable once. */
export interface PendingSignIn {
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  /** Hash of the value in the browser's sign-in cookie: the callback must come from the same browser. */
  readonly bindingHash: string;
  readonly expiresAt: Date;
}

export interface SignInRequestStore {
  save(state: string, request: PendingSignIn): Promise<void>;
  /** Returns and deletes the request; undefined when unknown or already taken (single use). */
  take(state: string): Promise<PendingSignIn | undefined>;
}
