import { AppError } from "../../domain/errors";
import { requireCapability } from "../../domain/integration/capabilities";
import { mailboxId, roomHash } from "../../domain/rooms/room";
import { importedRoom, type RoomImportLine, type RoomImportProblem } from "../../domain/rooms/room-import";
import type { GraphTokenProvider } from "../ports/graph-token-provider";
import type { IntegrationStore } from "../ports/integration-store";
import type { RoomCalendarCheck, RoomCalendarProbe } from "../ports/m365-gateways";
import type { SyncStore } from "../ports/sync-store";

export interface ImportRoomsDependencies {
  readonly integration: IntegrationStore;
  readonly probe: RoomCalendarProbe;
  readonly tokens: Pick<GraphTokenProvider, "usersWithToken">;
  readonly store: SyncStore;
  readonly defaultTimeZone: string;
  readonly log?: (message: string) => void;
}

export interface RoomImportOutcome {
  readonly line: number;
  readonly email: string;
  readonly result: "imported" | "updated" | "unchanged" | "refused";
  /** Why a room was refused, in words an admin can act on. */
  readonly reason?: string;
  readonly code?: RoomImportProblem["reason"] | Extract<RoomCalendarCheck, { reachable: false }>["reason"];
  readonly graphRequestId?: string;
  /** Stored, with a caveat the admin should read (e.g. that ONES could not confirm it is a room). */
  readonly warning?: string;
}

/**
 * The delegated modes may read a calendar but not what kind of mailbox holds it, so a person's mailbox
 * passes the calendar check as well as a room's. Only rooms ONES listed from /places before are known.
 */
const unconfirmedRoom =
  "ONES could not confirm it is a room: in this mode it can only check that the calendar can be read, not whether the mailbox is a room or a person's. Import only room mailboxes; remove this one if it is a person's.";

/** Other signed-in users tried when the importing admin cannot read a room's calendar. */
const OTHER_USERS = 3;
const CONCURRENCY = 4;

const explain: Record<Extract<RoomCalendarCheck, { reachable: false }>["reason"], string> = {
  "not-found": "No mailbox with this address exists, or it is hidden from the address list.",
  "access-denied":
    "No signed-in ONES user may read this room's calendar: grant them at least Reviewer on it (Exchange) and import again.",
  "not-signed-in":
    "No user with a working sign-in could check the room: sign in to ONES once and import again.",
  unavailable: "Microsoft 365 did not answer; try again later.",
};

/**
 * Imports rooms by e-mail address (delegated modes, which cannot list /places). Each room's calendar
 * is read with a signed-in user's token, the importing admin's first; a room is stored only when it
 * is reachable, and the report says per room why not. Imported rooms are never deactivated by the
 * rooms sync.
 */
export async function importRooms(
  deps: ImportRoomsDependencies,
  input: { lines: readonly RoomImportLine[]; problems: readonly RoomImportProblem[]; actingUserId: string },
): Promise<{ outcomes: RoomImportOutcome[]; imported: number; refused: number }> {
  const settings = await deps.integration.get();
  if (settings === undefined)
    throw new AppError("precondition-failed", "Set up the Microsoft 365 integration first.");
  requireCapability(settings.mode, "room-import");
  if (input.lines.length === 0 && input.problems.length === 0) {
    throw new AppError("validation-failed", "Give at least one room e-mail address.");
  }

  const others = (await deps.tokens.usersWithToken(OTHER_USERS + 1)).filter((u) => u !== input.actingUserId);
  const candidates = [input.actingUserId, ...others.slice(0, OTHER_USERS)];
  const buildingZones = await deps.store.rooms.buildingZones();
  const writer = deps.store.writer();
  const outcomes: RoomImportOutcome[] = input.problems.map((p) => ({
    line: p.line,
    email: p.email,
    result: "refused",
    code: p.reason,
    reason: problemText[p.reason],
  }));

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < input.lines.length) {
      const line = input.lines[next++] as RoomImportLine;
      const check = await firstReachable(deps.probe, line.email, candidates);
      if (!check.reachable) {
        outcomes.push({
          line: line.line,
          email: line.email,
          result: "refused",
          code: check.reason,
          reason: explain[check.reason],
          ...(check.graphRequestId === undefined ? {} : { graphRequestId: check.graphRequestId }),
        });
        continue;
      }
      const previous = await deps.store.rooms.room(mailboxId(line.email));
      const room = importedRoom(line, check.displayName, previous, buildingZones, deps.defaultTimeZone);
      const hash = roomHash(room);
      // A room once listed by /places (an application mode before) is known to be a room.
      const caveat =
        previous !== undefined && previous.source !== "import" ? {} : { warning: unconfirmedRoom };
      if (previous !== undefined && roomHash(previous) === hash) {
        outcomes.push({ line: line.line, email: line.email, result: "unchanged", ...caveat });
        continue;
      }
      await writer.add({ entity: "room", room, hash }, 0);
      outcomes.push({
        line: line.line,
        email: line.email,
        result: previous === undefined ? "imported" : "updated",
        ...caveat,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, input.lines.length) }, worker));
  writer.pageComplete(0);
  await writer.flush();
  outcomes.sort((a, b) => a.line - b.line);
  const refused = outcomes.filter((o) => o.result === "refused").length;
  deps.log?.(`rooms import: ${outcomes.length - refused} stored or unchanged, ${refused} refused`);
  return { outcomes, imported: outcomes.length - refused, refused };
}

async function firstReachable(
  probe: RoomCalendarProbe,
  email: string,
  users: readonly string[],
): Promise<RoomCalendarCheck> {
  let last: RoomCalendarCheck = { reachable: false, reason: "not-signed-in" };
  for (const user of users) {
    const check = await probe.check(email, user);
    if (check.reachable || check.reason === "not-found") return check;
    // Access denied or no token for this user: another signed-in user may have rights.
    if (last.reachable === false && (last.reason === "not-signed-in" || check.reason !== "not-signed-in"))
      last = check;
  }
  return last;
}

const problemText: Record<RoomImportProblem["reason"], string> = {
  "invalid-email": "Not an e-mail address.",
  duplicate: "The address appears more than once; the first line counts.",
  "invalid-capacity": "Capacity must be a whole number of seats.",
  "invalid-time-zone": "Unknown time zone: give an IANA zone (Europe/Amsterdam) or a Windows zone name.",
};
