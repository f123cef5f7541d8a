import { renewSubscriptions } from "../shared/composition/calendar";
import { timerFunction, type TimerFunctionDefinition } from "./lib/definition";

/**
 * Every 30 minutes (SUBSCRIPTIONS_RENEW_SCHEDULE): one live subscription per active room calendar,
 * renewed well before expiry, recreated when expired or unknown to Graph, removed for gone rooms.
 * Application modes only; a failed room is recorded on it and retried next run.
 */
export function subscriptionsRenewHandler(
  renew: typeof renewSubscriptions = renewSubscriptions,
): TimerFunctionDefinition["handler"] {
  return async (_timer, context) => {
    const counts = await renew((m) => context.log(m));
    if (counts === "not-applicable") context.log("subscriptions: not used in this integration mode");
  };
}

export const subscriptionsRenew = timerFunction({
  name: "subscriptions-renew",
  schedule: "%SUBSCRIPTIONS_RENEW_SCHEDULE%",
  handler: subscriptionsRenewHandler(),
});
