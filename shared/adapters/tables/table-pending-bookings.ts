import type { PendingBookings } from "../../app/ports/pending-bookings";
import { BOOKINGS_BY_ORGANIZER_TABLE } from "./table-booking-store";
import type { TableService } from "./table-service";

/**
 * Pending bookings from the organizer index (`bookingsbyorganizer`, whose `state` follows every save of
 * the booking). A filtered scan across partitions: the sweep runs every few minutes and pending
 * bookings are few, so the rows returned stay few even when the table is large.
 */
export class TablePendingBookings implements PendingBookings {
  constructor(private readonly tables: TableService) {}

  async pendingIds(limit: number): Promise<string[]> {
    const table = await this.tables.table(BOOKINGS_BY_ORGANIZER_TABLE);
    const ids: string[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: "state eq 'pending'", select: ["bookingId"] },
    })) {
      if (typeof row.bookingId === "string") ids.push(row.bookingId);
      if (ids.length >= limit) break;
    }
    return ids;
  }
}
