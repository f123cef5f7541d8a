import { z } from "zod";
import { completeSignIn } from "../shared/composition/auth";
import { cookie, expiredCookie, readCookie, SESSION_COOKIE, SIGN_IN_COOKIE } from "./lib/cookies";
import { httpFunction } from "./lib/definition";
import { handleHttp, parseInput } from "./lib/http";

const query = z.object({
  code: z.string().max(8192).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

/** GET /api/auth/callback: completes the sign-in, opens a session, back to `returnTo`. */
export const authCallback = httpFunction({
  name: "auth-callback",
  route: "auth/callback",
  methods: ["GET"],
  api: {
    summary: "Complete the sign-in and open a session",
    auth: "none",
    query,
    responses: { 302: { description: "To the return address, with the session cookie", type: "" } },
    errors: ["unauthenticated", "precondition-failed"],
  },
  handler: handleHttp(async (request, context) => {
    const input = parseInput(query, Object.fromEntries(request.query.entries()));
    const binding = readCookie(request, SIGN_IN_COOKIE);
    const previous = readCookie(request, SESSION_COOKIE);
    const done = await completeSignIn({
      ...input,
      ...(binding === undefined ? {} : { bindingCookie: binding }),
      ...(previous === undefined ? {} : { previousSessionCookie: previous }),
    });
    context.info(`signed in user ${done.principal.userId}`);
    return {
      status: 302,
      headers: { location: done.returnTo, "cache-control": "no-store" },
      cookies: [
        cookie(SESSION_COOKIE, done.sessionCookie, "/", done.maxAgeSeconds),
        expiredCookie(SIGN_IN_COOKIE, "/api/auth"),
      ],
    };
  }),
});
