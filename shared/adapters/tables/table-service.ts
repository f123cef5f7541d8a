import { TableClient, TableServiceClient, type TableServiceClientOptions } from "@azure/data-tables";
import type { DependencyProbe } from "../../app/ports/dependency-probe";
import { azureCredential } from "../identity/credential";
import { guardTable } from "./storage-errors";

/** Pipeline policies added to every client (tests count requests with one). */
export interface TableServiceOptions {
  readonly additionalPolicies?: TableServiceClientOptions["additionalPolicies"];
}

/** Where the tables are, and the prefix of this deployment's table names. */
export type TableConnection =
  | { readonly connectionString: string; readonly prefix: string }
  | { readonly endpoint: string; readonly managedIdentityClientId?: string; readonly prefix: string };

/**
 * Opens tables by logical name (`bookings`) under the deployment's prefix (`onesbookings`), creating
 * each table once per worker on first use. One `TableClient` per table is kept for the worker's life;
 * its failures reach adapters already mapped to the app's error codes (see storage-errors.ts).
 */
export class TableService {
  private readonly created = new Map<string, Promise<void>>();
  private readonly clients = new Map<string, TableClient>();

  private constructor(
    private readonly service: TableServiceClient,
    private readonly open: (tableName: string) => TableClient,
    readonly prefix: string,
  ) {}

  /**
   * By connection string (Azurite, or a key-based account), else by endpoint with the managed identity
   * (or developer sign-in). An `http:` connection string (Azurite) is allowed explicitly.
   */
  static connect(connection: TableConnection, extra: TableServiceOptions = {}): TableService {
    const policies =
      extra.additionalPolicies === undefined ? {} : { additionalPolicies: extra.additionalPolicies };
    if ("connectionString" in connection) {
      const cs = connection.connectionString;
      const options = { allowInsecureConnection: cs.includes("http://"), ...policies };
      return new TableService(
        TableServiceClient.fromConnectionString(cs, options),
        (name) => TableClient.fromConnectionString(cs, name, options),
        connection.prefix,
      );
    }
    const { endpoint } = connection;
    const credential = azureCredential(connection.managedIdentityClientId);
    return new TableService(
      new TableServiceClient(endpoint, credential, policies),
      (name) => new TableClient(endpoint, name, credential, policies),
      connection.prefix,
    );
  }

  /** The client for a logical table, created in storage on first use. */
  async table(logicalName: string): Promise<TableClient> {
    const name = `${this.prefix}${logicalName}`;
    let client = this.clients.get(name);
    if (client === undefined) {
      client = guardTable(this.open(name));
      this.clients.set(name, client);
    }
    let creation = this.created.get(name);
    if (creation === undefined) {
      creation = client.createTable().catch((error: unknown) => {
        this.created.delete(name);
        throw error;
      });
      this.created.set(name, creation);
    }
    await creation;
    return client;
  }

  probe(): DependencyProbe {
    return {
      name: "tables",
      required: true,
      check: async (signal) => {
        await this.service.listTables({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
      },
    };
  }
}
