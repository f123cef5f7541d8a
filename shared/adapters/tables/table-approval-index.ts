import { odata } from "@azure/data-tables";
import type { ApprovalEntry, ApprovalIndex } from "../../app/ports/approval-index";
import { safeKey } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * `bookingapprovals`: PartitionKey = approver's lower-case address, RowKey = booking id; `bookingId`
 * and `start` (ISO 8601 UTC). A row exists while the booking awaits that approver's decision.
 */
export const BOOKING_APPROVALS_TABLE = "bookingapprovals";

const approverKey = (email: string): string => safeKey(email.trim().toLowerCase());

export class TableApprovalIndex implements ApprovalIndex {
  constructor(private readonly tables: TableService) {}

  async put(bookingId: string, start: number, approverEmails: readonly string[]): Promise<void> {
    const table = await this.tables.table(BOOKING_APPROVALS_TABLE);
    await Promise.all(
      unique(approverEmails).map((email) =>
        table.upsertEntity(
          {
            partitionKey: approverKey(email),
            rowKey: safeKey(bookingId),
            bookingId,
            start: new Date(start).toISOString(),
          },
          "Replace",
        ),
      ),
    );
  }

  async remove(bookingId: string, approverEmails: readonly string[]): Promise<void> {
    const table = await this.tables.table(BOOKING_APPROVALS_TABLE);
    await Promise.all(
      unique(approverEmails).map(async (email) => {
        try {
          await table.deleteEntity(approverKey(email), safeKey(bookingId));
        } catch (error) {
          if (storageStatus(error) !== 404) throw error;
        }
      }),
    );
  }

  async list(approverEmail: string): Promise<ApprovalEntry[]> {
    const table = await this.tables.table(BOOKING_APPROVALS_TABLE);
    const out: ApprovalEntry[] = [];
    const rows = table.listEntities<{ bookingId?: unknown; start?: unknown }>({
      queryOptions: {
        filter: odata`PartitionKey eq ${approverKey(approverEmail)}`,
        select: ["bookingId", "start"],
      },
    });
    for await (const row of rows) {
      const start = typeof row.start === "string" ? Date.parse(row.start) : NaN;
      if (typeof row.bookingId === "string" && Number.isFinite(start))
        out.push({ bookingId: row.bookingId, start });
    }
    return out.sort((a, b) => a.start - b.start || (a.bookingId < b.bookingId ? -1 : 1));
  }
}

function unique(emails: readonly string[]): string[] {
  return [...new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => e !== ""))];
}
