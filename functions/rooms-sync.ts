import { timerFunction } from "./lib/definition";
import { syncTimerHandler } from "./lib/sync-timer";

/** Hourly (ROOMS_SYNC_SCHEDULE): rooms and room lists from /places, in modes with Place.Read.All. */
export const roomsSync = timerFunction({
  name: "rooms-sync",
  schedule: "%ROOMS_SYNC_SCHEDULE%",
  handler: syncTimerHandler("rooms"),
});
