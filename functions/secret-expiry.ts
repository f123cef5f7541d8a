import type { InvocationContext, Timer } from "@azure/functions";
import { warnSecretExpiry, type WarnSecretExpiryDependencies } from "../shared/app/warn-secret-expiry";
import { getServices } from "../shared/composition";
import { timerFunction } from "./lib/definition";

/** Daily (SECRET_EXPIRY_SCHEDULE): mails the admins 30, 7 and 1 days before the client secret expires. */
export function secretExpiryHandler(
  dependencies: () => WarnSecretExpiryDependencies = () => {
    const s = getServices();
    return {
      secretInfo: s.integrationSecretInfo,
      warnings: s.mailWarnings,
      workQueue: s.workQueue,
      now: s.now,
    };
  },
): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const result = await warnSecretExpiry(dependencies());
    context.log(
      result.outcome === "warned"
        ? `secret-expiry: ${result.warningDays}-day warning enqueued for ${result.recipients} admin(s)`
        : `secret-expiry: ${result.outcome}${result.warningDays === undefined ? "" : ` (${result.warningDays}-day warning)`}`,
    );
  };
}

export const secretExpiry = timerFunction({
  name: "secret-expiry",
  schedule: "%SECRET_EXPIRY_SCHEDULE%",
  handler: secretExpiryHandler(),
});
