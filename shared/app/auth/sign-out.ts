import type { Signer } from "../ports/secret-box";
import type { SessionStore } from "../ports/session-store";
import type { SignInClient } from "../ports/sign-in-client";

/**
 * Ends the ONES session (the row is deleted, so the cookie is worthless even if kept) and tells where
 * to end the Entra session too. Delegated refresh tokens stay: ONES keeps booking for the person.
 */
export async function signOut(
  deps: { sessions: SessionStore; sessionCookie: Signer; signIn: SignInClient; appBaseUrl: string },
  sessionCookie: string | undefined,
): Promise<{ entraLogoutUrl?: string }> {
  const id = sessionCookie === undefined ? undefined : deps.sessionCookie.verify(sessionCookie);
  if (id !== undefined) await deps.sessions.delete(id);
  const url = await deps.signIn.logoutUrl(`${new URL(deps.appBaseUrl).origin}/`).catch(() => undefined);
  return url === undefined ? {} : { entraLogoutUrl: url };
}
