import { expireHolds } from "../shared/composition/holds";
import { timerFunction } from "./lib/definition";

/** Every minute (HOLDS_EXPIRE_SCHEDULE): frees the rooms of add-in holds that lapsed unclaimed. */
export const holdsExpire = timerFunction({
  name: "holds-expire",
  schedule: "%HOLDS_EXPIRE_SCHEDULE%",
  handler: async (_timer, context) => {
    const freed = await expireHolds((m) => context.log(m));
    context.log(`holds-expire: ${freed} freed`);
  },
});
