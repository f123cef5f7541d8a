import { expect } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { overrideServices } from "../../../shared/composition";
import { issuePairingCode, pairDisplay, registerDisplay } from "../../../shared/composition/displays";
import { getServices } from "../../../shared/composition/services";
import type { Booking } from "../../../shared/domain/bookings/booking";
import { eventually } from "../../support/eventually";
import { startBookingStack, type BookingStack, type Person } from "../bookings/stack";

/**
 * The stack of the display durability tests: the booking stack in the application mode with Web PubSub
 * and Ann, an organizer; the app's clock (and, with `busClock`, the broker's) is the test's.
 */
export interface DurableStack {
  readonly s: BookingStack;
  readonly ann: Person;
  /** The booking as stored; throws when it is not there. */
  booking(id: string): Promise<Booking>;
  /** A room display paired for `roomId`; answers its credential. */
  pairedFor(roomId: string): Promise<string>;
  /** The events in `mailbox` stamped with the booking's id (as Outlook holds them). */
  eventsOf(mailbox: string, bookingId: string): Promise<GraphEvent[]>;
  /** Books through the API as Ann and waits until the room accepted; answers the booking id. */
  confirmed(body: Record<string, unknown>): Promise<string>;
  /** The `booking-commands` queue's counts. */
  commands(): { active: number; locked: number; scheduled: number; deadLettered: number };
  stop(): Promise<void>;
}

export interface GraphEvent {
  id: string;
  isCancelled: boolean;
  start: { dateTime: string };
  end: { dateTime: string };
  organizer: { emailAddress: { address: string } };
  attendees: { type: string; emailAddress: { address: string } }[];
}

/** A Graph time (UTC, no zone mark) as ISO 8601. */
export const utc = (graphTime: string): string => new Date(`${graphTime.replace(/Z$/, "")}Z`).toISOString();

export async function startDurableStack(
  clock: () => number,
  options: { busClock?: boolean } = {},
): Promise<DurableStack> {
  const wps: RunningWebPubSub = await startWebPubSub();
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  process.env.WEBPUBSUB_HUB = "displays";
  const s = await startBookingStack("application", options.busClock === true ? { busNow: clock } : {});
  await overrideServices({ now: () => new Date(clock()) });
  const ann = await s.person("ann.durable@contoso.example", "Ann Durable");
  const store = () => new TableBookingStore(getServices().tables);
  const booking = async (id: string): Promise<Booking> => {
    const b = (await store().get(id))?.booking;
    if (b === undefined) throw new Error(`booking ${id} missing`);
    return b;
  };
  return {
    s,
    ann,
    booking,
    async pairedFor(roomId) {
      const view = await registerDisplay({ name: `Panel ${roomId}`, target: { kind: "room", roomId } });
      const { code } = await issuePairingCode(view.id);
      return (await pairDisplay({ code, address: "10.0.0.7" })).credential;
    },
    async eventsOf(mailbox, bookingId) {
      const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${bookingId}')`;
      const page = await s.graph<{ value: GraphEvent[] }>(
        `/users/${mailbox}/events?$filter=${encodeURIComponent(filter)}`,
      );
      return page.value;
    },
    async confirmed(body) {
      const made = await s.call(ann, "POST", "/api/bookings", { subject: "Review", ...body });
      expect(made.status).toBe(202);
      const { id } = (await made.json()) as { id: string };
      await eventually(async () => (await booking(id)).state === "confirmed", {
        timeoutMs: 30_000,
        explain: () => `booking ${id} not confirmed`,
      });
      return id;
    },
    commands: () =>
      s.bus.stats()["booking-commands"] ?? { active: 0, locked: 0, scheduled: 0, deadLettered: 0 },
    async stop() {
      await s.stop();
      await wps.stop();
      delete process.env.WEBPUBSUB_CONNECTION_STRING;
      delete process.env.WEBPUBSUB_HUB;
    },
  };
}
