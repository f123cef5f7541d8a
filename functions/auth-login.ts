import { z } from "zod";
import { startSignIn } from "../shared/composition/auth";
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
  api: {
    summary: "Sign in with Entra ID (authorization code and PKCE)",
    auth: "none",
    query,
    responses: { 302: { description: "To Entra ID's authorize endpoint", type: "" } },
  },
  handler: handleHttp(async (request) => {
    const input = parseInput(query, Object.fromEntries(request.query.entries()));
    const started = await startSignIn(input);
    return {
      status: 302,
      headers: { location: started.authorizeUrl, "cache-control": "no-store" },
      cookies: [cookie(SIGN_IN_COOKIE, started.bindingCookie, "/api/auth", started.maxAgeSeconds)],
    };
  }),
});
