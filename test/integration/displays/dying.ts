import { createHash } from "node:crypto";
import { TableDisplayStore } from "../../../shared/adapters/tables/table-displays";
import { TablePendingBookings } from "../../../shared/adapters/tables/table-pending-bookings";
import { recoverPendingBookings, STUCK_AFTER_MS } from "../../../shared/app/bookings/recover-pending";
import {
  deviceAction,
  type DeviceActionInput,
  type DeviceActionResult,
} from "../../../shared/app/displays/device-actions";
import type { CalendarGateway } from "../../../shared/app/ports/calendar-gateway";
import { bookingDependencies } from "../../../shared/composition/bookings";
import { getServices } from "../../../shared/composition/services";

/**
 * Runs a display action whose Graph writes `write` answers instead of Graph, announcing each call's
 * method first. Resolves with the action's outcome (or never, if a write never returns).
 */
function actionWithGraph(
  clock: () => number,
  credential: string,
  input: DeviceActionInput,
  roomWriters: () => Promise<readonly string[]>,
  write: (method: string) => Promise<never>,
): Promise<DeviceActionResult> {
  const real = bookingDependencies();
  const writes = new Set(["create", "update", "moveOccurrence", "cancel", "cancelOccurrence"]);
  const calendar = async (): Promise<CalendarGateway> => {
    const gateway = await real.calendar();
    return new Proxy(gateway, {
      get(target, prop) {
        if (typeof prop === "string" && writes.has(prop)) return () => write(prop);
        const value: unknown = Reflect.get(target, prop);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  return deviceAction(
    {
      displays: {
        displays: new TableDisplayStore(getServices().tables),
        hash: (value) => createHash("sha256").update(value, "utf8").digest("hex"),
        now: () => new Date(clock()),
      },
      bookings: { ...real, calendar },
      roomWriters,
    },
    credential,
    input,
  );
}

/**
 * Runs a display action on a host that dies at its Graph write: the write never returns, so nothing
 * after it runs. Resolves once the action got there, with the Graph method it was calling.
 */
export function dyingAtGraph(
  clock: () => number,
  credential: string,
  input: DeviceActionInput,
  roomWriters: () => Promise<readonly string[]> = () => Promise.resolve([]),
): Promise<string> {
  return new Promise<string>((arrived) => {
    actionWithGraph(clock, credential, input, roomWriters, (method) => {
      arrived(method);
      return new Promise<never>(() => {});
    }).catch(() => {});
  });
}

/** Runs a display action whose Graph write is refused with `error`; answers what the action threw. */
export async function refusedAtGraph(
  clock: () => number,
  credential: string,
  input: DeviceActionInput,
  error: Error,
): Promise<unknown> {
  try {
    await actionWithGraph(
      clock,
      credential,
      input,
      () => Promise.resolve([]),
      () => Promise.reject(error),
    );
    return undefined;
  } catch (thrown) {
    return thrown;
  }
}

/** The sweep, run once an owed change counts as stuck (a quarter of an hour after it was saved). */
export const sweepLater = (clock: number): ReturnType<typeof recoverPendingBookings> =>
  recoverPendingBookings({
    ...bookingDependencies(),
    pending: new TablePendingBookings(getServices().tables),
    now: () => new Date(clock + STUCK_AFTER_MS + 60_000),
  });
