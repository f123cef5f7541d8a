import { describe, expect, it } from "vitest";
import { summarizeBody } from "../../../shared/app/dead-letters/body-summary";
import { deadLetterId, parseDeadLetterId } from "../../../shared/app/dead-letters/dead-letter-id";

describe("dead-letter ids", () => {
  it("round-trip store and broker references, URL-safe", () => {
    const store = { source: "store", queue: "mail", messageId: "a/b#c?d é:1" } as const;
    const bus = { source: "bus", queue: "calendar-changes", sequenceNumber: 9007199254740993n } as const;
    for (const ref of [store, bus]) {
      const id = deadLetterId(ref);
      expect(encodeURIComponent(id).replaceAll("%3A", ":")).toBe(id);
      expect(parseDeadLetterId(id)).toEqual(ref);
    }
  });

  it("refuse what is not one of ours", () => {
    for (const id of [
      "",
      "junk",
      "store:mail:",
      "store:nowhere:YQ",
      "bus:mail:0",
      "bus:mail:-1",
      "bus:mail:01",
      "bus:mail:99999999999999999999",
      "store:mail:YQ==",
      "store:mail:YR", // not the canonical encoding of any id
    ])
      expect(parseDeadLetterId(id), id).toBeUndefined();
  });
});

describe("dead-letter body summary", () => {
  it("shows a mail's recipient and template kind, nothing else", () => {
    const body = {
      to: { email: "pat@contoso.example", name: "Pat" },
      template: { kind: "booking-confirmed", booking: { subject: "secret", organizer: "x@contoso.example" } },
    };
    expect(summarizeBody("mail", body)).toEqual({
      recipient: "pat@contoso.example",
      template: "booking-confirmed",
    });
    expect(summarizeBody("mail", { ...body, template: { kind: "made-up" } })).toBeUndefined();
    expect(
      summarizeBody("mail", { to: { email: "not an address" }, template: body.template }),
    ).toBeUndefined();
  });

  it("shows other queues' message kind only when it is short and plain", () => {
    expect(summarizeBody("booking-commands", { kind: "create", token: "t" })).toEqual({ kind: "create" });
    expect(summarizeBody("calendar-changes", { type: "updated" })).toEqual({ kind: "updated" });
    expect(summarizeBody("booking-commands", { kind: "Secret merger talks" })).toBeUndefined();
    expect(summarizeBody("booking-commands", "text")).toBeUndefined();
    expect(summarizeBody("booking-commands", null)).toBeUndefined();
  });
});
