import type { PendingBookings } from "../../app/ports/pending-bookings";
import { BOOKINGS_BY_ORGANIZER_TABLE, BOOKINGS_TABLE } from "./table-booking-store";
import type { TableService } from "./table-service";

/**
 * Bookings for the recovery sweep. Pending bookings from the organizer index (`bookingsbyorganizer`, whose `state` follows every save of
 * the booking). A filtered scan across partitions: the sweep runs every few minutes and pending
 * bookings are few, so the rows returned stay few even when the table is large. Owed cancels and
 * writes from the booking documents' `calendarOwed` column, and owed occurrence changes from their `occurrenceOwed`
 * column, both written in the same operation as the change they stand for.
 */
export class TablePendingBookings implements PendingBookings {
  constructor(private readonly tables: TableService) {}

  pendingIds(limit: number): Promise<string[]> {
    return this.ids(BOOKINGS_BY_ORGANIZER_TABLE, "state eq 'pending'", limit);
  }

  cancelOwedIds(limit: number): Promise<string[]> {
    return this.ids(BOOKINGS_TABLE, "calendarOwed eq 'cancel'", limit);
  }

  writeOwedIds(limit: number): Promise<string[]> {
    return this.ids(BOOKINGS_TABLE, "calendarOwed eq 'write'", limit);
  }

  occurrenceOwedIds(limit: number): Promise<string[]> {
    return this.ids(BOOKINGS_TABLE, "occurrenceOwed eq true", limit);
  }

  private async ids(name: string, filter: string, limit: number): Promise<string[]> {
    const table = await this.tables.table(name);
    const ids: string[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select: ["bookingId"] },
    })) {
      if (typeof row.bookingId === "string") ids.push(row.bookingId);
      if (ids.length >= limit) break;
    }
    return ids;
  }
}
