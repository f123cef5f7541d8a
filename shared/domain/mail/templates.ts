import { z } from "zod";
import { renderLayout, type MailContent, type RenderedMail } from "./layout";
import { formatDate, formatInstant, formatRange, isTimeZone } from "./when";

/**
 * The system mails ONES sends, as data. A use case enqueues one of these (never rendered text); the
 * mail consumer renders it when it sends. Everything here is plain text: the layout escapes it.
 */

const isoInstant = z.iso.datetime({ offset: true });
const timeZone = z.string().min(1).max(64).refine(isTimeZone, "not an IANA time zone");
const name = z.string().trim().min(1).max(256);

export const mailRoomSchema = z.object({ id: z.string().min(1).max(256), name, timeZone });

export const mailBookingSchema = z.object({
  id: z.string().min(1).max(256),
  /** The meeting subject; hostile content is expected and escaped. */
  subject: z.string().max(1024),
  start: isoInstant,
  end: isoInstant,
  room: mailRoomSchema,
  organizerName: name.optional(),
});

export const declineReasonSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("conflict") }),
  z.object({ kind: z.literal("policy"), rule: z.string().min(1).max(512) }),
  z.object({ kind: z.literal("room-declined"), comment: z.string().max(1024).optional() }),
]);

export const mailTemplateSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("booking-confirmed"), booking: mailBookingSchema }),
  z.object({ kind: z.literal("booking-declined"), booking: mailBookingSchema, reason: declineReasonSchema }),
  z.object({
    kind: z.literal("booking-cancelled"),
    booking: mailBookingSchema,
    cancelledBy: name.optional(),
    comment: z.string().max(1024).optional(),
  }),
  z.object({
    kind: z.literal("booking-released"),
    booking: mailBookingSchema,
    releasedAt: isoInstant,
    checkInMinutes: z.number().int().min(1).max(240).optional(),
  }),
  z.object({ kind: z.literal("approval-requested"), booking: mailBookingSchema, requesterName: name }),
  /** To the admins: an Outlook booking breaks the room's rule and the mode lets ONES only flag it. */
  z.object({
    kind: z.literal("booking-flagged"),
    booking: mailBookingSchema,
    rule: z.string().min(1).max(512),
  }),
  z.object({
    kind: z.literal("approval-decided"),
    booking: mailBookingSchema,
    decision: z.enum(["approved", "rejected"]),
    decidedBy: name,
    comment: z.string().max(1024).optional(),
  }),
  z.object({
    kind: z.literal("sign-in-required"),
    reason: z.enum(["session-expired", "consent-revoked", "password-changed"]),
  }),
  z.object({
    kind: z.literal("display-offline"),
    display: z.object({ id: z.string().min(1).max(256), name }),
    room: mailRoomSchema.optional(),
    lastSeenAt: isoInstant,
  }),
  z.object({
    kind: z.literal("display-online"),
    display: z.object({ id: z.string().min(1).max(256), name }),
    room: mailRoomSchema.optional(),
    /** The heartbeat that ended the silence, and the last one before it. */
    lastSeenAt: isoInstant,
    silentSince: isoInstant,
  }),
  z.object({
    kind: z.literal("client-secret-expiring"),
    expiresAt: isoInstant,
    /** Which warning this is: 30, 7 or 1 days ahead. */
    warningDays: z.number().int().min(0).max(365),
    /** The application (client) id the secret belongs to, shown to help the admin find it. */
    clientId: z.string().max(128).optional(),
    timeZone: timeZone.optional(),
  }),
]);

export type MailTemplate = z.output<typeof mailTemplateSchema>;
export type MailTemplateKind = MailTemplate["kind"];
export type MailBooking = z.output<typeof mailBookingSchema>;
export type DeclineReason = z.output<typeof declineReasonSchema>;

export const mailTemplateKinds: MailTemplateKind[] = mailTemplateSchema.options.map(
  (o) => o.shape.kind.value,
);

