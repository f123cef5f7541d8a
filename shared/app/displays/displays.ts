import {
  displayView,
  healthTransition,
  isPairingCodeShape,
  normalisePairingCode,
  PAIRING_CODE_TTL_MS,
  PAIRING_GUESS_LIMIT,
  parseCredential,
  type Display,
  type DisplayView,
} from "../../domain/displays/display";
import { displayGroup, type DisplaySchedule, type DisplayTarget } from "../../domain/displays/snapshot";
import { AppError } from "../../domain/errors";
import type { DisplayConnections } from "../ports/display-connections";
import type { DisplayStore, PairingCodeStore } from "../ports/display-store";
import type { ScheduleSnapshots } from "../ports/schedule-snapshots";
import type { RoomStore } from "../ports/sync-store";
import type { WorkQueue } from "../ports/work-queue";
import { sendMail } from "../send-mail";

/** What the display use cases need; composition wires the adapters. */
export interface DisplayDependencies {
  readonly displays: DisplayStore;
  readonly pairing: PairingCodeStore;
  readonly rooms: Pick<RoomStore, "room" | "rooms">;
  readonly connections: DisplayConnections;
  readonly snapshots: ScheduleSnapshots;
  readonly now: () => Date;
  readonly newId: () => string;
  /** A random credential secret (base64url, at least 32 characters). */
  readonly newSecret: () => string;
  /** A random pairing code from PAIRING_ALPHABET. */
  readonly newPairingCode: () => string;
  /** SHA-256 of a secret or code, hex. */
  readonly hash: (value: string) => string;
  /** Silence after which a display counts as offline (DISPLAY_SILENT_MINUTES). */
  readonly silentAfterMs: number;
}

/** The Web PubSub user id of a display's connections. */
export const displayUserId = (displayId: string): string => `display:${displayId}`;

/** Lifetime of the token in a negotiated client URL; recovery of a dropped connection does not need it. */
const CLIENT_TOKEN_MINUTES = 60;

// Admin side ------------------------------------------------------------------------------------

