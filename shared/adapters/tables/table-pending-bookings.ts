import type { OwedBookings, PendingBookings } from "../../app/ports/pending-bookings";
import { BOOKINGS_BY_ORGANIZER_TABLE, BOOKINGS_TABLE } from "./table-booking-store";
import type { TableService } from "./table-service";

/** The columns of a booking document that say what it owes (written with the change they stand for). */
const OWED_FILTER =
  "calendarOwed eq 'cancel' or calendarOwed eq 'write' or occurrenceOwed eq true or releaseOwed eq true";

/**
 * Bookings for the recovery sweep. Pending bookings from the organizer index (`bookingsbyorganizer`,
 * whose `state` follows every save of the booking). Everything still owed to Microsoft 365 from the
 * booking documents in one filtered read: `calendarOwed` (a cancel or a write), `occurrenceOwed`
 * (single-occurrence changes) and `releaseOwed` (auto-releases), each written in the same operation as
 * the change it stands for. Filtered scans across partitions: the sweep runs every few minutes and such
 * bookings are few, so the rows returned stay few even when the table is large; one read serves every
 * kind of owed change, so a new kind costs no further scan.
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

  async owed(limit: number): Promise<OwedBookings> {
    const table = await this.tables.table(BOOKINGS_TABLE);
    const owed = {
      cancel: [] as string[],
      write: [] as string[],
      occurrence: [] as string[],
      release: [] as string[],
    };
    const add = (list: string[], id: string): void => {
      if (list.length < limit) list.push(id);
    };
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: {
        filter: OWED_FILTER,
        select: ["bookingId", "calendarOwed", "occurrenceOwed", "releaseOwed"],
      },
    })) {
      const id = row.bookingId;
      if (typeof id !== "string") continue;
      if (row.calendarOwed === "cancel") add(owed.cancel, id);
      if (row.calendarOwed === "write") add(owed.write, id);
      if (row.occurrenceOwed === true) add(owed.occurrence, id);
      if (row.releaseOwed === true) add(owed.release, id);
      if (Object.values(owed).every((list) => list.length >= limit)) break;
    }
    return owed;
  }
}
