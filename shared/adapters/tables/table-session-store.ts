import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { ExpiredRowPurge } from "../../app/ports/expired-rows";
import type { Session, SessionStore, SignInRequestStore } from "../../app/ports/session-store";
import type { Principal } from "../../domain/auth/principal";
import { deleteWhere } from "./keys";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/** Rows are keyed by a hash of the id, so reading the table does not give anyone a usable cookie. */
function hashed(id: string): string {
  return createHash("sha256").update(id).digest("base64url");
}

function notFound(error: unknown): boolean {
  const status = storageStatus(error);
  return status === 404 || status === 412;
}

interface SessionEntity {
  partitionKey: string;
  rowKey: string;
  principal: string;
  createdAt: string;
  lastSeenAt: string;
}

/** Table `sessions`: PartitionKey = hash of the session id, RowKey = "session". */
export class TableSessionStore implements SessionStore, ExpiredRowPurge {
  constructor(private readonly tables: TableService) {}

  async create(id: string, session: Session): Promise<void> {
    const table = await this.tables.table("sessions");
    const entity: SessionEntity = {
      partitionKey: hashed(id),
      rowKey: "session",
      principal: JSON.stringify(session.principal),
      createdAt: session.createdAt.toISOString(),
      lastSeenAt: session.lastSeenAt.toISOString(),
    };
    await table.createEntity(entity);
  }

  async get(id: string): Promise<Session | undefined> {
    const table = await this.tables.table("sessions");
    try {
      const e = await table.getEntity<SessionEntity>(hashed(id), "session");
      return {
        principal: JSON.parse(e.principal) as Principal,
        createdAt: new Date(e.createdAt),
        lastSeenAt: new Date(e.lastSeenAt),
      };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  }

  async touch(id: string, at: Date): Promise<void> {
    const table = await this.tables.table("sessions");
    try {
      await table.updateEntity(
        { partitionKey: hashed(id), rowKey: "session", lastSeenAt: at.toISOString() },
        "Merge",
      );
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }

  async delete(id: string): Promise<void> {
    const table = await this.tables.table("sessions");
    try {
      await table.deleteEntity(hashed(id), "session");
    } catch (error) {
      if (!notFound(error)) throw error;
    }
  }

  /** Deletes sessions created before `before` (pass now minus the absolute session lifetime). */
  async purgeExpired(before: Date): Promise<number> {
    const table = await this.tables.table("sessions");
    return deleteWhere(table, odata`createdAt lt ${before.toISOString()}`);
  }
}

/**
 * Table `signInRequests`: one row per completed sign-in (PartitionKey = hash of `state`), written with
 * create-if-absent so that of two callbacks with the same state only one succeeds.
 */
export class TableSignInRequestStore implements SignInRequestStore, ExpiredRowPurge {
  constructor(private readonly tables: TableService) {}

  async used(state: string): Promise<boolean> {
    const table = await this.tables.table("signInRequests");
    try {
      await table.getEntity(hashed(state), "used");
      return true;
    } catch (error) {
      if (notFound(error)) return false;
      throw error;
    }
  }

  async markUsed(state: string, expiresAt: Date): Promise<boolean> {
    const table = await this.tables.table("signInRequests");
    try {
      await table.createEntity({
        partitionKey: hashed(state),
        rowKey: "used",
        expiresAt: expiresAt.toISOString(),
      });
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 409) return false;
      throw error;
    }
  }

  /** Deletes the records of sign-ins whose `expiresAt` is before `before` (pass now). */
  async purgeExpired(before: Date): Promise<number> {
    const table = await this.tables.table("signInRequests");
    return deleteWhere(table, odata`expiresAt lt ${before.toISOString()}`);
  }
}
