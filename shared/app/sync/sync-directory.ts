import {
  groupFromDirectory,
  groupHash,
  memberChanges,
  membersHash,
  type DirectoryGroup,
  type Group,
  type Membership,
} from "../../domain/people/group";
import {
  isRoomMailbox,
  personFromDirectory,
  personHash,
  removedPerson,
  type DirectoryUser,
} from "../../domain/people/person";
import type { Fingerprint } from "../ports/sync-store";
import { runCheckpointedRound, type RoundResult } from "./checkpointed-round";
import type { ProgressSink, SyncCounts, SyncDependencies } from "./sync-dependencies";

/**
 * Users, then groups with their members, by delta query (application mode). The first round (and a
 * round after 410 / syncStateNotFound) is full: it compares with the stored fingerprints and, at the
 * end, marks people and groups Graph no longer returns as deleted; it writes only what changed. Later
 * rounds carry only changes, and write them. People who are disabled or deleted keep their
 * row, marked, so the sign-in guard refuses them at once.
 */
export async function syncDirectory(deps: SyncDependencies, progress: ProgressSink): Promise<SyncCounts> {
  const gateway = deps.gateways.directory();
  // Every room mailbox ONES knows, inactive ones too: they are still not people. Read once, and only
  // when a page brings someone to tell apart (a quiet incremental run reads no room rows).
  let roomEmails: Promise<Set<string>> | undefined;
  const roomMailboxes = (): Promise<Set<string>> =>
    (roomEmails ??= deps.store.rooms.roomEmails({ includeInactive: true }));
  const people = deps.store.people;
  const totals = { pages: 0, read: 0, written: 0 };
  const report = (base: typeof totals) => async (pages: number, read: number, written: number) =>
    progress({ pages: base.pages + pages, read: base.read + read, written: base.written + written });
  const counts = {
    roomMailboxesSkipped: 0,
    peopleRemoved: 0,
    groupsRemoved: 0,
    membershipsAdded: 0,
    membershipsRemoved: 0,
  };

  // ---- users
  let personPrints = new Map<string, Fingerprint>();
  const users = await runCheckpointedRound<DirectoryUser>({
    kind: "directory",
    stream: "users",
    state: deps.state,
    writer: () => deps.store.writer(),
    open: (from) => gateway.users(from),
    now: deps.now,
    log: deps.log,
    onCheckpoint: report({ ...totals }),
    handlers: {
      beginFull: async () => {
        personPrints = await people.personFingerprints();
      },
      page: async (items, page, full, writer) => {
        // Full rounds compare with the fingerprints. Incremental rounds read no stored person: delta
        // brings a user back only when a selected property changed, and each one is part of the
        // person, so a point read per user would cost more than the batched write it might spare.
        // Only removed people need their stored row, to keep what ONES knew of them.
        const removedIds = items.filter((u) => u["@removed"] !== undefined).map((u) => u.id);
        const previous = removedIds.length > 0 ? await people.people(removedIds) : undefined;
        const rooms = removedIds.length < items.length ? await roomMailboxes() : new Set<string>();
        let written = 0;
        for (const u of items) {
          const print = full ? personPrints.get(u.id) : undefined;
          if (full) personPrints.delete(u.id);
          if (u["@removed"] !== undefined) {
            const prev = previous?.get(u.id);
            if (prev === undefined) continue; // never stored: nothing to revoke
            const person = removedPerson(prev, u.id, u["@removed"].reason);
            const hash = personHash(person);
            if (hash === prev.hash) continue;
            await writer.add({ entity: "person", person, hash }, page);
            counts.peopleRemoved++;
            written++;
            continue;
          }
          if (isRoomMailbox(u, rooms)) {
            counts.roomMailboxesSkipped++;
            continue;
          }
          const person = personFromDirectory(u);
          const hash = personHash(person);
          if (hash === print?.hash) continue;
          await writer.add({ entity: "person", person, hash }, page);
          written++;
        }
        return written;
      },
      endFull: async (writer, page) => {
        const gone = [...personPrints].filter(([, p]) => p.active).map(([id]) => id);
        personPrints = new Map();
        const stored = await people.people(gone);
        for (const [id, prev] of stored) {
          const person = removedPerson(prev, id, "missing");
          await writer.add({ entity: "person", person, hash: personHash(person) }, page);
        }
        counts.peopleRemoved += stored.size;
        return stored.size;
      },
    },
  });
  add(totals, users);

  // ---- groups and memberships
  let groupPrints = new Map<string, Fingerprint>();
  const seenInRound = new Set<string>();
  const groups = await runCheckpointedRound<DirectoryGroup>({
    kind: "directory",
    stream: "groups",
    state: deps.state,
    writer: () => deps.store.writer(),
    open: (from) => gateway.groups(from),
    now: deps.now,
    log: deps.log,
    onCheckpoint: report({ ...totals }),
    handlers: {
      beginFull: async () => {
        groupPrints = await people.groupFingerprints();
      },
      page: async (items, page, full, writer) => {
        // Full rounds compare with fingerprints; only removed groups need their stored row.
        const ids = items.filter((g) => !full || g["@removed"] !== undefined).map((g) => g.id);
        const stored = await people.groups(ids);
        let written = 0;
        const put = async (m: Membership) => {
          await writer.add({ entity: "membership", membership: m, op: "put" }, page);
          counts.membershipsAdded++;
          written++;
        };
        const remove = async (m: Membership) => {
          await writer.add({ entity: "membership", membership: m, op: "delete" }, page);
          counts.membershipsRemoved++;
          written++;
        };
        for (const g of items) {
          const print = full ? groupPrints.get(g.id) : undefined;
          if (full) groupPrints.delete(g.id);
          const prev = stored.get(g.id);
          if (g["@removed"] !== undefined) {
            if (prev === undefined || prev.status === "deleted") continue;
            const { hash: _h, membersHash: _m, ...rest } = prev;
            const group: Group = { ...rest, status: "deleted" };
            await writer.add({ entity: "group", group, hash: groupHash(group), membersHash: "" }, page);
            counts.groupsRemoved++;
            written++;
            for (const m of await people.membersOf(g.id)) await remove(m);
            continue;
          }
          const group = groupFromDirectory(g);
          const hash = groupHash(group);
          const { added, removed } = memberChanges(g);
          if (full) {
            const repeat = seenInRound.has(g.id);
            seenInRound.add(g.id);
            // A large group can return on a later page with more members: merge, never diff twice.
            const members = membersHash(added.map((m) => m.memberId));
            if (repeat) {
              for (const m of added) await put(m);
              continue;
            }
            if (print === undefined) {
              await writer.add({ entity: "group", group, hash, membersHash: members }, page);
              written++;
              for (const m of added) await put(m);
              continue;
            }
            if (print.hash !== hash || print.membersHash !== members) {
              await writer.add({ entity: "group", group, hash, membersHash: members }, page);
              written++;
            }
            if (print.membersHash !== members) {
              const current = new Map((await people.membersOf(g.id)).map((m) => [m.memberId, m]));
              for (const m of added) if (!current.delete(m.memberId)) await put(m);
              for (const m of current.values()) await remove(m);
            }
            continue;
          }
          const membersChanged = added.length > 0 || removed.length > 0;
          if (prev === undefined || prev.hash !== hash || membersChanged) {
            // After incremental member changes the stored member fingerprint is unknown ("").
            const membersFingerprint = membersChanged || prev === undefined ? "" : prev.membersHash;
            await writer.add({ entity: "group", group, hash, membersHash: membersFingerprint }, page);
            written++;
          }
          for (const m of added) await put(m);
          for (const m of removed) await remove(m);
        }
        return written;
      },
      endFull: async (writer, page) => {
        const gone = [...groupPrints].filter(([, p]) => p.active).map(([id]) => id);
        groupPrints = new Map();
        const stored = await people.groups(gone);
        for (const [, prev] of stored) {
          const { hash: _h, membersHash: _m, ...rest } = prev;
          const group: Group = { ...rest, status: "deleted" };
          await writer.add({ entity: "group", group, hash: groupHash(group), membersHash: "" }, page);
          for (const m of await people.membersOf(prev.id)) {
            await writer.add({ entity: "membership", membership: m, op: "delete" }, page);
          }
        }
        counts.groupsRemoved += stored.size;
        return stored.size;
      },
    },
  });
  add(totals, groups);

  return {
    pages: totals.pages,
    read: totals.read,
    written: totals.written,
    transactions: users.transactions + groups.transactions,
    usersRead: users.read,
    groupsRead: groups.read,
    fullUsers: users.full ? 1 : 0,
    fullGroups: groups.full ? 1 : 0,
    resumed: users.resumed || groups.resumed ? 1 : 0,
    resynced: users.resynced || groups.resynced ? 1 : 0,
    ...counts,
  };
}

function add(totals: { pages: number; read: number; written: number }, round: RoundResult): void {
  totals.pages += round.pages;
  totals.read += round.read;
  totals.written += round.written;
}
