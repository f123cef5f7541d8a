import { timerFunction } from "./lib/definition";
import { syncTimerHandler } from "./lib/sync-timer";

/** Every 15 minutes (DIRECTORY_SYNC_SCHEDULE): users, groups and members by delta (application mode). */
export const directorySync = timerFunction({
  name: "directory-sync",
  schedule: "%DIRECTORY_SYNC_SCHEDULE%",
  handler: syncTimerHandler("directory"),
});
