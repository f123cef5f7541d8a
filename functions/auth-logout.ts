import { appBaseUrl, signOut } from "../shared/composition/auth";
import { requireSameOrigin } from "./lib/auth";
import { expiredCookie, readCookie, SESSION_COOKIE } from "./lib/cookies";
import { httpFunction } from "./lib/definition";
import { handleHttp, json } from "./lib/http";

/** POST /api/auth/logout: ends the session; the body names Entra's logout URL to end that session too. */
export const authLogout = httpFunction({
  name: "auth-logout",
  route: "auth/logout",
  methods: ["POST"],
  api: {
    summary: "End the session",
    auth: "none",
    responses: { 200: "Signed out, with Entra ID's logout URL" },
    errors: ["forbidden"],
  },
  handler: handleHttp(async (request) => {
    const session = readCookie(request, SESSION_COOKIE);
    // No logging out from another site (the session cookie is the only credential here).
    if (session !== undefined) requireSameOrigin(request, appBaseUrl());
    const result = await signOut(session);
    return { ...json(200, { signedOut: true, ...result }), cookies: [expiredCookie(SESSION_COOKIE, "/")] };
  }),
});
