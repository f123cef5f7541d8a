import { runHousekeeping as runHousekeepingUseCase, type HousekeepingResult } from "../app/housekeeping";
import { getServices } from "./services";

/** Deletes expired sign-in requests and sessions, old sent-mail ids and old replay records. */
export const runHousekeeping = (): Promise<HousekeepingResult> => {
  const s = getServices();
  return runHousekeepingUseCase({ ...s.expiredRows, now: s.now });
};