export interface RenderContext {
  /** APP_BASE_URL: links in mail lead back here. */
  readonly appBaseUrl: string;
  readonly productName: string;
  /** The recipient's display name, for the greeting. */
  readonly recipientName?: string;
  /** Renders "in N days" wording; the consumer passes its clock. */
  readonly now: Date;
}

/** Renders a template to a subject, an HTML body and a plain-text body. Pure. */
export function renderMail(template: MailTemplate, context: RenderContext): RenderedMail {
  return renderLayout(contentOf(template, context), { productName: context.productName });
}

function contentOf(t: MailTemplate, ctx: RenderContext): MailContent {
  const greeting = ctx.recipientName === undefined ? "Hello," : `Hello ${ctx.recipientName},`;
  const link = (path: string, query: Record<string, string> = {}): string =>
    appLink(ctx.appBaseUrl, path, query);
  const bookingLink = (b: MailBooking) => ({
    label: "Open the booking",
    url: link(`/app/bookings/${encodeURIComponent(b.id)}`),
  });
  const footnote = `You receive this mail because you use ${ctx.productName} for meeting rooms.`;

  switch (t.kind) {
    case "booking-confirmed": {
      const b = t.booking;
      return {
        subject: `Confirmed: ${subjectOf(b)} in ${b.room.name}`,
        preheader: `${b.room.name}, ${when(b)}`,
        heading: "Your room is booked",
        greeting,
        paragraphs: [`${b.room.name} accepted your booking.`],
        details: bookingDetails(b),
        action: bookingLink(b),
        footnote,
      };
    }
    case "booking-declined": {
      const b = t.booking;
      const reason = declineText(t.reason);
      return {
        subject: `Declined: ${subjectOf(b)} in ${b.room.name}`,
        preheader: reason,
        heading: "Your room booking was declined",
        greeting,
        paragraphs: [
          `${b.room.name} is not booked for your meeting. ${reason}`,
          `Pick another time or room in ${ctx.productName}.`,
        ],
        details: [...bookingDetails(b), { label: "Reason", value: reason }],
        action: { label: "Find another room", url: link("/app/rooms", { from: b.start, to: b.end }) },
        footnote,
      };
    }
    case "booking-cancelled": {
      const b = t.booking;
      const by = t.cancelledBy === undefined ? "" : ` by ${t.cancelledBy}`;
      return {
        subject: `Cancelled: ${subjectOf(b)} in ${b.room.name}`,
        preheader: `${b.room.name}, ${when(b)}`,
        heading: "Your room booking was cancelled",
        greeting,
        paragraphs: [`The booking of ${b.room.name} was cancelled${by}. The room is free again for others.`],
        details: [
          ...bookingDetails(b),
          ...(t.comment === undefined ? [] : [{ label: "Comment", value: t.comment }]),
        ],
        action: { label: "Book a room", url: link("/app/rooms") },
        footnote,
      };
    }
    case "booking-released": {
      const b = t.booking;
      const window =
        t.checkInMinutes === undefined ? "in time" : `within ${t.checkInMinutes} minutes of the start`;
      return {
        subject: `Released: ${subjectOf(b)} in ${b.room.name} (no check-in)`,
        preheader: `Nobody checked in ${window}.`,
        heading: "Your room was released",
        greeting,
        paragraphs: [
          `Nobody checked in to ${b.room.name} ${window}, so the room was released for others at ${formatInstant(new Date(t.releasedAt), b.room.timeZone)}.`,
          "Your meeting in your calendar is unchanged. Book again if you still need a room.",
        ],
        details: bookingDetails(b),
        action: { label: "Book a room", url: link("/app/rooms") },
        footnote,
      };
    }
    case "approval-requested": {
      const b = t.booking;
      return {
        subject: `Approval needed: ${subjectOf(b)} in ${b.room.name}`,
        preheader: `${t.requesterName} asks to book ${b.room.name}.`,
        heading: "A booking waits for your approval",
        greeting,
        paragraphs: [`${t.requesterName} asks to book ${b.room.name}, which needs an approver's decision.`],
        details: [{ label: "Requested by", value: t.requesterName }, ...bookingDetails(b)],
        action: {
          label: "Approve or reject",
          url: link(`/app/bookings/${encodeURIComponent(b.id)}`, { review: "approval" }),
        },
        footnote: `You receive this mail because you approve bookings of ${b.room.name}.`,
      };
    }
    case "booking-flagged": {
      const b = t.booking;
      return {
        subject: `Rule broken: ${subjectOf(b)} in ${b.room.name}`,
        preheader: `A booking made in Outlook breaks a rule of ${b.room.name}.`,
        heading: "An Outlook booking breaks a room rule",
        greeting,
        paragraphs: [
          `A booking of ${b.room.name} made in Outlook breaks a rule of the room: ${t.rule}`,
          `In this integration mode ${ctx.productName} cannot decline it for the room. It stays booked; talk to the organizer or cancel it in Outlook if it must not take place.`,
        ],
        details: [...bookingDetails(b), { label: "Rule", value: t.rule }],
        action: bookingLink(b),
        footnote: `You receive this mail because you administer ${ctx.productName}.`,
      };
    }
    case "approval-decided": {
      const b = t.booking;
      const approved = t.decision === "approved";
      return {
        subject: `${approved ? "Approved" : "Rejected"}: ${subjectOf(b)} in ${b.room.name}`,
        preheader: `${t.decidedBy} ${t.decision} your booking.`,
        heading: approved ? "Your booking was approved" : "Your booking was rejected",
        greeting,
        paragraphs: [
          approved
            ? `${t.decidedBy} approved your booking of ${b.room.name}.`
            : `${t.decidedBy} rejected your booking of ${b.room.name}. The room is not booked for your meeting.`,
        ],
        details: [
          ...bookingDetails(b),
          { label: "Decided by", value: t.decidedBy },
          ...(t.comment === undefined ? [] : [{ label: "Comment", value: t.comment }]),
        ],
        action: approved
          ? bookingLink(b)
          : { label: "Find another room", url: link("/app/rooms", { from: b.start, to: b.end }) },
        footnote,
      };
    }
    case "sign-in-required": {
      const why = {
        "session-expired": "Your sign-in to ONES expired after a long time without use.",
        "consent-revoked": "The permission you gave ONES was withdrawn.",
        "password-changed": "Your password or account security changed.",
      }[t.reason];
      return {
        subject: "Sign in to ONES again to keep your bookings in sync",
        preheader: why,
        heading: "Please sign in again",
        greeting,
        paragraphs: [
          why,
          "Until you sign in again, ONES cannot book rooms in your calendar or keep your bookings in sync. It takes one click.",
        ],
        details: [],
        action: { label: "Sign in to ONES", url: link("/api/auth/login", { returnTo: "/app" }) },
        footnote,
      };
    }
    case "display-offline": {
      const lastSeen = formatInstant(new Date(t.lastSeenAt), t.room?.timeZone);
      return {
        subject: `Display offline: ${t.display.name}${t.room === undefined ? "" : ` (${t.room.name})`}`,
        preheader: `Last seen ${lastSeen}.`,
        heading: "A room display is offline",
        greeting,
        paragraphs: [
          `The display ${t.display.name} has not reported since ${lastSeen}. Check its power and network connection.`,
        ],
        details: [
          { label: "Display", value: t.display.name },
          ...(t.room === undefined ? [] : [{ label: "Room", value: t.room.name }]),
          { label: "Last seen", value: lastSeen },
        ],
        action: {
          label: "Open the displays page",
          url: link("/admin", { page: "displays", display: t.display.id }),
        },
        footnote: "You receive this mail because you administer ONES.",
      };
    }
    case "display-online": {
      const back = formatInstant(new Date(t.lastSeenAt), t.room?.timeZone);
      const since = formatInstant(new Date(t.silentSince), t.room?.timeZone);
      return {
        subject: `Display back online: ${t.display.name}${t.room === undefined ? "" : ` (${t.room.name})`}`,
        preheader: `Reporting again since ${back}.`,
        heading: "A room display is back online",
        greeting,
        paragraphs: [`The display ${t.display.name} reports again. It was silent from ${since}.`],
        details: [
          { label: "Display", value: t.display.name },
          ...(t.room === undefined ? [] : [{ label: "Room", value: t.room.name }]),
          { label: "Silent since", value: since },
          { label: "Back at", value: back },
        ],
        action: {
          label: "Open the displays page",
          url: link("/admin", { page: "displays", display: t.display.id }),
        },
        footnote: "You receive this mail because you administer ONES.",
      };
    }
    case "client-secret-expiring": {
      const expires = new Date(t.expiresAt);
      const daysLeft = Math.ceil((expires.getTime() - ctx.now.getTime()) / 86_400_000);
      const expired = daysLeft <= 0;
      const inDays = daysLeft === 1 ? "in 1 day" : `in ${daysLeft} days`;
      return {
        subject: expired
          ? "ONES client secret has expired: sign-in and sync stop"
          : `ONES client secret expires ${inDays} (${formatDate(expires, t.timeZone)})`,
        preheader: expired
          ? "Create a new client secret now."
          : `Create a new client secret before ${formatDate(expires, t.timeZone)}.`,
        heading: expired ? "The client secret has expired" : "The client secret expires soon",
        greeting,
        paragraphs: [
          expired
            ? "The client secret of the ONES app registration has expired. Sign-in, room sync and bookings through Microsoft 365 stop until a new secret is set."
            : `The client secret of the ONES app registration expires ${inDays}. When it does, sign-in, room sync and bookings through Microsoft 365 stop.`,
          "Create a new secret for the app registration in Microsoft Entra ID and enter it in the ONES integration settings.",
        ],
        details: [
          { label: "Expires", value: formatInstant(expires, t.timeZone) },
          ...(t.clientId === undefined ? [] : [{ label: "Application (client) ID", value: t.clientId }]),
        ],
        action: { label: "Open the integration settings", url: link("/admin", { page: "integration" }) },
        footnote: `You receive this mail because you administer ONES. This is the ${t.warningDays}-day warning.`,
      };
    }
  }
}

