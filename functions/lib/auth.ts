import type { HttpRequest, InvocationContext } from "@azure/functions";
import { authenticate as authenticateCredentials } from "../../shared/app/auth/authenticate";
import { getServices } from "../../shared/composition";
import { peopleDirectory } from "../../shared/composition/sync";
import type { Principal } from "../../shared/domain/auth/principal";
import { AppError } from "../../shared/domain/errors";
import { readCookie, SESSION_COOKIE } from "./cookies";

export type { Principal } from "../../shared/domain/auth/principal";

/** The bearer token of an `Authorization` header, if it has one. */
function bearerOf(request: HttpRequest): string | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined)
    throw new AppError("unauthenticated", "Send the token as 'Authorization: Bearer <token>'.");
  return match[1];
}

/**
 * The signed-in person: from an Entra access token for the ONES API (`Authorization: Bearer`) or the
 * session cookie. Throws AppError `unauthenticated` otherwise. Logs the user id only.
 */
export async function authenticate(request: HttpRequest, context: InvocationContext): Promise<Principal> {
  const services = getServices();
  const bearer = bearerOf(request);
  const sessionCookie = readCookie(request, SESSION_COOKIE);
  const principal = await authenticateCredentials(
    {
      integration: services.integrationStore,
      sessions: services.sessions,
      sessionCookie: services.sessionCookie,
      verifier: services.tokenVerifier,
      now: services.now,
      people: peopleDirectory(services),
    },
    {
      ...(bearer === undefined ? {} : { bearer }),
      ...(sessionCookie === undefined ? {} : { sessionCookie }),
    },
  );
  context.debug(`authenticated user ${principal.userId}`);
  return principal;
}

/** Like `authenticate`, and throws AppError `forbidden` unless the person is a ONES admin. */
export async function requireAdmin(request: HttpRequest, context: InvocationContext): Promise<Principal> {
  const principal = await authenticate(request, context);
  if (!principal.isAdmin) {
    context.warn(`admin access refused for user ${principal.userId}`);
    throw new AppError("forbidden", "Only ONES admins may do this.");
  }
  return principal;
}
