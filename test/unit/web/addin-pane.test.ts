import { OfficeMockObject } from "office-addin-mock";
import { describe, expect, it } from "vitest";
import { officeDouble, type DraftAppointment } from "../../../web/addin/dev/office-double";
import type { AddinRoom, RoomPolicySummary } from "../../../web/addin/src/api";
import {
  applyRoom,
  HOLD_PROPERTY,
  readMeeting,
  removeRoom,
  requiredCapacity,
  saveAndGetItemId,
} from "../../../web/addin/src/meeting";
import type { OfficeSurface } from "../../../web/addin/src/office";
import { orderRooms, policyConflict } from "../../../web/addin/src/rooms";

/**
 * The pane's logic against `office-addin-mock` holding the Office.js surface the pane uses (the same
 * double the stand-in Outlook host runs): reading the meeting, the seats it needs, putting the room and
 * the hold on the item, and the saved item's id.
 */
function draft(overrides: Partial<DraftAppointment> = {}): DraftAppointment {
  return {
    subject: "Planning",
    start: new Date("2026-12-07T09:00:00Z"),
    end: new Date("2026-12-07T10:00:00Z"),
    organizer: { emailAddress: "Ada@contoso.test", displayName: "Ada" },
    requiredAttendees: [
      { emailAddress: "bo@contoso.test", displayName: "Bo" },
      { emailAddress: "cy@contoso.test", displayName: "Cy" },
      { emailAddress: "ada@contoso.test", displayName: "Ada" },
    ],
    optionalAttendees: [
      { emailAddress: "di@contoso.test", displayName: "Di" },
      { emailAddress: "BO@contoso.test", displayName: "Bo again" },
      { emailAddress: "room-2a@contoso.test", displayName: "Room 2A" },
    ],
    location: "",
    resources: [],
    customProperties: {},
    mailboxVersion: "1.8",
    ...overrides,
  };
}

/** The double inside office-addin-mock, typed as the surface the pane reads. */
function mocked(appointment: DraftAppointment, itemId = "AAMkAD-1"): OfficeSurface {
  const surface = officeDouble(appointment, () => itemId);
  return new OfficeMockObject({ host: "outlook", ...surface }) as unknown as OfficeSurface;
}

