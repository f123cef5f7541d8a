import { odata } from "@azure/data-tables";
import type { SecretBox } from "../../app/ports/secret-box";
import type { DelegatedSignInState, UserTokenStore } from "../../app/ports/user-token-store";
import type { TableService } from "./table-service";

/**
 * Table `tokenCache`: one row per user (PartitionKey = user id, RowKey = "msal"). The MSAL cache is
 * sealed with AES-256-GCM bound to the row, and split into chunks below Table Storage's 64 KiB property
 * limit. No token is ever stored in plain text; `state` and timestamps are the only clear fields.
 */
export const tokenCacheTable = "tokenCache";
const ROW = "msal";
/** Characters per chunk property (a string property holds at most 32 K UTF-16 characters). */
const CHUNK = 30_000;
const MAX_CHUNKS = 8;

interface TokenCacheEntity {
  partitionKey: string;
  rowKey: string;
  state: "ok" | "needs-sign-in";
  homeAccountId?: string;
  chunks?: number;
  reason?: string;
  updatedAt: string;
  /** needs-sign-in: `updatedAt` of the last working tokens, which names this lapse. */
  lapseId?: string;
  [chunk: `c${number}`]: string | undefined;
}

export class TableUserTokenStore implements UserTokenStore {
  constructor(
    private readonly tables: TableService,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(userId: string): Promise<{ cache: string; homeAccountId: string } | undefined> {
    const row = await this.row(userId);
    if (row?.state !== "ok" || row.homeAccountId === undefined || !row.chunks) return undefined;
    let sealed = "";
    for (let i = 0; i < row.chunks; i++) sealed += row[`c${i}`] ?? "";
    try {
      return { cache: this.box.open(sealed, context(userId)), homeAccountId: row.homeAccountId };
    } catch {
      // Another key (rotated) or a tampered row: the user signs in again.
      return undefined;
    }
  }

  async write(userId: string, homeAccountId: string, cache: string): Promise<void> {
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
    await table.upsertEntity(entity, "Replace");
  }

  async state(userId: string): Promise<DelegatedSignInState> {
    const row = await this.row(userId);
    return row === undefined ? "never" : row.state;
  }

  async markNeedsSignIn(userId: string, reason: string): Promise<{ lapseId: string }> {
    const table = await this.tables.table(tokenCacheTable);
    const now = this.now().toISOString();
    // Parallel failures of one lapse all see either the working row or the flagged row that keeps its
    // time, so they agree on the id; only a sign-in (a new working row) starts another lapse.
    const previous = await this.row(userId);
    const lapseId =
      previous === undefined ? now : previous.state === "ok" ? previous.updatedAt : (previous.lapseId ?? now);
    const entity: TokenCacheEntity = {
      partitionKey: userId,
      rowKey: ROW,
      state: "needs-sign-in",
      chunks: 0,
      reason,
      updatedAt: now,
      lapseId,
    };
    await table.upsertEntity(entity, "Replace");
    return { lapseId };
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
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }
}

function context(userId: string): string {
  return `${tokenCacheTable}/${userId}/${ROW}`;
}
