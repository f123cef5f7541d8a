import {
  authenticate as authenticateUseCase,
  type AuthenticateDeps,
  type Credentials,
} from "../app/auth/authenticate";
import {
  completeSignIn as completeSignInUseCase,
  type CallbackInput,
  type CompleteSignInDeps,
} from "../app/auth/complete-sign-in";
import { describeMe as describeMeUseCase, type Me } from "../app/auth/describe-me";
import { signOut as signOutUseCase } from "../app/auth/sign-out";
import { startSignIn as startSignInUseCase } from "../app/auth/start-sign-in";
import type { Principal } from "../domain/auth/principal";
import { TablePeopleStore } from "../adapters/tables/table-people";
import { getServices, perWorker, type Result } from "./services";

/** Sign-in, sessions and the signed-in person. */

/**
 * How long the sign-in guard keeps a person's directory entry (disabled or deleted, read on every
 * request). The directory sync run by this instance of the app applies at once; one run by another
 * instance, within this time.
 */
export const DIRECTORY_CACHE_MS = 15_000;

const signInDeps = perWorker((s): CompleteSignInDeps & AuthenticateDeps => ({
  signIn: s.signIn,
  requests: s.signInRequests,
  sessions: s.sessions,
  integration: s.integrationStore,
  verifier: s.tokenVerifier,
  userTokens: s.userTokens,
  people: new TablePeopleStore(s.tables, { ttlMs: DIRECTORY_CACHE_MS, now: () => s.now().getTime() }),
  signInCookie: s.signInCookie,
  sessionCookie: s.sessionCookie,
  appBaseUrl: s.settings.APP_BASE_URL,
  now: s.now,
}));

/** The app's own origin (APP_BASE_URL), which cookie-authenticated unsafe requests must come from. */
export const appBaseUrl = (): string => getServices().settings.APP_BASE_URL;

export const startSignIn = (input: {
  returnTo?: string;
  loginHint?: string;
}): Promise<Result<typeof startSignInUseCase>> => startSignInUseCase(signInDeps(), input);

/** A completed sign-in: the person, the new session cookie and where to go back to. */
export type SignInDone = Result<typeof completeSignInUseCase>;

export const completeSignIn = (input: CallbackInput): Promise<SignInDone> =>
  completeSignInUseCase(signInDeps(), input);

export const signOut = (sessionCookie: string | undefined): Promise<{ entraLogoutUrl?: string }> =>
  signOutUseCase(signInDeps(), sessionCookie);

/** The signed-in person from a bearer token or the session cookie (AppError `unauthenticated` else). */
export const authenticate = (credentials: Credentials): Promise<Principal> =>
  authenticateUseCase(signInDeps(), credentials);

export const describeMe = (principal: Principal): Promise<Me> => describeMeUseCase(signInDeps(), principal);
