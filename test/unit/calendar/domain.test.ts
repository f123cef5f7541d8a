import { describe, expect, it } from "vitest";
import { clientStateMatches, hashClientState } from "../../../shared/app/calendar/client-state";
import { windowFrom } from "../../../shared/app/calendar/process-calendar-change";
import {
  calendarChangeMessageId,
  calendarChangeMessageSchema,
  eventIdOf,
  type CalendarChangeMessage,
} from "../../../shared/domain/calendar/calendar-change";
import {
  maxMinutesFromGraphMessage,
  renewalDueAt,
  requestedExpiry,
} from "../../../shared/domain/calendar/room-subscription";

const changed = (
  changes: Array<{ changeType: "created" | "updated" | "deleted"; eventId: string }>,
  at: string,
) =>
  ({
    kind: "room-changed",
    roomId: "room-1@contoso.example",
    subscriptionId: "sub-1",
    reason: "notification",
    changes,
    receivedAt: at,
  }) satisfies CalendarChangeMessage;

describe("calendar-changes messages", () => {
  it("the same changes give the same id whatever their order and receive time; other changes another", () => {
    const a = changed(
      [
        { changeType: "created", eventId: "E1" },
        { changeType: "updated", eventId: "E2" },
      ],
      "2026-12-03T10:00:00.000Z",
    );
    const b = changed(
      [
        { changeType: "updated", eventId: "E2" },
        { changeType: "created", eventId: "E1" },
      ],
      "2026-12-03T10:05:00.000Z",
    );
    const c = changed([{ changeType: "deleted", eventId: "E1" }], "2026-12-03T10:00:00.000Z");
    expect(calendarChangeMessageId(a)).toBe(calendarChangeMessageId(b));
    expect(calendarChangeMessageId(a)).not.toBe(calendarChangeMessageId(c));
    expect(calendarChangeMessageId(a)).toMatch(/^cc-[0-9a-z]+$/);
  });

  it("the schema takes each kind and refuses a change message without changes", () => {
    expect(calendarChangeMessageSchema.safeParse(changed([], "2026-12-03T10:00:00.000Z")).success).toBe(
      false,
    );
    expect(
      calendarChangeMessageSchema.safeParse({
        kind: "room-resync",
        roomId: "room-1@contoso.example",
        reason: "admin",
      }).success,
    ).toBe(true);
    expect(
      calendarChangeMessageSchema.safeParse({
        kind: "room-resync",
        roomId: "room-1@contoso.example",
        reason: "x",
      }).success,
    ).toBe(false);
  });

  it("the event id comes from resourceData, else from the resource path", () => {
    expect(eventIdOf({ subscriptionId: "s", changeType: "created", resourceData: { id: "A=" } })).toBe("A=");
    expect(eventIdOf({ subscriptionId: "s", changeType: "created", resource: "Users/u/Events/B%3D" })).toBe(
      "B=",
    );
    expect(eventIdOf({ subscriptionId: "s", changeType: "created", resource: "Users/u" })).toBeUndefined();
  });
});

describe("subscriptions", () => {
  it("renewal falls due between half and a quarter of the lifetime before expiry, fixed per room", () => {
    const lifetime = 4200 * 60_000;
    const expiresAt = "2026-12-06T10:00:00.000Z";
    const dues = Array.from({ length: 200 }, (_, i) =>
      renewalDueAt({ roomId: `room-${i}@contoso.example`, expiresAt }, lifetime).getTime(),
    );
    const latest = Date.parse(expiresAt) - lifetime / 2;
    const earliest = latest - lifetime / 4;
    for (const due of dues) {
      expect(due).toBeLessThanOrEqual(latest);
      expect(due).toBeGreaterThanOrEqual(earliest);
    }
    // Spread: the 200 rooms fall in at least 8 of 10 equal slices of the quarter.
    const slices = new Set(dues.map((d) => Math.floor(((latest - d) / (lifetime / 4)) * 10)));
    expect(slices.size).toBeGreaterThanOrEqual(8);
    expect(renewalDueAt({ roomId: "room-7@contoso.example", expiresAt }, lifetime)).toEqual(
      renewalDueAt({ roomId: "room-7@contoso.example", expiresAt }, lifetime),
    );
  });

  it("reads Graph's maximum from its over-long expiry message", () => {
    expect(
      maxMinutesFromGraphMessage("Subscription expiration can only be 4230 minutes in the future."),
    ).toBe(4230);
    expect(maxMinutesFromGraphMessage("Subscription validation request timed out.")).toBeUndefined();
    expect(requestedExpiry(new Date("2026-12-03T10:00:00.700Z"), 60).toISOString()).toBe(
      "2026-12-03T11:00:00.000Z",
    );
  });

  it("clientState: only the hash is kept, and a different secret does not match", () => {
    const hash = hashClientState("secret-1");
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(clientStateMatches("secret-1", hash)).toBe(true);
    expect(clientStateMatches("secret-2", hash)).toBe(false);
    expect(clientStateMatches(undefined, hash)).toBe(false);
  });

  it("the read window runs from the start of yesterday (UTC) to the days ahead", () => {
    const w = windowFrom(new Date("2026-12-03T10:30:00Z"), 180);
    expect(w.start.toISOString()).toBe("2026-12-02T00:00:00.000Z");
    expect(w.end.toISOString()).toBe("2027-06-01T00:00:00.000Z");
  });
});
