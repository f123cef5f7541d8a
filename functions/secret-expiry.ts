import type { InvocationContext, Timer } from "@azure/functions";
import { warnSecretExpiry } from "../shared/composition/mail";
import { timerFunction } from "./lib/definition";

/** Daily (SECRET_EXPIRY_SCHEDULE): mails the admins 30, 7 and 1 days before the client secret expires. */
export async function secretExpiryHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const result = await warnSecretExpiry();
  context.log(
    result.outcome === "warned"
      ? `secret-expiry: ${result.warningDays}-day warning enqueued for ${result.recipients} admin(s)`
      : `secret-expiry: ${result.outcome}${result.warningDays === undefined ? "" : ` (${result.warningDays}-day warning)`}`,
  );
}

export const secretExpiry = timerFunction({
  name: "secret-expiry",
  schedule: "%SECRET_EXPIRY_SCHEDULE%",
  handler: secretExpiryHandler,
});
