import { createHash } from "node:crypto";
import { odata } from "@azure/data-tables";
import type { ExpiredRowPurge } from "../../app/ports/expired-rows";
import type { PendingSignIn, Session, SessionStore, SignInRequestStore } from "../../app/ports/session-store";
import type { SecretBox } from "../../app/ports/secret-box";
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

interface SignInEntity {
  partitionKey: string;
  rowKey: string;
  nonce: string;
  /** The PKCE verifier, sealed. */
  codeVerifier: string;
  returnTo: string;
  bindingHash: string;
  expiresAt: string;
}

/** Table `signInRequests`: PartitionKey = hash of `state`; deleted with its ETag when taken (single use). */
export class TableSignInRequestStore implements SignInRequestStore, ExpiredRowPurge {
  constructor(
    private readonly tables: TableService,
    private readonly box: SecretBox,
  ) {}

  async save(state: string, request: PendingSignIn): Promise<void> {
    const table = await this.tables.table("signInRequests");
    const key = hashed(state);
    const entity: SignInEntity = {
      partitionKey: key,
      rowKey: "request",
      nonce: request.nonce,
      codeVerifier: this.box.seal(request.codeVerifier, `signInRequests/${key}`),
      returnTo: request.returnTo,
      bindingHash: request.bindingHash,
      expiresAt: request.expiresAt.toISOString(),
    };
    await table.createEntity(entity);
  }

  async take(state: string): Promise<PendingSignIn | undefined> {
    const table = await this.tables.table("signInRequests");
    const key = hashed(state);
    let entity: SignInEntity & { etag: string };
    try {
      entity = await table.getEntity<SignInEntity>(key, "request");
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
    try {
      // Only the caller whose delete succeeds may use the request: a replay loses the race.
      await table.deleteEntity(key, "request", { etag: entity.etag });
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
    return {
      nonce: entity.nonce,
      codeVerifier: this.box.open(entity.codeVerifier, `signInRequests/${key}`),
      returnTo: entity.returnTo,
      bindingHash: entity.bindingHash,
      expiresAt: new Date(entity.expiresAt),
    };
  }

  /** Deletes started sign-ins whose `expiresAt` is before `before` (pass now). */
  async purgeExpired(before: Date): Promise<number> {
    const table = await this.tables.table("signInRequests");
    return deleteWhere(table, odata`expiresAt lt ${before.toISOString()}`);
  }
}
