import { z } from "zod";

/** Where the app is reached, and how it finds its state and its queues. */
export const coreSettings = {
  /** Public origin of the app (sign-in redirect URI, links in mail, allowed `returnTo` origin). */
  APP_BASE_URL: z.url().default("http://127.0.0.1:7071"),
  /** Table Storage by connection string: for Azurite on the local stack only. */
  TABLES_CONNECTION_STRING: z.string().min(1).optional(),
  /** Table Storage endpoint reached with the managed identity in Azure (https://ACCOUNT.table.core.windows.net). */
  TABLES_ENDPOINT: z.url().optional(),
  /** Prefix of every table name, so several deployments or test runs can share one account. */
  TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,29}$/, "letters and digits, starting with a letter, at most 30")
    .default("ones"),
  /** Service Bus by connection string (local broker: `...;UseDevelopmentEmulator=true`). Also the trigger connection. */
  SERVICEBUS: z.string().min(1).optional(),
  /** Service Bus namespace reached with the managed identity in Azure (NAME.servicebus.windows.net). */
  SERVICEBUS__fullyQualifiedNamespace: z.string().min(1).optional(),
  /** Client id of the user-assigned managed identity used for Azure resources. */
  AZURE_CLIENT_ID: z.string().min(1).optional(),
} as const;
