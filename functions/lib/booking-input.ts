import type { HttpRequest } from "@azure/functions";
import { z } from "zod";

/** The query string as a plain object (a repeated key keeps its values joined by commas). */
export function queryOf(request: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(request.query.keys())) out[key] = request.query.getAll(key).join(",");
  return out;
}

export const isoQueryInstant = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .optional();

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional(),
};

/** Route parameter `{id}` of a booking (our ids are UUIDs). */
export const bookingIdParams = z.object({ id: z.uuid() });
/** Route parameter `{id}` of a room: its mailbox address. */
export const roomIdParams = z.object({ id: z.string().trim().toLowerCase().min(3).max(254) });
