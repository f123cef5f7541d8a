import type { RoomCalendarSink } from "../ports/room-calendars";

/**
 * The sink until the booking store takes room calendars in: the read is recorded per room, nothing is
 * upserted. Replace it in the composition with the booking store's sink.
 */
export const noBookingSink: RoomCalendarSink = {
  apply: () => Promise.resolve({ upserted: 0, removed: 0 }),
};
