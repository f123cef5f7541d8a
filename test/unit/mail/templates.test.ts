import { describe, expect, it } from "vitest";
import {
  renderMail,
  mailTemplateKinds,
  mailTemplateSchema,
  appLink,
  type MailTemplate,
} from "../../../shared/domain/mail/templates";
import { booking, examples, now } from "./fixtures";

const ctx = {
  appBaseUrl: "https://ones.contoso.com",
  productName: "ONES",
  recipientName: "Alex Wilber",
  now,
};
const render = (t: MailTemplate) => renderMail(t, ctx);
// Intl puts narrow no-break and thin spaces into times and ranges; compare on plain spaces.
const plain = (s: string): string => s.replace(/[\u202f\u2009\u00a0]/g, " ");

describe("mail templates", () => {
  it("has an example for every template kind, and each example is valid queue data", () => {
    expect(Object.keys(examples).sort()).toEqual([...mailTemplateKinds].sort());
    for (const t of Object.values(examples)) expect(mailTemplateSchema.safeParse(t).success).toBe(true);
  });

  it.each(Object.values(examples))(
    "$kind: a subject, an HTML and a text body with a greeting and a link back to ONES",
    (t) => {
      const m = render(t);
      expect(m.subject.length).toBeGreaterThan(10);
      expect(m.subject).not.toMatch(/[\r\n]/);
      expect(m.html).toMatch(/^<!DOCTYPE html>/);
      expect(m.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(m.html).toContain('role="presentation"');
      expect(m.html).toContain("Hello Alex Wilber,");
      expect(m.text).toContain("Hello Alex Wilber,");
      expect(m.html).toMatch(/href="https:\/\/ones\.contoso\.com\//);
      expect(m.text).toMatch(/: https:\/\/ones\.contoso\.com\//);
      expect(m.text).not.toMatch(/<[a-z]/i);
    },
  );

  it("booking confirmed: room, meeting, organizer and the time in the room's zone", () => {
    const m = render(examples["booking-confirmed"]);
    expect(m.subject).toBe("Confirmed: Quarterly planning in Zugspitze 4.01");
    const text = plain(m.text);
    expect(text).toContain("Room: Zugspitze 4.01");
    expect(text).toContain("Meeting: Quarterly planning");
    expect(text).toContain("Organizer: Alex Wilber");
    // 08:00Z is 09:00 in Berlin (CET).
    expect(text).toMatch(/When: Tuesday,? 3 March 2026,? 09:00 ?– ?10:30 \(Europe\/Berlin\)/);
    expect(text).toContain("Open the booking: https://ones.contoso.com/app/bookings/bk-123");
    expect(plain(m.html)).toMatch(/09:00 ?– ?10:30 \(Europe\/Berlin\)/);
  });

  it("shows the same instant in each room's own zone", () => {
    const tokyo = render({
      kind: "booking-confirmed",
      booking: booking({ room: { id: "t", name: "Fuji", timeZone: "Asia/Tokyo" } }),
    });
    expect(plain(tokyo.text)).toMatch(/17:00 ?– ?18:30 \(Asia\/Tokyo\)/);
    const ny = render({
      kind: "booking-confirmed",
      booking: booking({ room: { id: "n", name: "Hudson", timeZone: "America/New_York" } }),
    });
    expect(plain(ny.text)).toMatch(/03:00 ?– ?04:30 \(America\/New_York\)/);
  });

  it.each([
    [{ kind: "conflict" as const }, "The room is already booked for part of that time."],
    [
      { kind: "policy" as const, rule: "Bookings may be at most 4 hours long." },
      "A booking rule of the room does not allow it: Bookings may be at most 4 hours long.",
    ],
    [{ kind: "room-declined" as const }, "The room mailbox declined the invitation."],
    [
      { kind: "room-declined" as const, comment: "Closed for maintenance" },
      "The room mailbox declined the invitation: Closed for maintenance",
    ],
  ])("booking declined says why: %o", (reason, expected) => {
    const m = render({
      ...(examples["booking-declined"] as Extract<MailTemplate, { kind: "booking-declined" }>),
      reason,
    });
    expect(m.subject).toBe("Declined: Quarterly planning in Zugspitze 4.01");
    expect(m.text).toContain(`Reason: ${expected}`);
    expect(m.html).toContain(expected);
    expect(m.text).toContain(
      "Find another room: https://ones.contoso.com/app/rooms?from=2026-03-03T08%3A00%3A00Z&to=2026-03-03T09%3A30%3A00Z",
    );
  });

  it("booking cancelled names who cancelled and the comment", () => {
    const m = render(examples["booking-cancelled"]);
    expect(m.subject).toBe("Cancelled: Quarterly planning in Zugspitze 4.01");
    expect(m.text).toContain("was cancelled by Megan Bowen");
    expect(m.text).toContain("Comment: Moved online");
  });

  it("booking released as a no-show gives the check-in window and the release time in the room's zone", () => {
    const m = render(examples["booking-released"]);
    expect(m.subject).toBe("Released: Quarterly planning in Zugspitze 4.01 (no check-in)");
    expect(plain(m.text)).toMatch(
      /Nobody checked in to Zugspitze 4\.01 within 15 minutes of the start, so the room was released for others at Tuesday,? 3 March 2026,? (at )?09:15 \(Europe\/Berlin\)\./,
    );
  });

  it("approval requested goes to the approver with a review link", () => {
    const m = render(examples["approval-requested"]);
    expect(m.subject).toBe("Approval needed: Quarterly planning in Zugspitze 4.01");
    expect(m.text).toContain("Requested by: Alex Wilber");
    expect(m.text).toContain(
      "Approve or reject: https://ones.contoso.com/app/bookings/bk-123?review=approval",
    );
  });

  it("approval decided: approved and rejected", () => {
    const approved = render(examples["approval-decided"]);
    expect(approved.subject).toBe("Approved: Quarterly planning in Zugspitze 4.01");
    expect(approved.text).toContain("Megan Bowen approved your booking of Zugspitze 4.01.");
    const rejected = render({
      ...(examples["approval-decided"] as Extract<MailTemplate, { kind: "approval-decided" }>),
      decision: "rejected",
      comment: "Board meeting",
    });
    expect(rejected.subject).toBe("Rejected: Quarterly planning in Zugspitze 4.01");
    expect(rejected.text).toContain("Comment: Board meeting");
    expect(rejected.text).toContain("Find another room: https://ones.contoso.com/app/rooms?");
  });

  it("sign-in needed again links to the sign-in with a return to the app", () => {
    const m = render(examples["sign-in-required"]);
    expect(m.subject).toBe("Sign in to ONES again to keep your bookings in sync");
    expect(m.text).toContain("Sign in to ONES: https://ones.contoso.com/api/auth/login?returnTo=%2Fapp");
  });

  it("display offline names the display, its room and when it was last seen, in the room's zone", () => {
    const m = render(examples["display-offline"]);
    expect(m.subject).toBe("Display offline: Lobby panel (Zugspitze 4.01)");
    expect(plain(m.text)).toMatch(/Last seen: Monday,? 2 March 2026,? (at )?07:40 \(Europe\/Berlin\)/);
    expect(m.text).toContain("https://ones.contoso.com/admin?page=displays&display=disp-7");
  });

  it("display online names the display and when its silence began and ended, in the room's zone", () => {
    const m = render(examples["display-online"]);
    expect(m.subject).toBe("Display back online: Lobby panel (Zugspitze 4.01)");
    expect(plain(m.text)).toMatch(/Silent since: Monday,? 2 March 2026,? (at )?07:40 \(Europe\/Berlin\)/);
    expect(plain(m.text)).toMatch(/Back at: Monday,? 2 March 2026,? (at )?10:05 \(Europe\/Berlin\)/);
    expect(m.text).toContain("https://ones.contoso.com/admin?page=displays&display=disp-7");
  });

  it("client secret expiring counts the days left and says what to do", () => {
    const m = render(examples["client-secret-expiring"]);
    expect(m.subject).toBe("ONES client secret expires in 8 days (9 March 2026)");
    expect(m.text).toContain("Application (client) ID: 11111111-2222-3333-4444-555555555555");
    expect(m.text).toContain("This is the 7-day warning.");
    const tomorrow = render({
      kind: "client-secret-expiring",
      expiresAt: "2026-03-03T06:00:00Z",
      warningDays: 1,
    });
    expect(tomorrow.subject).toBe("ONES client secret expires in 1 day (3 March 2026)");
    const expired = render({
      kind: "client-secret-expiring",
      expiresAt: "2026-03-01T06:00:00Z",
      warningDays: 1,
    });
    expect(expired.subject).toBe("ONES client secret has expired: sign-in and sync stop");
  });

  it("greets without a name when none is known", () => {
    const m = renderMail(examples["sign-in-required"], {
      appBaseUrl: ctx.appBaseUrl,
      productName: ctx.productName,
      now,
    });
    expect(m.text.split("\n")).toContain("Hello,");
  });

  it("keeps a path in APP_BASE_URL and encodes ids in links", () => {
    expect(appLink("https://contoso.com/ones/", "/app/bookings/a%2Fb")).toBe(
      "https://contoso.com/ones/app/bookings/a%2Fb",
    );
    const m = renderMail(
      { kind: "booking-confirmed", booking: booking({ id: "a/b?c#d" }) },
      { ...ctx, appBaseUrl: "https://contoso.com/ones" },
    );
    expect(m.text).toContain("https://contoso.com/ones/app/bookings/a%2Fb%3Fc%23d");
  });

  it("rejects template data that is not valid: unknown zone, bad instant, unknown kind", () => {
    const b = booking();
    expect(
      mailTemplateSchema.safeParse({
        kind: "booking-confirmed",
        booking: { ...b, room: { id: "r", name: "R", timeZone: "Mars/Olympus" } },
      }).success,
    ).toBe(false);
    expect(
      mailTemplateSchema.safeParse({ kind: "booking-confirmed", booking: { ...b, start: "tomorrow" } })
        .success,
    ).toBe(false);
    expect(mailTemplateSchema.safeParse({ kind: "birthday" }).success).toBe(false);
  });
});
