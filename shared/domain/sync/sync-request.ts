import { z } from "zod";
import { syncKinds } from "./sync-kinds";

/**
 * The message on the `sync-run` queue: run the `kind` sync for admin request `requestId`. The request
 * itself is recorded in the sync state; a message whose request was served already does nothing.
 */
export const syncRunMessageSchema = z.object({
  kind: z.enum(syncKinds),
  requestId: z.string().min(1).max(100),
});
export type SyncRunMessage = z.infer<typeof syncRunMessageSchema>;

/**
 * A pending "run now" older than this, which no run has served, is taken to be lost (its message
 * dead-lettered): a new request replaces it instead of joining it.
 */
export const SYNC_REQUEST_STALE_MS = 15 * 60 * 1000;
