import { z } from "zod";

/**
 * A short-lived hold on one room: the add-in asks for it when someone picks a room on an Outlook meeting
 * form, so nobody else takes the slot while the meeting is being written. The slot is reserved in the
 * room's index under `reservationId`; when the meeting is sent, the booking made from it takes that id,
 * so the slot passes to the booking without a second reservation. A hold nobody claims lapses at
 * `expiresAt` and frees the slot.
 */
export interface Hold {
  readonly id: string;
  readonly roomId: string;
  /** Epoch ms, UTC. */
  readonly start: number;
  readonly end: number;
  readonly attendeeCount: number;
  readonly organizerEmail: string;
  readonly organizerUserId: string;
  /** The id the room's reservation is held under (and the booking's id once claimed). */
  readonly reservationId: string;
  /** The policy that governs the room when the hold was made. */
  readonly policyId: string;
  readonly approvalRequired: boolean;
  /** The policy's approval when the hold was made (who approves, whether waiting keeps the slot). */
  readonly approval?: {
    readonly holdSlot: boolean;
    readonly approvers: readonly { readonly email: string; readonly name?: string }[];
  };
  /** The Outlook item id (REST or EWS form), once the add-in has saved the item. */
  readonly itemId?: string;
  readonly expiresAt: number;
  readonly createdAt: string;
  /** Set when the Outlook-to-ONES processing matched the meeting to this hold. */
  readonly claimedAt?: string;
  readonly claimedICalUId?: string;
}

/** What the API shows of a hold. */
export interface HoldView {
  readonly id: string;
  readonly roomId: string;
  readonly start: string;
  readonly end: string;
  readonly expiresAt: string;
  readonly itemId?: string;
}

export const holdView = (h: Hold): HoldView => ({
  id: h.id,
  roomId: h.roomId,
  start: new Date(h.start).toISOString(),
  end: new Date(h.end).toISOString(),
  expiresAt: new Date(h.expiresAt).toISOString(),
  ...(h.itemId === undefined ? {} : { itemId: h.itemId }),
});

const instant = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));

/** POST /api/bookings/holds. */
export const newHoldSchema = z
  .object({
    roomId: z.string().trim().toLowerCase().min(3).max(254),
    start: instant,
    end: instant,
    attendeeCount: z.number().int().min(1).max(10_000),
  })
  .strict()
  .refine((v) => v.end > v.start, { path: ["end"], message: "must be after start" });
export type NewHoldInput = z.infer<typeof newHoldSchema>;

/**
 * PATCH /api/bookings/holds/{id}: the saved item's id as Office.js gives it, in the REST form (base64url
 * characters) or the EWS form (base64, with `+`, `/` and `=`).
 */
export const holdItemSchema = z
  .object({
    itemId: z
      .string()
      .trim()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z0-9+/=_-]+$/, "an item id"),
  })
  .strict();

/** Whether the hold no longer keeps its slot at `now` (claimed holds never lapse). */
export const lapsed = (h: Hold, now: number): boolean => h.claimedAt === undefined && h.expiresAt <= now;