function subjectOf(b: MailBooking): string {
  return b.subject.trim() === "" ? "(no subject)" : b.subject;
}

function when(b: MailBooking): string {
  return formatRange(new Date(b.start), new Date(b.end), b.room.timeZone);
}

function bookingDetails(b: MailBooking): { label: string; value: string }[] {
  return [
    { label: "Meeting", value: subjectOf(b) },
    { label: "Room", value: b.room.name },
    { label: "When", value: when(b) },
    ...(b.organizerName === undefined ? [] : [{ label: "Organizer", value: b.organizerName }]),
  ];
}

function declineText(reason: DeclineReason): string {
  switch (reason.kind) {
    case "conflict":
      return "The room is already booked for part of that time.";
    case "policy":
      return `A booking rule of the room does not allow it: ${reason.rule}`;
    case "room-declined":
      return reason.comment === undefined || reason.comment.trim() === ""
        ? "The room mailbox declined the invitation."
        : `The room mailbox declined the invitation: ${reason.comment}`;
  }
}

/** A link into ONES under APP_BASE_URL; path segments are the caller's to encode. */
export function appLink(appBaseUrl: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(path, appBaseUrl.endsWith("/") ? appBaseUrl : `${appBaseUrl}/`);
  // A base URL with a path (https://host/ones) keeps it: resolve relative to it, not to the origin.
  const base = new URL(appBaseUrl);
  url.pathname = `${base.pathname.replace(/\/+$/, "")}${path}`;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}