describe("the pane's meeting logic", () => {
  it("reads start, end, attendees, location and the hold tag", async () => {
    const item = draft({ location: "Somewhere", customProperties: { [HOLD_PROPERTY]: "hold-9" } });
    const meeting = await readMeeting(mocked(item));
    expect(meeting.start.toISOString()).toBe("2026-12-07T09:00:00.000Z");
    expect(meeting.end.toISOString()).toBe("2026-12-07T10:00:00.000Z");
    expect(meeting.organizer).toBe("Ada@contoso.test");
    expect(meeting.attendees.map((a) => a.emailAddress)).toEqual([
      "bo@contoso.test",
      "cy@contoso.test",
      "ada@contoso.test",
      "di@contoso.test",
      "BO@contoso.test",
      "room-2a@contoso.test",
    ]);
    expect(meeting.location).toBe("Somewhere");
    expect(meeting.holdId).toBe("hold-9");
  });

  it("counts each person once, the organizer included, and no known room", async () => {
    const meeting = await readMeeting(mocked(draft()));
    expect(requiredCapacity(meeting, new Set(["room-2a@contoso.test"]))).toBe(4);
    expect(requiredCapacity(meeting)).toBe(5);
    expect(requiredCapacity({ ...meeting, attendees: [] })).toBe(1);
  });

  it("adds the room as a room location (a resource) where the host has Mailbox 1.8, and tags the hold", async () => {
    const item = draft();
    const office = mocked(item);
    await applyRoom(office, { email: "room-3b@contoso.test", displayName: "Room 3B" }, "hold-1");
    expect(item.resources).toEqual(["room-3b@contoso.test"]);
    expect(item.location).toBe("room-3b@contoso.test");
    expect(item.customProperties).toEqual({ [HOLD_PROPERTY]: "hold-1" });
    expect((await readMeeting(office)).holdId).toBe("hold-1");
  });

  it("falls back to an attendee and the location text on older hosts", async () => {
    const item = draft({ mailboxVersion: "1.5", requiredAttendees: [] });
    await applyRoom(mocked(item), { email: "room-3b@contoso.test", displayName: "Room 3B" }, "hold-2");
    expect(item.requiredAttendees).toEqual([
      { emailAddress: "room-3b@contoso.test", displayName: "Room 3B", recipientType: "other" },
    ]);
    expect(item.location).toBe("Room 3B");
    expect(item.resources).toEqual([]);
    expect(item.customProperties[HOLD_PROPERTY]).toBe("hold-2");
  });

  it("takes a room off again, with its hold tag, on either kind of host", async () => {
    const item = draft({ location: "" });
    const office = mocked(item);
    await applyRoom(office, { email: "room-3b@contoso.test", displayName: "Room 3B" }, "hold-1");
    await applyRoom(office, { email: "room-4c@contoso.test", displayName: "Room 4C" }, "hold-2");
    await removeRoom(office, { email: "room-3b@contoso.test", displayName: "Room 3B" });
    expect(item.resources).toEqual(["room-4c@contoso.test"]);
    expect(item.location).toBe("room-4c@contoso.test");
    expect(item.customProperties).toEqual({});

    const older = draft({ mailboxVersion: "1.5" });
    const olderOffice = mocked(older);
    await applyRoom(olderOffice, { email: "room-3b@contoso.test", displayName: "Room 3B" }, "hold-3");
    await removeRoom(olderOffice, { email: "ROOM-3B@contoso.test", displayName: "Room 3B" });
    expect(older.requiredAttendees.map((r) => r.emailAddress)).toEqual([
      "bo@contoso.test",
      "cy@contoso.test",
      "ada@contoso.test",
    ]);
    expect(older.location).toBe("");
    expect(older.customProperties).toEqual({});
  });

  it("saves the draft and answers its id, through getItemIdAsync or saveAsync's value", async () => {
    const item = draft();
    expect(await saveAndGetItemId(mocked(item, "AAMkAD-42"))).toBe("AAMkAD-42");
    expect(item.itemId).toBe("AAMkAD-42");
    const older = draft({ mailboxVersion: "1.5" });
    expect(await saveAndGetItemId(mocked(older, "AAMkAD-7"))).toBe("AAMkAD-7");
  });

  it("converts the id to the REST form where the host can", async () => {
    const surface = officeDouble(draft(), () => "ews/id+1");
    const office: OfficeSurface = {
      context: {
        ...surface.context,
        mailbox: {
          ...surface.context.mailbox,
          convertToRestId: (id) => id.replaceAll("/", "-").replaceAll("+", "_"),
        },
      },
    };
    expect(await saveAndGetItemId(office)).toBe("ews-id_1");
  });

  it("rejects with Outlook's message when a call fails", async () => {
    const item = draft();
    const surface = officeDouble(item, () => "x");
    const failing: OfficeSurface = {
      context: {
        ...surface.context,
        mailbox: {
          ...surface.context.mailbox,
          item: {
            ...surface.context.mailbox.item,
            saveAsync: (cb) =>
              cb({ status: "failed", value: "", error: { code: 9002, message: "Internal error" } }),
          },
        },
      },
    };
    await expect(saveAndGetItemId(failing)).rejects.toThrow("Internal error");
  });
});

describe("the room list", () => {
  const room = (id: string, building: string, floor: number | null): AddinRoom => ({
    id,
    email: `${id}@contoso.test`,
    displayName: id,
    capacity: 8,
    building: { id: building.toLowerCase(), name: building },
    floor: { id: null, label: floor === null ? null : `Floor ${floor}`, number: floor },
    wheelchairAccessible: true,
    tags: [],
    devices: [],
    timeZone: "Europe/Berlin",
  });

  it("puts the viewer's last building first, then building, floor by number and name", () => {
    const rooms = [
      room("c", "North", 10),
      room("a", "South", 1),
      room("b", "North", 2),
      room("e", "North", null),
      room("d", "East", 1),
    ];
    expect(orderRooms(rooms, "South").map((r) => r.id)).toEqual(["a", "d", "b", "c", "e"]);
    expect(orderRooms(rooms, undefined).map((r) => r.id)).toEqual(["d", "b", "c", "e", "a"]);
  });

  it("names the duration limit a meeting breaks", () => {
    const start = new Date("2026-12-07T09:00:00Z");
    const policy: RoomPolicySummary = {
      requiresApproval: false,
      checkIn: { required: false, windowBeforeMinutes: 10, graceAfterMinutes: 15 },
      privacy: "subject",
      formFields: [],
      termsOfUse: null,
      allowRecurring: true,
      allowAllDay: true,
      allowOvernight: true,
      allowMultiRoom: true,
      businessHours: null,
      minDurationMinutes: 30,
      maxDurationMinutes: 120,
      bookingWindowDays: null,
    };
    expect(policyConflict(policy, start, new Date("2026-12-07T09:15:00Z"))).toBe("too-short");
    expect(policyConflict(policy, start, new Date("2026-12-07T11:01:00Z"))).toBe("too-long");
    expect(policyConflict(policy, start, new Date("2026-12-07T11:00:00Z"))).toBeUndefined();
    expect(
      policyConflict({ ...policy, minDurationMinutes: null, maxDurationMinutes: null }, start, start),
    ).toBeUndefined();
    expect(policyConflict(undefined, start, start)).toBeUndefined();
  });
});
