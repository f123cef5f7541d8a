import type { MailBooking, MailTemplate, MailTemplateKind } from "../../../shared/domain/mail/templates";

export const now = new Date("2026-03-02T07:00:00Z");

export const booking = (over: Partial<MailBooking> = {}): MailBooking => ({
  id: "bk-123",
  subject: "Quarterly planning",
  start: "2026-03-03T08:00:00Z",
  end: "2026-03-03T09:30:00Z",
  room: { id: "room-1", name: "Zugspitze 4.01", timeZone: "Europe/Berlin" },
  organizerName: "Alex Wilber",
  ...over,
});

/** One example of every template, benign. */
export const examples: Record<MailTemplateKind, MailTemplate> = {
  "booking-confirmed": { kind: "booking-confirmed", booking: booking() },
  "booking-declined": { kind: "booking-declined", booking: booking(), reason: { kind: "conflict" } },
  "booking-cancelled": {
    kind: "booking-cancelled",
    booking: booking(),
    cancelledBy: "Megan Bowen",
    comment: "Moved online",
  },
  "booking-released": {
    kind: "booking-released",
    booking: booking(),
    releasedAt: "2026-03-03T08:15:00Z",
    checkInMinutes: 15,
  },
  "approval-requested": { kind: "approval-requested", booking: booking(), requesterName: "Alex Wilber" },
  "booking-flagged": {
    kind: "booking-flagged",
    booking: booking(),
    rule: "max-duration: at most 240 minutes",
  },
  "approval-decided": {
    kind: "approval-decided",
    booking: booking(),
    decision: "approved",
    decidedBy: "Megan Bowen",
  },
  "sign-in-required": { kind: "sign-in-required", reason: "session-expired" },
  "display-offline": {
    kind: "display-offline",
    display: { id: "disp-7", name: "Lobby panel" },
    room: { id: "room-1", name: "Zugspitze 4.01", timeZone: "Europe/Berlin" },
    lastSeenAt: "2026-03-02T06:40:00Z",
  },
  "display-online": {
    kind: "display-online",
    display: { id: "disp-7", name: "Lobby panel" },
    room: { id: "room-1", name: "Zugspitze 4.01", timeZone: "Europe/Berlin" },
    lastSeenAt: "2026-03-02T09:05:00Z",
    silentSince: "2026-03-02T06:40:00Z",
  },
  "client-secret-expiring": {
    kind: "client-secret-expiring",
    expiresAt: "2026-03-09T10:00:00Z",
    warningDays: 7,
    clientId: "11111111-2222-3333-4444-555555555555",
  },
};

export const hostileStrings = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "Budget\r\nBcc: attacker@evil.example\r\n\r\n<b>injected</b>",
  "' onmouseover='alert(1)",
  "javascript:alert(1)",
  "</td></tr></table><form action=https://evil.example><input name=p>",
  "<!--[if mso]><script>x</script><![endif]-->",
  "&lt;already&gt; &amp; escaped",
];

/** Every template with every user-controlled string replaced by `hostile`. */
export function hostileExamples(hostile: string): MailTemplate[] {
  const b = booking({
    subject: hostile,
    organizerName: hostile,
    room: { id: "r1", name: hostile, timeZone: "Europe/Berlin" },
  });
  const room = { id: "r1", name: hostile, timeZone: "Europe/Berlin" };
  return [
    { kind: "booking-confirmed", booking: b },
    { kind: "booking-declined", booking: b, reason: { kind: "policy", rule: hostile } },
    { kind: "booking-declined", booking: b, reason: { kind: "room-declined", comment: hostile } },
    { kind: "booking-cancelled", booking: b, cancelledBy: hostile, comment: hostile },
    { kind: "booking-released", booking: b, releasedAt: "2026-03-03T08:15:00Z" },
    { kind: "approval-requested", booking: b, requesterName: hostile },
    { kind: "booking-flagged", booking: b, rule: hostile },
    { kind: "approval-decided", booking: b, decision: "rejected", decidedBy: hostile, comment: hostile },
    { kind: "sign-in-required", reason: "consent-revoked" },
    {
      kind: "display-offline",
      display: { id: hostile, name: hostile },
      room,
      lastSeenAt: "2026-03-02T06:40:00Z",
    },
    { kind: "client-secret-expiring", expiresAt: "2026-03-03T10:00:00Z", warningDays: 1, clientId: hostile },
  ];
}
