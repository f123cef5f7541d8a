import { describe, expect, it } from "vitest";
import {
  displayView,
  healthTransition,
  isPairingCodeShape,
  normalisePairingCode,
  parseCredential,
  type Display,
} from "../../../shared/domain/displays/display";
import {
  applySnapshot,
  mergeFetched,
  roomState,
  sameDay,
  type Schedule,
  type Snapshot,
} from "../../../web/display/state";
import { pickLang, translate } from "../../../web/display/i18n";

const at = (hhmm: string): string => `2030-01-07T${hhmm}:00.000Z`;
const item = (id: string, from: string, to: string) => ({ id, start: at(from), end: at(to) });
const snap = (version: number, items = [item("a", "09:00", "10:00")]): Snapshot => ({
  type: "schedule",
  roomId: "r1",
  version,
  generatedAt: at("08:00"),
  items,
});

describe("a room's state on the display", () => {
  const items = [item("a", "09:00", "10:00"), item("b", "10:00", "10:30"), item("c", "12:00", "13:00")];

  it("is free until the next meeting, busy through back-to-back meetings, free soon in their last 10 minutes", () => {
    expect(roomState(items, new Date(at("08:30")))).toMatchObject({
      status: "free",
      until: new Date(at("09:00")),
    });
    const busy = roomState(items, new Date(at("09:15")));
    expect([busy.status, busy.current?.id, busy.next?.id, busy.until]).toEqual([
      "busy",
      "a",
      "c",
      new Date(at("10:30")),
    ]);
    expect(roomState(items, new Date(at("10:20"))).status).toBe("soon-free");
    expect(roomState(items, new Date(at("10:19"))).status).toBe("busy");
    expect(roomState(items, new Date(at("13:00")))).toMatchObject({
      status: "free",
      until: undefined,
      next: undefined,
    });
  });

  it("applies only newer snapshots, flags a version gap, and ignores other rooms", () => {
    let schedule: Schedule = {
      display: { id: "d", name: "D" },
      target: { kind: "room", roomId: "r1" },
      generatedAt: at("08:00"),
      rooms: [{ roomId: "r1", name: "R1", timeZone: "UTC", snapshot: snap(3) }],
    };
    const step = (snapshot: Snapshot) => {
      const { result, gap, schedule: next } = applySnapshot(schedule, snapshot);
      schedule = next;
      return [result, gap];
    };
    expect(step(snap(3))).toEqual(["stale", false]);
    expect(step(snap(4))).toEqual(["applied", false]);
    expect(step(snap(7))).toEqual(["applied", true]);
    expect(step({ ...snap(9), roomId: "r2" })).toEqual(["unknown", false]);
    expect(schedule.rooms[0]!.snapshot.version).toBe(7);

    const fetched: Schedule = { ...schedule, rooms: [{ ...schedule.rooms[0]!, snapshot: snap(5, []) }] };
    expect(mergeFetched(schedule, fetched).rooms[0]!.snapshot.version).toBe(7);
    const newer: Schedule = { ...schedule, rooms: [{ ...schedule.rooms[0]!, snapshot: snap(8, []) }] };
    expect(mergeFetched(schedule, newer).rooms[0]!.snapshot).toEqual(snap(8, []));
  });

  it("speaks the four languages", () => {
    expect(["zh-TW", "zh-HK", "zh-Hant-TW", "zh-CN", "zh", "ja-JP", "de"].map(pickLang)).toEqual([
      "zh-Hant",
      "zh-Hant",
      "zh-Hant",
      "zh-Hans",
      "zh-Hans",
      "ja",
      "en",
    ]);
    expect(translate("zh-Hant", "busyUntil", { t: "10:30" })).toBe("使用中，至 10:30");
    expect(translate("en", "freeUntil", { t: "9:00 AM" })).toBe("Free until 9:00 AM");
  });
});

describe("display records", () => {
  const display: Display = {
    id: "d-1",
    name: "Door",
    target: { kind: "room", roomId: "r1" },
    createdAt: at("07:00"),
    credentialHash: "h",
    lastSeenAt: at("08:00"),
  };
  const tenMinutes = 10 * 60_000;

  it("go silent past the threshold, once, and come back once", () => {
    expect(healthTransition(display, new Date(at("08:10")), tenMinutes)).toBeUndefined();
    expect(healthTransition(display, new Date("2030-01-07T08:10:00.001Z"), tenMinutes)).toBe("went-silent");
    const told = { ...display, silentSince: at("08:00") };
    expect(healthTransition(told, new Date(at("09:00")), tenMinutes)).toBeUndefined();
    expect(healthTransition({ ...told, lastSeenAt: at("09:00") }, new Date(at("09:01")), tenMinutes)).toBe(
      "came-back",
    );
    expect(
      healthTransition({ ...display, lastSeenAt: undefined }, new Date(at("23:00")), tenMinutes),
    ).toBeUndefined();
  });

  it("show admins no credential hash", () => {
    const view = displayView(display, new Date(at("08:05")), tenMinutes);
    expect(view).toEqual({
      id: "d-1",
      name: "Door",
      target: { kind: "room", roomId: "r1" },
      createdAt: at("07:00"),
      paired: true,
      pairedAt: null,
      lastSeenAt: at("08:00"),
      pageVersion: null,
      status: "online",
    });
  });

  it("parse credentials and pairing codes strictly", () => {
    const secret = "A".repeat(43);
    expect(parseCredential(`d-1.${secret}`)).toEqual({ displayId: "d-1", secret });
    expect(parseCredential(`d-1.short`)).toBeUndefined();
    expect(parseCredential(`d/1.${secret}`)).toBeUndefined();
    expect(parseCredential(`d-1.${secret}.x`)).toBeUndefined();
    expect(normalisePairingCode(" abcd-efgh ")).toBe("ABCDEFGH");
    expect(isPairingCodeShape("ABCDEFGH")).toBe(true);
    expect(isPairingCodeShape("ABCDEFG0")).toBe(false); // 0 is not in the alphabet
    expect(isPairingCodeShape("ABCDEFG")).toBe(false);
  });
});

describe("days in the room's zone", () => {
  it("tells whether a meeting is today where the room is, not where the server is", () => {
    const evening = Date.parse("2030-01-07T22:30:00Z");
    const nextMorning = Date.parse("2030-01-08T08:00:00Z");
    expect(sameDay(evening, nextMorning, "UTC")).toBe(false);
    expect(sameDay(evening, Date.parse("2030-01-07T23:59:00Z"), "UTC")).toBe(true);
    // 23:30 UTC is already the next day in Berlin.
    expect(sameDay(Date.parse("2030-01-07T23:30:00Z"), nextMorning, "Europe/Berlin")).toBe(true);
    expect(sameDay(evening, nextMorning, "Europe/Berlin")).toBe(false);
    expect(sameDay(evening, nextMorning, "America/New_York")).toBe(false);
  });
});
