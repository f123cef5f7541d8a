import { odata } from "@azure/data-tables";
import type { SecretBox } from "../../app/ports/secret-box";
import type {
  DelegatedSignInState,
  FlaggedSignIn,
  StoredUserToken,
  UserTokenStore,
} from "../../app/ports/user-token-store";
import type { SignInFailure, SignInLapse } from "../../domain/auth/sign-in-lapse";
import { storageStatus } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * Table `tokenCache`: one row per user (PartitionKey = user id, RowKey = "msal"). The MSAL cache is
 * sealed with AES-256-GCM bound to the row, and split into chunks below Table Storage's 64 KiB property
 * limit. No token is ever stored in plain text; `state`, failure codes and timestamps are the only clear
 * fields. Renewals and the "needs sign-in" flag write conditionally on the row's ETag, so a sign-in
 * (an unconditional write) always wins over a late result of an older refresh token.
 */
export const tokenCacheTable = "tokenCache";
const ROW = "msal";
/** Characters per chunk property (a string property holds at most 32 K UTF-16 characters). */
const CHUNK = 30_000;
const MAX_CHUNKS = 8;

interface TokenCacheEntity {
  partitionKey: string;
  rowKey: string;
  etag?: string;
  state: "ok" | "needs-sign-in";
  homeAccountId?: string;
  chunks?: number;
  /** needs-sign-in: MSAL's error code (with Entra's suberror and AADSTS number, codes only). */
  reason?: string;
  subError?: string;
  aadsts?: string;
  updatedAt: string;
  /** needs-sign-in: `updatedAt` of the last working tokens, which names this lapse. */
  lapseId?: string;
  /** needs-sign-in: the user was told (the mail was queued); unset, the next token call tells them. */
  notified?: boolean;
  [chunk: `c${number}`]: string | undefined;
}

export class TableUserTokenStore implements UserTokenStore {
  constructor(
    private readonly tables: TableService,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(userId: string): Promise<StoredUserToken | undefined> {
    const row = await this.row(userId);
    if (row?.state !== "ok" || row.homeAccountId === undefined || !row.chunks || row.etag === undefined)
      return undefined;
    let sealed = "";
    for (let i = 0; i < row.chunks; i++) sealed += row[`c${i}`] ?? "";
    try {
      return {
        cache: this.box.open(sealed, context(userId)),
        homeAccountId: row.homeAccountId,
        version: row.etag,
      };
    } catch {
      // Another key (rotated) or a tampered row: the user signs in again.
      return undefined;
    }
  }

  async write(userId: string, homeAccountId: string, cache: string, expected?: string): Promise<boolean> {
    const sealed = this.box.seal(cache, context(userId));
    const chunks = Math.ceil(sealed.length / CHUNK);
    if (chunks > MAX_CHUNKS) throw new Error("token cache too large");
    const entity: TokenCacheEntity = {
      partitionKey: userId,
      rowKey: ROW,
      state: "ok",
      homeAccountId,
      chunks,
      reason: "",
      updatedAt: this.now().toISOString(),
    };
    for (let i = 0; i < MAX_CHUNKS; i++)
      entity[`c${i}`] = i < chunks ? sealed.slice(i * CHUNK, (i + 1) * CHUNK) : "";
    const table = await this.tables.table(tokenCacheTable);
    if (expected === undefined) {
      await table.upsertEntity(entity, "Replace");
      return true;
    }
    return this.ifUnchanged(() => table.updateEntity(entity, "Replace", { etag: expected }));
  }

  async state(userId: string): Promise<DelegatedSignInState> {
    const row = await this.row(userId);
    return row === undefined ? "never" : row.state;
  }

  async flagged(userId: string): Promise<FlaggedSignIn | undefined> {
    const row = await this.row(userId);
    if (row?.state !== "needs-sign-in") return undefined;
    return { lapse: lapseOf(userId, row), notified: row.notified === true };
  }

  async markNeedsSignIn(
    userId: string,
    failure: SignInFailure,
    expected: string,
  ): Promise<{ lapseId: string } | undefined> {
    // Only over the very row whose tokens failed: a sign-in since then (a new working row) must not be
    // wiped by a late failure of the old refresh token, and parallel failures of one lapse flag it once.
    const previous = await this.row(userId);
    if (previous?.etag !== expected || previous.state !== "ok") return undefined;
    const lapseId = previous.updatedAt;
    const entity: TokenCacheEntity = {
      partitionKey: userId,
      rowKey: ROW,
      state: "needs-sign-in",
      chunks: 0,
      reason: failure.code,
      ...(failure.subError === undefined ? {} : { subError: failure.subError }),
      ...(failure.aadsts === undefined ? {} : { aadsts: failure.aadsts }),
      updatedAt: this.now().toISOString(),
      lapseId,
      notified: false,
    };
    const table = await this.tables.table(tokenCacheTable);
    const flagged = await this.ifUnchanged(() => table.updateEntity(entity, "Replace", { etag: expected }));
    return flagged ? { lapseId } : undefined;
  }

  async markNotified(userId: string, lapseId: string): Promise<void> {
    const row = await this.row(userId);
    if (row?.state !== "needs-sign-in" || row.lapseId !== lapseId || row.notified === true) return;
    const table = await this.tables.table(tokenCacheTable);
    await this.ifUnchanged(() =>
      table.updateEntity({ partitionKey: userId, rowKey: ROW, notified: true }, "Merge", { etag: row.etag }),
    );
  }

  async usersWithToken(limit = 100): Promise<string[]> {
    const table = await this.tables.table(tokenCacheTable);
    const users: string[] = [];
    const pages = table
      .listEntities<TokenCacheEntity>({
        queryOptions: { filter: odata`RowKey eq ${ROW} and state eq 'ok'`, select: ["PartitionKey"] },
      })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) {
        if (users.length >= limit) return users;
        users.push(e.partitionKey);
      }
    }
    return users;
  }

  private async row(userId: string): Promise<TokenCacheEntity | undefined> {
    const table = await this.tables.table(tokenCacheTable);
    try {
      return await table.getEntity<TokenCacheEntity>(userId, ROW);
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Runs a conditional write: false when the row changed (412) or is gone (404) meanwhile. */
  private async ifUnchanged(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      const status = storageStatus(error);
      if (status === 412 || status === 404) return false;
      throw error;
    }
  }
}

function lapseOf(userId: string, row: TokenCacheEntity): SignInLapse {
  return {
    userId,
    lapseId: row.lapseId ?? row.updatedAt,
    failure: {
      code: row.reason || "unknown",
      ...(row.subError ? { subError: row.subError } : {}),
      ...(row.aadsts ? { aadsts: row.aadsts } : {}),
    },
  };
}

function context(userId: string): string {
  return `${tokenCacheTable}/${userId}/${ROW}`;
}
