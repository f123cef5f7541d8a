import { z } from "zod";
import { startSignIn } from "../shared/app/auth/start-sign-in";
import { getServices } from "../shared/composition";
import { cookie, SIGN_IN_COOKIE } from "./lib/cookies";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";

const query = z.object({
  returnTo: z.string().max(2048).optional(),
  loginHint: z.string().max(256).optional(),
});

/** GET /api/auth/login?returnTo=: redirects to Entra ID (authorization code + PKCE). */
export const authLogin = httpFunction({
  name: "auth-login",
  route: "auth/login",
  methods: ["GET"],
  handler: handleHttp(async (request) => {
    const input = parseInput(query, Object.fromEntries(request.query.entries()));
    const s = getServices();
    const started = await startSignIn(
      {
        signIn: s.signIn,
        signInCookie: s.signInCookie,
        appBaseUrl: s.settings.APP_BASE_URL,
        now: s.now,
      },
      input,
    );
    return {
      status: 302,
      headers: { location: started.authorizeUrl, "cache-control": "no-store" },
      cookies: [cookie(SIGN_IN_COOKIE, started.bindingCookie, "/api/auth", started.maxAgeSeconds)],
    };
  }),
});
