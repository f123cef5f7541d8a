import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebPubSub, type RunningWebPubSub } from "../../../dev/webpubsub";
import { BOOKING_ID_PROPERTY } from "../../../shared/adapters/graph/graph-calendar-gateway";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { overrideServices } from "../../../shared/composition";
import { issuePairingCode, pairDisplay, registerDisplay } from "../../../shared/composition/displays";
import { getServices } from "../../../shared/composition/services";
import { eventually } from "../../support/eventually";
import { recovered } from "../../support/recovered";
import { CookieJar, signIn } from "../auth/helpers";
import { startBookingStack, type BookingStack } from "../bookings/stack";
import { dyingAtGraph, sweepLater } from "./dying";
import { storeRooms, testRoom } from "./rooms";

/**
 * In the delegated resource-only mode a walk-in is written in the room's own calendar with the token
 * of a signed-in user who may write it. The booking is saved naming that writer before the write, so
 * when the host dies at the write the recovery sweep writes it with the same user's token, the room
 * its organizer. The app's clock is injected; the walk-in lies in 2027.
 */
const ROOM = "room-hq-104@contoso.example";
let clock = Date.parse("2027-04-05T09:00:30Z");
let wps: RunningWebPubSub;
let s: BookingStack;

beforeAll(async () => {
  wps = await startWebPubSub();
  process.env.WEBPUBSUB_CONNECTION_STRING = wps.connectionString;
  process.env.WEBPUBSUB_HUB = "displays";
  s = await startBookingStack("delegated-resource-only");
  await overrideServices({ now: () => new Date(clock) });
  // No /places in the delegated modes: the admin imports the room (written here as an import would).
  await storeRooms(getServices().tables, [testRoom(ROOM, "HQ 104", "contoso-hq:1")]);
}, 120_000);
afterAll(async () => {
  await s?.stop();
  await wps?.stop();
  delete process.env.WEBPUBSUB_CONNECTION_STRING;
  delete process.env.WEBPUBSUB_HUB;
});

interface GraphEvent {
  id: string;
  start: { dateTime: string };
  end: { dateTime: string };
  organizer: { emailAddress: { address: string } };
}

const utc = (graphTime: string): string => new Date(`${graphTime.replace(/Z$/, "")}Z`).toISOString();

describe("a delegate's walk-in whose host dies at the Graph write", () => {
  it("is written by the sweep with the same delegate's token, in the room's own calendar", async () => {
    const view = await registerDisplay({ name: "Walk-in panel", target: { kind: "room", roomId: ROOM } });
    const { code } = await issuePairingCode(view.id);
    const { credential } = await pairDisplay({ code, address: "10.0.0.8" });
    const delegate = await s.person("gus.delegate@contoso.example", "Gus Delegate");
    s.auth.sim.control.setCalendarPermission(ROOM, delegate.upn, "write");
    expect((await signIn(s.auth, new CookieJar(), delegate.upn)).status).toBe(302);
    const writers = await getServices().graphTokens.usersWithToken();
    expect(writers).toHaveLength(1);

    clock = Date.parse("2027-04-05T11:05:10Z");
    const writing = dyingAtGraph(
      () => clock,
      credential,
      { action: "book-now", minutes: 30 },
      () => Promise.resolve(writers),
    );
    expect(await writing).toBe("create");
    const store = new TableBookingStore(getServices().tables);
    const entries = await store.roomSlots(ROOM, Date.parse("2027-04-05T11:00:00Z"), clock + 3_600_000);
    expect(entries).toHaveLength(1);
    const id = entries[0]?.bookingId ?? "";
    const saved = (await store.get(id))?.booking;
    expect([saved?.state, saved?.calendarOwed, saved?.calendar]).toEqual([
      "confirmed",
      "write",
      { mailbox: ROOM, actor: "user", writerId: writers[0] },
    ]);

    expect(await sweepLater(clock)).toEqual(recovered({ rewritten: 1 }));
    const filter = `singleValueExtendedProperties/any(ep: ep/id eq '${BOOKING_ID_PROPERTY}' and ep/value eq '${id}')`;
    let events: GraphEvent[] = [];
    await eventually(
      async () => {
        events = (
          await s.graph<{ value: GraphEvent[] }>(
            `/users/${ROOM}/events?$filter=${encodeURIComponent(filter)}`,
          )
        ).value;
        return events.length > 0 && (await store.get(id))?.booking.calendarOwed === undefined;
      },
      { timeoutMs: 30_000, explain: () => `walk-in ${id}: ${events.length} event(s)` },
    );
    expect(
      events.map((e) => [
        e.organizer.emailAddress.address.toLowerCase(),
        utc(e.start.dateTime),
        utc(e.end.dateTime),
      ]),
    ).toEqual([[ROOM, "2027-04-05T11:05:00.000Z", "2027-04-05T11:35:00.000Z"]]);
    expect((await store.get(id))?.booking.calendar).toMatchObject({
      actor: "user",
      writerId: writers[0],
      eventId: events[0]?.id,
    });
  });
});
