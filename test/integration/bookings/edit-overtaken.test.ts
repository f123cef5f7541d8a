import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TableBookingStore } from "../../../shared/adapters/tables/table-booking-store";
import { editBooking } from "../../../shared/app/bookings/manage-booking";
import type { BookingStore } from "../../../shared/app/ports/booking-store";
import { bookingDependencies } from "../../../shared/composition/bookings";
import { getServices } from "../../../shared/composition/services";
import type { Principal } from "../../../shared/domain/auth/principal";
import { mailboxId } from "../../../shared/domain/rooms/room";
import { eventually } from "../../support/eventually";
import { startBookingStack, type BookingStack, type Person } from "./stack";

/**
 * An edit checks and reserves against the booking as it read it; a cancel (or another edit) that
 * lands between its reservation and its save wins: the edit is refused and the room holds what the
 * booking holds, never a slot of a cancelled booking.
 */
let s: BookingStack;
let ann: Person;

beforeAll(async () => {
  s = await startBookingStack("application");
  ann = await s.person("ann.overtaken@contoso.example", "Ann Overtaken");
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

const store = () => new TableBookingStore(getServices().tables);
const DAY = Date.parse("2027-04-06T00:00:00Z");

describe("an edit overtaken by a cancel", () => {
  it("is refused, and the room keeps no slot of the cancelled booking", async () => {
    const room = "room-hq-203@contoso.example";
    const roomId = mailboxId(room);
    const made = await s.call(ann, "POST", "/api/bookings", {
      roomIds: [room],
      start: "2027-04-06T09:00:00Z",
      end: "2027-04-06T10:00:00Z",
      subject: "Overtaken edit",
    });
    expect(made.status).toBe(202);
    const { id } = (await made.json()) as { id: string };
    await eventually(async () => (await store().get(id))?.booking.state === "confirmed", {
      timeoutMs: 30_000,
      explain: () => `booking ${id} not confirmed`,
    });

    // The edit's reservation of its new time is where the cancel lands: through the API, in full.
    const real = store();
    let cancelStatus = 0;
    const racing: BookingStore = Object.assign(Object.create(real) as TableBookingStore, {
      reserve: async (...args: Parameters<BookingStore["reserve"]>) => {
        const versions = await real.reserve(...args);
        if (cancelStatus === 0) cancelStatus = (await s.call(ann, "DELETE", `/api/bookings/${id}`)).status;
        return versions;
      },
    });
    const principal: Principal = {
      userId: ann.id,
      tenantId: "",
      objectId: ann.id,
      email: ann.upn,
      name: ann.name,
      roles: [],
      groups: [],
      isAdmin: false,
    };
    await expect(
      editBooking({ ...bookingDependencies(), store: racing }, principal, id, {
        start: Date.parse("2027-04-06T14:00:00Z"),
        end: Date.parse("2027-04-06T15:00:00Z"),
      }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect(cancelStatus).toBe(202);

    const b = (await store().get(id))?.booking;
    expect(b?.state).toBe("cancelled");
    expect(b?.reserved).toEqual({});
    expect(b?.start).toBe(Date.parse("2027-04-06T09:00:00Z"));
    expect(await store().roomSlots(roomId, DAY, DAY + 86_400_000)).toEqual([]);
  });
});
