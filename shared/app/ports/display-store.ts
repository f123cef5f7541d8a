import type { Display } from "../../domain/displays/display";

/** Registered displays and their pairing codes (tables `displays` and `displaypairing`). */
export interface DisplayStore {
  list(): Promise<Display[]>;
  get(id: string): Promise<Display | undefined>;
  create(display: Display): Promise<void>;
  /** Removes the display: its credential stops working at once. False when there was none. */
  remove(id: string): Promise<boolean>;
  /** Stores the new credential's hash (replacing any earlier one). */
  setCredential(id: string, credentialHash: string, pairedAt: string): Promise<void>;
  /** Records a heartbeat. */
  touch(id: string, seenAt: string, pageVersion: string): Promise<void>;
  /** Sets or clears (undefined) the time the admins were told the display is silent. */
  setSilentSince(id: string, silentSince: string | undefined): Promise<void>;
}

export interface PairingCodeStore {
  /** Stores a code (by its hash) for a display until `expiresAt`; earlier codes of the display stay valid until used or expired. */
  put(codeHash: string, displayId: string, expiresAt: string): Promise<void>;
  /**
   * Consumes a code: returns its display and deletes it, so a second use (also a concurrent one) finds
   * nothing. Expired codes are returned with their expiry; the caller refuses them.
   */
  take(codeHash: string): Promise<{ readonly displayId: string; readonly expiresAt: string } | undefined>;
  /** Counts a wrong guess from `address` and returns the counts in the current window. */
  recordMiss(
    address: string,
    windowStart: string,
  ): Promise<{ readonly address: number; readonly total: number }>;
  /** The wrong guesses in the current window, without counting one. */
  misses(address: string, windowStart: string): Promise<{ readonly address: number; readonly total: number }>;
}
