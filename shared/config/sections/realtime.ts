import { z } from "zod";

/** A comma-separated list of Web PubSub endpoints, each an URL. */
const endpointList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  )
  .pipe(z.array(z.url()).min(1, "lists no endpoint"))
  .refine((urls) => new Set(urls.map(hostOf)).size === urls.length, { message: "lists an instance twice" });

function hostOf(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return url;
  }
}

/** A JSON array of Web PubSub connection strings (they contain `;` and `=`, so no separator would do). */
const connectionStringList = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be a JSON array of strings: ["Endpoint=…", …]' });
      return z.NEVER;
    }
  })
  .pipe(z.array(z.string().min(1)).min(1, "lists no connection string"));

/**
 * Azure Web PubSub, which carries live schedules to room and floor displays. Several instances may be
 * listed: displays are spread over them by their room's or floor's group (docs/architecture.md).
 */
export const realtimeSettings = {
  /** Web PubSub by connection string (local service on the local stack): one instance. */
  WEBPUBSUB_CONNECTION_STRING: z.string().min(1).optional(),
  /** Several Web PubSub instances by connection string, as a JSON array; wins over the single one. */
  WEBPUBSUB_CONNECTION_STRINGS: connectionStringList.optional(),
  /**
   * Web PubSub endpoints reached with the managed identity in Azure (https://NAME.webpubsub.azure.com),
   * one or several separated by commas.
   */
  WEBPUBSUB_ENDPOINT: endpointList.optional(),
  /** Hub the displays connect to (the same on every instance). */
  WEBPUBSUB_HUB: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
    .default("displays"),
} as const;
