import { createHash } from "node:crypto";
import { TableClient, TableServiceClient } from "@azure/data-tables";

/** Every table under a prefix: its name → a digest of its rows. */
export type TablesDigest = Record<string, string>;

/**
 * A digest of every row of every table under `prefix` in Azurite, table by table (tables found through
 * listTables, so a table added later is covered too; empty ones are left out). Equal digests: no row
 * was added, changed (etag) or removed. Compare with `toEqual` to see which table changed.
 */
export async function tablesDigest(connectionString: string, prefix: string): Promise<TablesDigest> {
  const service = TableServiceClient.fromConnectionString(connectionString, {
    allowInsecureConnection: true,
  });
  const names: string[] = [];
  for await (const table of service.listTables()) {
    if (table.name?.startsWith(prefix)) names.push(table.name);
  }
  const out: TablesDigest = {};
  for (const name of names.sort()) {
    const client = TableClient.fromConnectionString(connectionString, name, {
      allowInsecureConnection: true,
    });
    const rows: string[] = [];
    for await (const entity of client.listEntities()) rows.push(JSON.stringify(entity));
    // Tables are created on first use, reads included: an empty table holds nothing.
    if (rows.length > 0)
      out[name.slice(prefix.length)] = createHash("sha256").update(rows.sort().join("\n")).digest("hex");
  }
  return out;
}
