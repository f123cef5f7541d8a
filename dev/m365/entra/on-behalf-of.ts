import { errors, jwtVerify } from "jose";
import { OAuthError } from "../http/errors";
import type { SimulatorServices } from "../services";
import type { AppRegistration, UserRecord } from "../store/types";

/**
 * Checks the assertion of an on-behalf-of request: an access token this tenant signed, still valid on
 * the simulator clock, issued for the calling app's API (`aud` = its client id or `api://` URI), naming
 * an enabled person. Returns that person.
 */
export async function redeemAssertion(
  sim: SimulatorServices,
  app: AppRegistration,
  assertion: string | undefined,
): Promise<UserRecord> {
  if (assertion === undefined)
    throw new OAuthError(
      400,
      "invalid_request",
      900144,
      "The request body must contain the following parameter: 'assertion'.",
    );
  let oid: unknown;
  try {
    const { payload } = await jwtVerify(assertion, sim.keys.publicKey, {
      algorithms: ["RS256"],
      audience: [app.clientId, `api://${app.clientId}`],
      currentDate: new Date(sim.clock.now()),
    });
    oid = payload.tid === sim.store.tenantId ? payload.oid : undefined;
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new OAuthError(400, "invalid_grant", 500133, "Assertion is not within its valid time range.");
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === "aud")
      throw new OAuthError(
        400,
        "invalid_grant",
        50013,
        "Assertion failed signature validation. The assertion's audience is not this application.",
      );
    throw new OAuthError(400, "invalid_grant", 50013, "Assertion failed signature validation.");
  }
  const user = typeof oid === "string" ? sim.store.findUser(oid) : undefined;
  if (!user || user.isRoomMailbox)
    throw new OAuthError(400, "invalid_grant", 50034, "The user account does not exist in this directory.");
  if (user.data.accountEnabled === false)
    throw new OAuthError(400, "invalid_grant", 50057, "The user account is disabled.");
  return user;
}
