import { describe, expect, it } from "vitest";
import { demoCalendarDigest } from "./calendar-digest";

/**
 * The demo tenant's calendar state is part of the simulator's contract (demos and tests rely on its
 * meetings, ids and room answers). This digest was taken from the calendar engine before the iCalUId
 * index and the per-domain people list were introduced; both are pure speed-ups and must leave every
 * id, iCalUId, response and change key exactly as it was.
 */

describe("demo tenant calendar seed", () => {
  it("is identical to the state before the iCalUId index (weekday and weekend starts)", () => {
    expect(demoCalendarDigest("2026-03-04T08:00:00Z")).toEqual({
      digest: "dca5c6a26ea16798e213fe84930aeb2d3de8b28dbdff01b66938d15713746c66",
      events: 656,
    });
    expect(demoCalendarDigest("2026-03-07T12:00:00Z")).toEqual({
      digest: "93a9166ee2eb3f8001cc5523bcb5de360513cca9b96d102d0ad1a907db710884",
      events: 656,
    });
  });
});