export async function listDisplays(deps: DisplayDependencies): Promise<DisplayView[]> {
  const now = deps.now();
  const displays = await deps.displays.list();
  return displays
    .map((d) => displayView(d, now, deps.silentAfterMs))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Registers a display for an active room, or for a floor at least one active room is on. */
export async function registerDisplay(
  deps: DisplayDependencies,
  input: { readonly name: string; readonly target: DisplayTarget },
): Promise<DisplayView> {
  await requireTarget(deps, input.target);
  const now = deps.now();
  const display: Display = {
    id: deps.newId(),
    name: input.name,
    target: input.target,
    createdAt: now.toISOString(),
  };
  await deps.displays.create(display);
  return displayView(display, now, deps.silentAfterMs);
}

/**
 * Removes a display: its credential stops working at once and its open Web PubSub connections are
 * closed. Closing is tried also when the display is already gone, so repeating a failed removal
 * finishes it.
 */
export async function removeDisplay(deps: DisplayDependencies, id: string): Promise<void> {
  const removed = await deps.displays.remove(id);
  await closeConnections(deps, id, "The display was removed.");
  if (!removed) throw new AppError("not-found", "There is no such display.");
}

/** A one-time pairing code for the display, valid for 10 minutes. */
export async function issuePairingCode(
  deps: DisplayDependencies,
  id: string,
): Promise<{ readonly code: string; readonly expiresAt: string }> {
  if ((await deps.displays.get(id)) === undefined)
    throw new AppError("not-found", "There is no such display.");
  const code = deps.newPairingCode();
  const expiresAt = new Date(deps.now().getTime() + PAIRING_CODE_TTL_MS).toISOString();
  await deps.pairing.put(deps.hash(code), id, expiresAt);
  return { code, expiresAt };
}

// Device side -----------------------------------------------------------------------------------

const refusedCode = (): AppError =>
  new AppError("unauthenticated", "The pairing code is not valid, was used already or has expired.");

/**
 * Exchanges a pairing code for the device credential `{displayId}.{secret}`. The code works once;
 * wrong codes are counted per caller address and in total, and past the limits pairing answers
 * `rate-limited` until the window ends. Pairing again replaces the display's earlier credential.
 */
export async function pairDisplay(
  deps: DisplayDependencies,
  input: { readonly code: string; readonly address: string },
): Promise<{
  readonly credential: string;
  readonly display: { id: string; name: string; target: DisplayTarget };
}> {
  const now = deps.now();
  const windowStart = new Date(
    Math.floor(now.getTime() / PAIRING_GUESS_LIMIT.windowMs) * PAIRING_GUESS_LIMIT.windowMs,
  ).toISOString();
  const misses = await deps.pairing.misses(input.address, windowStart);
  if (misses.address >= PAIRING_GUESS_LIMIT.perAddress || misses.total >= PAIRING_GUESS_LIMIT.total)
    throw new AppError("rate-limited", "Too many wrong pairing codes. Wait a few minutes and try again.");
  const miss = async (): Promise<never> => {
    await deps.pairing.recordMiss(input.address, windowStart);
    throw refusedCode();
  };

  const code = normalisePairingCode(input.code);
  if (!isPairingCodeShape(code)) return miss();
  const taken = await deps.pairing.take(deps.hash(code));
  if (taken === undefined) return miss();
  if (Date.parse(taken.expiresAt) <= now.getTime()) throw refusedCode();
  const display = await deps.displays.get(taken.displayId);
  if (display === undefined) throw refusedCode();

  const secret = deps.newSecret();
  await deps.displays.setCredential(display.id, deps.hash(secret), now.toISOString());
  // A device paired before with an older credential loses its live connection too.
  await closeConnections(deps, display.id, "The display was paired again.").catch(() => undefined);
  return {
    credential: `${display.id}.${secret}`,
    display: { id: display.id, name: display.name, target: display.target },
  };
}

/** The display a device credential belongs to; `unauthenticated` for anything else. */
export async function authenticateDisplay(deps: DisplayDependencies, credential: string): Promise<Display> {
  const parts = parseCredential(credential);
  const display = parts === undefined ? undefined : await deps.displays.get(parts.displayId);
  if (
    parts === undefined ||
    display?.credentialHash === undefined ||
    !sameText(display.credentialHash, deps.hash(parts.secret))
  )
    throw new AppError("unauthenticated", "The display is not paired, or was removed. Pair it again.");
  return display;
}

/** Records a heartbeat; answers the server time, which the page uses to correct its clock. */
export async function displayHeartbeat(
  deps: DisplayDependencies,
  credential: string,
  pageVersion: string,
): Promise<{ readonly serverTime: string }> {
  const display = await authenticateDisplay(deps, credential);
  const now = deps.now().toISOString();
  await deps.displays.touch(display.id, now, pageVersion);
  return { serverTime: now };
}

/**
 * A Web PubSub client URL for the device: its connection is in its own room's or floor's group only,
 * and its token grants no role, so it can neither send nor join another group.
 */
export async function negotiateDisplay(
  deps: DisplayDependencies,
  credential: string,
): Promise<{ readonly url: string; readonly groups: readonly string[] }> {
  const display = await authenticateDisplay(deps, credential);
  const groups = [displayGroup(display.target)];
  const url = await deps.connections.clientUrl({
    userId: displayUserId(display.id),
    groups,
    expiresInMinutes: CLIENT_TOKEN_MINUTES,
  });
  if (url === undefined)
    throw new AppError("dependency-unavailable", "Live updates are not configured.", { retryable: false });
  return { url, groups };
}

/** The current schedule of the device's room, or of every room on its floor. */
export async function displaySchedule(
  deps: DisplayDependencies,
  credential: string,
): Promise<DisplaySchedule> {
  const display = await authenticateDisplay(deps, credential);
  const target = display.target;
  const rooms =
    target.kind === "room"
      ? [await deps.rooms.room(target.roomId)].filter((r) => r !== undefined && r.active)
      : (await deps.rooms.rooms())
          .filter((r) => r.active && r.floorId === target.floorId)
          .sort((a, b) => a.displayName.localeCompare(b.displayName));
  return {
    display: { id: display.id, name: display.name },
    target,
    generatedAt: deps.now().toISOString(),
    rooms: await Promise.all(
      rooms.map(async (room) => ({
        roomId: room!.id,
        name: room!.displayName,
        timeZone: room!.timeZone,
        snapshot: await deps.snapshots.current(room!.id),
      })),
    ),
  };
}

// Health ----------------------------------------------------------------------------------------

export interface DisplayHealthDependencies {
  readonly displays: DisplayStore;
  readonly rooms: Pick<RoomStore, "room">;
  readonly workQueue: WorkQueue;
  /** The admins' addresses (integration settings). */
  readonly adminEmails: () => Promise<readonly string[]>;
  readonly now: () => Date;
  readonly silentAfterMs: number;
}

/**
 * Mails the admins once when a display has been silent past the threshold and once when it reports
 * again. The mail is enqueued before the state is stored; a failed store repeats the same mail key,
 * which the mail consumer sends once.
 */
export async function checkDisplayHealth(
  deps: DisplayHealthDependencies,
): Promise<{ readonly wentSilent: number; readonly cameBack: number }> {
  const now = deps.now();
  const counts = { wentSilent: 0, cameBack: 0 };
  const changes = (await deps.displays.list())
    .map((display) => ({ display, change: healthTransition(display, now, deps.silentAfterMs) }))
    .filter((c) => c.change !== undefined);
  if (changes.length === 0) return counts;
  const admins = [...new Set((await deps.adminEmails()).map((e) => e.trim()).filter((e) => e !== ""))];
  for (const { display, change } of changes) {
    const room = display.target.kind === "room" ? await deps.rooms.room(display.target.roomId) : undefined;
    const mailRoom =
      room === undefined ? {} : { room: { id: room.id, name: room.displayName, timeZone: room.timeZone } };
    const lastSeenAt = display.lastSeenAt!;
    const stamp = lastSeenAt.replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
    if (admins.length > 0)
      await sendMail(deps, {
        key: `display-${change === "went-silent" ? "offline" : "online"}:${display.id}:${stamp}`.slice(0, 96),
        to: admins.map((email) => ({ email })),
        template:
          change === "went-silent"
            ? {
                kind: "display-offline",
                display: { id: display.id, name: display.name },
                ...mailRoom,
                lastSeenAt,
              }
            : {
                kind: "display-online",
                display: { id: display.id, name: display.name },
                ...mailRoom,
                lastSeenAt,
                silentSince: display.silentSince!,
              },
      });
    if (change === "went-silent") {
      await deps.displays.setSilentSince(display.id, lastSeenAt);
      counts.wentSilent++;
    } else {
      await deps.displays.setSilentSince(display.id, undefined);
      counts.cameBack++;
    }
  }
  return counts;
}

// Helpers ---------------------------------------------------------------------------------------

async function requireTarget(deps: DisplayDependencies, target: DisplayTarget): Promise<void> {
  if (target.kind === "room") {
    const room = await deps.rooms.room(target.roomId);
    if (room === undefined || !room.active)
      throw new AppError("validation-failed", "There is no such room.", {
        fields: [{ path: "target.roomId", message: "no active room has this id" }],
      });
    return;
  }
  const rooms = await deps.rooms.rooms();
  if (!rooms.some((r) => r.active && r.floorId === target.floorId))
    throw new AppError("validation-failed", "There is no such floor.", {
      fields: [{ path: "target.floorId", message: "no active room is on this floor" }],
    });
}

async function closeConnections(deps: DisplayDependencies, id: string, reason: string): Promise<void> {
  try {
    await deps.connections.closeUserConnections(displayUserId(id), reason);
  } catch (error) {
    throw new AppError(
      "dependency-unavailable",
      "The display's live connection could not be closed; try again.",
      {
        cause: error,
        retryable: true,
      },
    );
  }
}

/** Compares two hex digests without stopping at the first difference. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
