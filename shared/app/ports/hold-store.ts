import type { Hold } from "../../domain/bookings/hold";

/** Holds on rooms made from the Outlook add-in (see domain/bookings/hold.ts). */
export interface HoldStore {
  /** `conflict` if the id exists. */
  create(hold: Hold): Promise<void>;
  get(id: string): Promise<{ hold: Hold; etag: string } | undefined>;
  /** Replaces the hold if it is still at `etag`; `precondition-failed` otherwise. */
  replace(hold: Hold, etag: string): Promise<void>;
  /** Removes the hold if it is still at `etag` (any version without); false when it was gone or changed. */
  remove(id: string, etag?: string): Promise<boolean>;
  /** Every stored hold (they live minutes, so there are few). */
  list(): Promise<Array<{ hold: Hold; etag: string }>>;
}
