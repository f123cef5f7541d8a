import { TableClient } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";

describe("Azurite from the global setup", () => {
  it("stores and reads an entity through the real Tables SDK", async () => {
    const table = TableClient.fromConnectionString(inject("tablesConnectionString"), `probe${Date.now()}`, {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.upsertEntity({ partitionKey: "p", rowKey: "r", value: 42 });
    const entity = await table.getEntity<{ value: number }>("p", "r");
    expect(entity.value).toBe(42);
    await table.deleteTable();
  });
});
