import { z } from "zod";
import { daysOfWeek } from "./recurrence";

/**
 * A room's booking rules. A room has its own policy, or is assigned to a policy shared by a group of
 * rooms; a room with neither gets `defaultPolicy` (everything allowed, subject shown on displays).
 * Times of day are wall-clock times in the room's IANA zone.
 */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:MM");
const minutes = (max: number) => z.number().int().min(0).max(max);
const id = z.string().trim().min(1).max(128);
const email = z.string().trim().max(254).pipe(z.email());

export const formFieldSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, "lower-case letters, digits and -"),
    label: z.string().trim().min(1).max(200),
    type: z.enum(["text", "choice", "number"]),
    required: z.boolean().default(false),
    choices: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    maxLength: z.number().int().min(1).max(2000).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict()
  .refine((f) => f.type !== "choice" || (f.choices?.length ?? 0) > 0, {
    message: "a choice field needs choices",
    path: ["choices"],
  });

export const policyRulesSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Bookings must lie within these hours on these days (room zone); null = any time. */
    businessHours: z
      .object({ days: z.array(z.enum(daysOfWeek)).min(1).max(7), start: hhmm, end: hhmm })
      .strict()
      .refine((h) => h.start < h.end, { message: "start must be before end", path: ["end"] })
      .nullable()
      .default(null),
    minDurationMinutes: minutes(24 * 60)
      .nullable()
      .default(null),
    maxDurationMinutes: minutes(14 * 24 * 60)
      .nullable()
      .default(null),
    /** How far ahead a booking may start, in days. */
    bookingWindowDays: z.number().int().min(1).max(1080).nullable().default(null),
    allowRecurring: z.boolean().default(true),
    allowAllDay: z.boolean().default(true),
    allowOvernight: z.boolean().default(true),
    allowMultiRoom: z.boolean().default(true),
    /** No overlapping bookings of one organizer: in any room, or in rooms under this policy. */
    organizerOverlap: z.enum(["allowed", "any-room", "same-policy"]).default("allowed"),
    /** Editing / cancelling is refused this many minutes before the start. */
    editCutoffMinutes: minutes(7 * 24 * 60)
      .nullable()
      .default(null),
    cancelCutoffMinutes: minutes(7 * 24 * 60)
      .nullable()
      .default(null),
    /** Entra group ids whose members may book; empty = everyone. */
    allowedGroups: z.array(id).max(100).default([]),
    /** Who may book for someone else: user ids and group ids. */
    bookingAdmins: z
      .object({ users: z.array(id).max(200).default([]), groups: z.array(id).max(100).default([]) })
      .strict()
      .default({ users: [], groups: [] }),
    approval: z
      .object({
        required: z.boolean().default(false),
        approvers: z
          .array(z.object({ email, name: z.string().trim().min(1).max(256).optional() }).strict())
          .max(50)
          .default([]),
        /** Whether a request awaiting approval holds the slot. */
        holdSlot: z.boolean().default(true),
      })
      .strict()
      .refine((a) => !a.required || a.approvers.length > 0, {
        message: "approval needs at least one approver",
        path: ["approvers"],
      })
      .default({ required: false, approvers: [], holdSlot: true }),
    checkIn: z
      .object({
        required: z.boolean().default(false),
        windowBeforeMinutes: minutes(120).default(10),
        graceAfterMinutes: minutes(120).default(15),
        /** A PIN people type on the display to check in; null = none. Never sent to displays. */
        pin: z
          .string()
          .regex(/^\d{4,8}$/, "4 to 8 digits")
          .nullable()
          .default(null),
        /**
         * The room's mailbox releases no-shows itself (Exchange's own handling is configured): ONES's
         * `auto-release` timer leaves the room alone.
         */
        releaseHandledByExchange: z.boolean().default(false),
      })
      .strict()
      .default({
        required: false,
        windowBeforeMinutes: 10,
        graceAfterMinutes: 15,
        pin: null,
        releaseHandledByExchange: false,
      }),
    /** What displays show of a booking: its subject, the organizer only, or "Busy". */
    privacy: z.enum(["subject", "organizer", "busy"]).default("subject"),
    /** Terms the booker must accept (text shown on the booking form); null = none. */
    termsOfUse: z.string().trim().min(1).max(10_000).nullable().default(null),
    formFields: z.array(formFieldSchema).max(20).default([]),
  })
  .strict()
  .refine(
    (p) =>
      p.minDurationMinutes === null ||
      p.maxDurationMinutes === null ||
      p.minDurationMinutes <= p.maxDurationMinutes,
    { message: "the minimum duration exceeds the maximum", path: ["minDurationMinutes"] },
  );

export type PolicyRules = z.output<typeof policyRulesSchema>;
export type FormField = z.output<typeof formFieldSchema>;

export interface BookingPolicy extends PolicyRules {
  /** `room:{roomId}` for a room's own policy, else the shared policy's id. */
  readonly id: string;
  /** Rooms assigned to a shared policy (empty for a room's own policy). */
  readonly roomIds: readonly string[];
  readonly updatedAt: string;
}

export const defaultRules: PolicyRules = policyRulesSchema.parse({ name: "Default" });

export function defaultPolicy(): BookingPolicy {
  return { ...defaultRules, id: "default", roomIds: [], updatedAt: new Date(0).toISOString() };
}

/** The id of a room's own policy. */
export const roomPolicyId = (roomId: string): string => `room:${roomId}`;
