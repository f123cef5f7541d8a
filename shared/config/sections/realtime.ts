import { z } from "zod";

/** Azure Web PubSub, which carries live schedules to room and floor displays. */
export const realtimeSettings = {
  /** Web PubSub by connection string (local service on the local stack). */
  WEBPUBSUB_CONNECTION_STRING: z.string().min(1).optional(),
  /** Web PubSub endpoint reached with the managed identity in Azure (https://NAME.webpubsub.azure.com). */
  WEBPUBSUB_ENDPOINT: z.url().optional(),
  /** Hub the displays connect to. */
  WEBPUBSUB_HUB: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
    .default("displays"),
} as const;
