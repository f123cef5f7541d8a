import type { DisplayTarget } from "./snapshot";

/**
 * A registered room or floor display. Its device credential is `{id}.{secret}`; only a hash of the
 * secret is kept, so a stored row cannot be turned back into a credential.
 */
export interface Display {
  readonly id: string;
  readonly name: string;
  readonly target: DisplayTarget;
  readonly createdAt: string;
  /** SHA-256 (hex) of the credential's secret; absent until the device paired. */
  readonly credentialHash?: string;
  readonly pairedAt?: string;
  /** The last heartbeat, and the page version it reported. */
  readonly lastSeenAt?: string;
  readonly pageVersion?: string;
  /** Set while the admins were told the display is silent (cleared when they are told it is back). */
  readonly silentSince?: string;
}

/** What the admin list shows of a display (never the credential hash). */
export interface DisplayView {
  readonly id: string;
  readonly name: string;
  readonly target: DisplayTarget;
  readonly createdAt: string;
  readonly paired: boolean;
  readonly pairedAt: string | null;
  readonly lastSeenAt: string | null;
  readonly pageVersion: string | null;
  /** "never" until the first heartbeat; "silent" past the silence threshold. */
  readonly status: "never" | "online" | "silent";
}

export function displayView(display: Display, now: Date, silentAfterMs: number): DisplayView {
  return {
    id: display.id,
    name: display.name,
    target: display.target,
    createdAt: display.createdAt,
    paired: display.credentialHash !== undefined,
    pairedAt: display.pairedAt ?? null,
    lastSeenAt: display.lastSeenAt ?? null,
    pageVersion: display.pageVersion ?? null,
    status:
      display.lastSeenAt === undefined
        ? "never"
        : isSilent(display.lastSeenAt, now, silentAfterMs)
          ? "silent"
          : "online",
  };
}

export function isSilent(lastSeenAt: string, now: Date, silentAfterMs: number): boolean {
  return now.getTime() - Date.parse(lastSeenAt) > silentAfterMs;
}

/** What the health check should do for one display: tell the admins it went silent, or is back. */
export function healthTransition(
  display: Display,
  now: Date,
  silentAfterMs: number,
): "went-silent" | "came-back" | undefined {
  if (display.lastSeenAt === undefined) return undefined;
  const silent = isSilent(display.lastSeenAt, now, silentAfterMs);
  if (silent && display.silentSince === undefined) return "went-silent";
  if (!silent && display.silentSince !== undefined) return "came-back";
  return undefined;
}

/** A device credential split into the display id and the secret; undefined when malformed. */
export function parseCredential(credential: string): { displayId: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9-]{1,64})\.([A-Za-z0-9_-]{32,128})$/.exec(credential);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { displayId: match[1], secret: match[2] };
}

/** Pairing codes: 8 characters without look-alikes (no 0/O, 1/I/L), easy to type on a tablet. */
export const PAIRING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const PAIRING_CODE_LENGTH = 8;
/** How long a pairing code can be used. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes allowed per caller address in one window, and in total, before pairing answers 429. */
export const PAIRING_GUESS_LIMIT = { perAddress: 10, total: 100, windowMs: 10 * 60_000 } as const;

/** A typed code as stored: upper case, spaces and dashes removed. */
export function normalisePairingCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

export function isPairingCodeShape(code: string): boolean {
  return code.length === PAIRING_CODE_LENGTH && [...code].every((c) => PAIRING_ALPHABET.includes(c));
}
