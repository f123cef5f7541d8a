import type { TableClient, TableEntityResult, TransactionAction } from "@azure/data-tables";
import type {
  BookingPage,
  BookingStore,
  ReserveOptions,
  RoomReservation,
  SlotEntry,
  StoredBooking,
} from "../../app/ports/booking-store";
import type { Booking } from "../../domain/bookings/booking";
import { overlaps, utcDaysBetween, utcDaysOf, type Slot } from "../../domain/bookings/slots";
import { AppError } from "../../domain/errors";
import { MAX_TRANSACTION, safeKey } from "./keys";
import { packJson, unpackJson } from "./packed-json";
import { storageStatus as statusOf } from "./storage-errors";
import type { TableService } from "./table-service";

/**
 * Tables of bookings:
 * - `roombookings`, one partition per room (PartitionKey = room id): `meta` (the room's schedule
 *   version), `day-YYYY-MM-DD` (every slot held that UTC day: booking id, occurrence key, start, end)
 *   and `booking-{id}` (the slots one booking holds in the room, and the days they touch). A change is
 *   one entity-group transaction over the meta row (If-Match on its ETag), the booking's row and the
 *   day rows it touches (If-Match each), so two writers of one room cannot both succeed: the loser
 *   re-reads, and is refused if the slot is now taken.
 * - `bookings` (PartitionKey = booking id, RowKey `booking`): the booking document.
 * - `bookingsbyorganizer` (PartitionKey = organizer's lower-case address, RowKey = booking id): first start and
 *   last end, for "my bookings".
 * - `bookingevents` (PartitionKey = event iCalUId, RowKey `booking`): the booking an event belongs to.
 */
export const ROOM_BOOKINGS_TABLE = "roombookings";
export const BOOKINGS_TABLE = "bookings";
export const BOOKINGS_BY_ORGANIZER_TABLE = "bookingsbyorganizer";
export const BOOKING_EVENTS_TABLE = "bookingevents";

const META = "meta";
const dayRow = (day: string): string => `day-${day}`;
const bookingRow = (id: string): string => `booking-${safeKey(id)}`;
const DOC = "booking";
/** Day rows per transaction: 100 operations less the meta and booking rows. */
const DAYS_PER_TRANSACTION = MAX_TRANSACTION - 2;
const MAX_ROUNDS = 25;
/** Rooms, and day rows per room, a store remembers at most (it starts again when full). */
const MAX_REMEMBERED_ROOMS = 5_000;
const MAX_REMEMBERED_DAYS = 400;
/** How long a change of a room waits at most for the one before it in this store. */
const ROOM_TURN_MS = 2_000;

type Row = TableEntityResult<Record<string, unknown>>;
/** [bookingId, occurrence key (ms), start, end]. */
type DayEntry = [string, number, number, number];
/** [occurrence key (ms), start, end]. */
type HeldSlot = [number, number, number];

/** A change of one room's reservation: the booking, the room, its new slots, and how to write them. */
type RoomChange = [
  bookingId: string,
  roomId: string,
  wanted: readonly Slot[] | ((held: readonly Slot[]) => Slot[]),
  options: { force: boolean; fresh?: boolean; beforeWrite?: () => Promise<void> },
];

interface RoomState {
  readonly metaEtag?: string;
  readonly version: number;
  readonly held: Slot[];
  readonly heldExists: boolean;
  readonly days: Map<string, { etag?: string; entries: DayEntry[] }>;
}

export class TableBookingStore implements BookingStore {
  /** Each room's meta and day rows as this store last read or wrote them (see `reserveRoom`). */
  private readonly roomRows = new Map<
    string,
    { metaEtag?: string; version: number; days: Map<string, { etag?: string; entries: DayEntry[] }> }
  >();
  /** The last change of each room waiting or under way in this store (see `turn`). */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly tables: TableService,
    private readonly random: () => number = Math.random,
  ) {}

  async reserve(
    bookingId: string,
    rooms: readonly RoomReservation[],
    options: ReserveOptions = {},
  ): Promise<ReadonlyMap<string, number>> {
    const versions = new Map<string, number>();
    const done: { roomId: string; previous: Slot[] }[] = [];
    let beforeWrite = options.beforeWrite;
    const once = async (): Promise<void> => {
      const run = beforeWrite;
      beforeWrite = undefined;
      await run?.();
    };
    try {
      for (const room of rooms) {
        const { version, previous } = await this.reserveRoom(bookingId, room.roomId, room.slots, {
          force: options.force === true,
          fresh: options.fresh === true,
          beforeWrite: once,
        });
        versions.set(room.roomId, version);
        done.push({ roomId: room.roomId, previous });
      }
    } catch (error) {
      // All or nothing: give the rooms already changed their previous slots back, latest first.
      for (const d of done.reverse())
        await this.reserveRoom(bookingId, d.roomId, d.previous, { force: true });
      throw error;
    }
    return versions;
  }

  async releaseOccurrences(
    bookingId: string,
    roomIds: readonly string[],
    keys: readonly string[],
  ): Promise<void> {
    const gone = new Set(keys.map((k) => Date.parse(k)));
    for (const roomId of roomIds)
      await this.reserveRoom(bookingId, roomId, (held) => held.filter((s) => !gone.has(Date.parse(s.key))), {
        force: true,
      });
  }

  /** `slots`: the booking's new slots in the room, or how to make them from what it holds now. */
  private async reserveRoom(...change: RoomChange): Promise<{ version: number; previous: Slot[] }> {
    const done = await this.turn(safeKey(change[1]));
    try {
      return await this.reserveRoomInTurn(...change);
    } finally {
      done();
    }
  }

  /**
   * The changes of one room made through this store take turns: each then starts from the rows the
   * one before wrote, instead of losing the If-Match race to it and reading the room again. Only an
   * economy (writers elsewhere are kept apart by the ETags): a turn that lasts past ROOM_TURN_MS is
   * no longer waited for.
   */
  private async turn(pk: string): Promise<() => void> {
    const previous = this.turns.get(pk);
    let release = (): void => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.turns.set(pk, mine);
    if (previous !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([previous, new Promise((resolve) => (timer = setTimeout(resolve, ROOM_TURN_MS)))]);
      clearTimeout(timer);
    }
    return () => {
      release();
      if (this.turns.get(pk) === mine) this.turns.delete(pk);
    };
  }

  private async reserveRoomInTurn(
    ...[bookingId, roomId, wanted, options]: RoomChange
  ): Promise<{ version: number; previous: Slot[] }> {
    const { force } = options;
    const table = await this.tables.table(ROOM_BOOKINGS_TABLE);
    const pk = safeKey(roomId);
    let previous: Slot[] | undefined;
    // A fresh booking's row exists only once a write wrote part of a long series: read it after that.
    let fresh = options.fresh === true;
    // A fresh booking may start from the room's rows as this store last saw them: each is written
    // with If-Match (or created), so a stale copy costs a refused write and a read, never a double
    // booking; and a conflict is only ever reported from rows just read.
    let mayRemember = fresh && typeof wanted !== "function";
    for (let round = 1; ; round++) {
      const held = typeof wanted === "function" ? await this.heldSlots(table, pk, bookingId) : undefined;
      const slots = typeof wanted === "function" ? wanted(held ?? []) : wanted;
      const newDays = new Set(slots.flatMap(utcDaysOf));
      const memory = mayRemember ? await this.remembered(table, pk, newDays) : undefined;
      const remembered = memory?.state;
      mayRemember = false;
      let state = remembered ?? (await this.readRoom(table, pk, bookingId, newDays, fresh));
      previous ??= state.held;
      if (!force) {
        let hit = firstConflict(state, bookingId, slots);
        if (hit !== undefined && remembered !== undefined) {
          // Only day rows just read may refuse: read the remembered ones again (the meta row is not
          // needed to refuse, and a stale remembered one costs a refused write and a full read, no more).
          const stale = new Set([...newDays].filter((day) => !memory?.justRead.has(day)));
          if (stale.size > 0) {
            const days = await this.readDays(table, pk, stale);
            state = { ...remembered, days: new Map([...remembered.days, ...days]) };
            this.keepDays(pk, remembered.metaEtag, days);
            hit = firstConflict(state, bookingId, slots);
          }
        }
        if (hit !== undefined) throw conflictAt(roomId, hit[2], hit[3]);
      }
      await options.beforeWrite?.();
      try {
        const version = await this.writeRoom(table, pk, bookingId, state, slots);
        return { version, previous };
      } catch (error) {
        this.forget(pk);
        fresh = false;
        if (remembered !== undefined && statusOf(error) === 412) continue;
        const status = statusOf(error);
        if ((status !== 412 && status !== 409 && status !== 404) || round >= MAX_ROUNDS) {
          if (status === 412 || status === 409 || status === 404)
            throw new AppError("dependency-unavailable", "The room is too busy right now; try again.", {
              retryable: true,
              cause: error,
            });
          throw error;
        }
        // Another writer changed the room meanwhile: re-read and check again, after a short pause.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * 5 * round)));
      }
    }
  }

  private async heldSlots(table: TableClient, pk: string, bookingId: string): Promise<Slot[]> {
    const held = await pointRead(table, pk, bookingRow(bookingId));
    return slotsOf(held);
  }

  private async readRoom(
    table: TableClient,
    pk: string,
    bookingId: string,
    newDays: Set<string>,
    fresh = false,
  ): Promise<RoomState> {
    const [meta, held] = await Promise.all([
      pointRead(table, pk, META),
      fresh ? undefined : pointRead(table, pk, bookingRow(bookingId)),
    ]);
    const heldSlots = slotsOf(held);
    const days = await this.readDays(table, pk, new Set([...newDays, ...heldSlots.flatMap(utcDaysOf)]));
    const state: RoomState = {
      ...(meta === undefined ? {} : { metaEtag: meta.etag }),
      version: typeof meta?.version === "number" ? meta.version : 0,
      held: heldSlots,
      heldExists: held !== undefined,
      days,
    };
    this.remember(pk, state.metaEtag, state.version, days);
    return state;
  }

  /** The room's day rows of `days` as stored now (an absent row: no entries, no ETag). */
  private async readDays(
    table: TableClient,
    pk: string,
    wanted: ReadonlySet<string>,
  ): Promise<Map<string, { etag?: string; entries: DayEntry[] }>> {
    const days = new Map<string, { etag?: string; entries: DayEntry[] }>();
    await Promise.all(
      [...wanted].map(async (day) => {
        const row = await pointRead(table, pk, dayRow(day));
        days.set(
          day,
          row === undefined
            ? { entries: [] }
            : { etag: row.etag, entries: unpackJson<DayEntry[]>(row) ?? [] },
        );
      }),
    );
    return days;
  }

  /**
   * The room's meta and day rows as last read or written here, if the room is known: days not known
   * yet are read (`justRead`; the meta row is not: a stale one costs a refused write and a full read).
   */
  private async remembered(
    table: TableClient,
    pk: string,
    days: ReadonlySet<string>,
  ): Promise<{ state: RoomState; justRead: ReadonlySet<string> } | undefined> {
    const room = this.roomRows.get(pk);
    if (room === undefined) return undefined;
    const known = new Map<string, { etag?: string; entries: DayEntry[] }>();
    const missing = new Set<string>();
    for (const day of days) {
      const row = room.days.get(day);
      if (row === undefined) missing.add(day);
      else known.set(day, row);
    }
    if (missing.size > 0) {
      const read = await this.readDays(table, pk, missing);
      for (const [day, row] of read) known.set(day, row);
      this.keepDays(pk, room.metaEtag, read);
    }
    const state: RoomState = {
      ...(room.metaEtag === undefined ? {} : { metaEtag: room.metaEtag }),
      version: room.version,
      held: [],
      heldExists: false,
      days: known,
    };
    return { state, justRead: missing };
  }

  private remember(
    pk: string,
    metaEtag: string | undefined,
    version: number,
    days: ReadonlyMap<string, { etag?: string; entries: DayEntry[] }>,
  ): void {
    const room = this.roomRows.get(pk);
    const kept =
      room === undefined || room.metaEtag !== metaEtag
        ? new Map<string, { etag?: string; entries: DayEntry[] }>()
        : room.days;
    for (const [day, row] of days) kept.set(day, row);
    if (kept.size > MAX_REMEMBERED_DAYS) kept.clear();
    if (room === undefined && this.roomRows.size >= MAX_REMEMBERED_ROOMS) this.roomRows.clear();
    this.roomRows.set(pk, { ...(metaEtag === undefined ? {} : { metaEtag }), version, days: kept });
  }

  /** Day rows just read, kept while the room's memory is the one they join (a write may have moved it). */
  private keepDays(
    pk: string,
    metaEtag: string | undefined,
    days: ReadonlyMap<string, { etag?: string; entries: DayEntry[] }>,
  ): void {
    const room = this.roomRows.get(pk);
    if (room === undefined || room.metaEtag !== metaEtag) return;
    if (room.days.size + days.size > MAX_REMEMBERED_DAYS) room.days.clear();
    for (const [day, row] of days) room.days.set(day, row);
  }

  private forget(pk: string): void {
    this.roomRows.delete(pk);
  }

  /** Writes the room's new state, in one transaction (or a few, for long series: each re-checked). */
  private async writeRoom(
    table: TableClient,
    pk: string,
    bookingId: string,
    state: RoomState,
    slots: readonly Slot[],
  ): Promise<number> {
    const days = [...state.days.keys()].sort();
    const chunks: string[][] = [];
    for (let i = 0; i < days.length; i += DAYS_PER_TRANSACTION)
      chunks.push(days.slice(i, i + DAYS_PER_TRANSACTION));
    if (chunks.length === 0) chunks.push([]);
    let version = state.version;
    let metaEtag = state.metaEtag;
    let heldExists = state.heldExists;
    for (const [index, chunk] of chunks.entries()) {
      const last = index === chunks.length - 1;
      // Until the last chunk, the booking's row lists old and new slots, so a release finds them all.
      const held = last ? slots : [...state.held, ...slots];
      version++;
      const actions: TransactionAction[] = [];
      const meta = { partitionKey: pk, rowKey: META, version };
      actions.push(
        metaEtag === undefined ? ["create", meta] : ["update", meta, "Replace", { etag: metaEtag }],
      );
      if (held.length === 0) {
        if (heldExists) actions.push(["delete", { partitionKey: pk, rowKey: bookingRow(bookingId) }]);
      } else {
        const row = {
          partitionKey: pk,
          rowKey: bookingRow(bookingId),
          bookingId,
          ...packJson(held.map((s): HeldSlot => [Date.parse(s.key), s.start, s.end])),
        };
        actions.push(["upsert", row, "Replace"]);
      }
      const written = new Map<string, { index?: number; entries: DayEntry[] }>();
      for (const day of chunk) {
        const current = state.days.get(day) ?? { entries: [] };
        const entries: DayEntry[] = current.entries.filter((e) => e[0] !== bookingId);
        for (const s of slots)
          if (utcDaysOf(s).includes(day)) entries.push([bookingId, Date.parse(s.key), s.start, s.end]);
        entries.sort((a, b) => a[2] - b[2]);
        const row = { partitionKey: pk, rowKey: dayRow(day), ...packJson(entries) };
        if (current.etag === undefined) {
          if (entries.length > 0) actions.push(["create", row]);
        } else if (entries.length === 0) {
          actions.push(["delete", { partitionKey: pk, rowKey: dayRow(day) }]);
        } else {
          actions.push(["update", row, "Replace", { etag: current.etag }]);
        }
        written.set(day, { ...(entries.length > 0 ? { index: actions.length - 1 } : {}), entries });
      }
      const result = await table.submitTransaction(actions);
      metaEtag = result.subResponses[0]?.etag?.trim() || undefined;
      if (chunks.length === 1) {
        // What the room's rows are now (a row without its new ETag is not remembered).
        const days = new Map<string, { etag?: string; entries: DayEntry[] }>();
        for (const [day, row] of written) {
          if (row.index === undefined) {
            days.set(day, { entries: [] });
            continue;
          }
          const etag = result.subResponses[row.index]?.etag?.trim();
          if (etag) days.set(day, { etag, entries: row.entries });
        }
        if (metaEtag === undefined) this.forget(pk);
        else this.remember(pk, metaEtag, version, days);
      } else {
        this.forget(pk);
      }
      heldExists = held.length > 0;
      if (!last && metaEtag === undefined) {
        // Without the new ETag the next chunk cannot be conditional: read it.
        metaEtag = (await pointRead(table, pk, META))?.etag;
      }
    }
    return version;
  }

  async create(booking: Booking): Promise<StoredBooking> {
    const table = await this.tables.table(BOOKINGS_TABLE);
    try {
      await this.indexEvent(booking);
      const result = await table.createEntity(docEntity(booking));
      await this.indexOrganizer(organizerRow(booking));
      return { booking, etag: result.etag ?? "" };
    } catch (error) {
      if (statusOf(error) === 409) throw new AppError("conflict", "A booking with this id exists already.");
      throw error;
    }
  }

  async get(id: string): Promise<StoredBooking | undefined> {
    const table = await this.tables.table(BOOKINGS_TABLE);
    const row = await pointRead(table, safeKey(id), DOC);
    if (row === undefined) return undefined;
    const booking = unpackJson<Booking>(row);
    return booking === undefined ? undefined : { booking, etag: row.etag };
  }

  async replace(booking: Booking, etag: string, previous?: Booking): Promise<StoredBooking> {
    const table = await this.tables.table(BOOKINGS_TABLE);
    try {
      // The event's row goes first (here and in `create`): a booking document naming an iCalUId
      // always has its row, so a replace that keeps the iCalUId need not write it again.
      if (previous === undefined || previous.calendar?.iCalUId !== booking.calendar?.iCalUId)
        await this.indexEvent(booking);
      const result = await table.updateEntity(docEntity(booking), "Replace", { etag });
      const row = organizerRow(booking);
      if (previous === undefined || !sameOrganizerRow(row, organizerRow(previous)))
        await this.indexOrganizer(row);
      return { booking, etag: result.etag ?? "" };
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 404)
        throw new AppError("precondition-failed", "The booking changed meanwhile; read it again.");
      throw error;
    }
  }

  async remove(id: string): Promise<void> {
    const stored = await this.get(id);
    const table = await this.tables.table(BOOKINGS_TABLE);
    await ignore404(() => table.deleteEntity(safeKey(id), DOC));
    if (stored !== undefined) {
      const index = await this.tables.table(BOOKINGS_BY_ORGANIZER_TABLE);
      await ignore404(() => index.deleteEntity(organizerKey(stored.booking), safeKey(id)));
    }
  }

  /** The row that finds the booking by its event's iCalUId (calendar sync), when it has one. */
  private async indexEvent(booking: Booking): Promise<void> {
    const iCalUId = booking.calendar?.iCalUId;
    if (iCalUId === undefined) return;
    const events = await this.tables.table(BOOKING_EVENTS_TABLE);
    const entity = { partitionKey: safeKey(iCalUId), rowKey: DOC, bookingId: booking.id };
    // The booking ONES wrote the event for owns its iCalUId; a booking made from a room's copy
    // (read before ONES recorded the event it wrote) never takes it from one.
    if (booking.source === "outlook") await ignore409(() => events.createEntity(entity));
    else await events.upsertEntity(entity, "Replace");
  }

  private async indexOrganizer(row: OrganizerRow): Promise<void> {
    const table = await this.tables.table(BOOKINGS_BY_ORGANIZER_TABLE);
    await table.upsertEntity(row, "Replace");
  }

  async listByOrganizer(
    organizerEmail: string,
    query: { readonly from?: number; readonly to?: number; readonly limit: number; readonly cursor?: string },
  ): Promise<BookingPage> {
    const table = await this.tables.table(BOOKINGS_BY_ORGANIZER_TABLE);
    const clauses = [`PartitionKey eq '${safeKey(organizerEmail.toLowerCase()).replace(/'/g, "''")}'`];
    if (query.from !== undefined) clauses.push(`last gt '${new Date(query.from).toISOString()}'`);
    if (query.to !== undefined) clauses.push(`first lt '${new Date(query.to).toISOString()}'`);
    const matches: { id: string; first: number }[] = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: clauses.join(" and "), select: ["bookingId", "first"] },
    })) {
      if (typeof row.bookingId === "string")
        matches.push({ id: row.bookingId, first: Date.parse(String(row.first)) });
    }
    matches.sort((a, b) => a.first - b.first || a.id.localeCompare(b.id));
    const offset = decodeCursor(query.cursor);
    const slice = matches.slice(offset, offset + query.limit);
    const items = (await Promise.all(slice.map((m) => this.get(m.id)))).flatMap((s) =>
      s === undefined ? [] : [s.booking],
    );
    const next = offset + query.limit;
    return {
      items,
      ...(next < matches.length ? { cursor: Buffer.from(String(next)).toString("base64url") } : {}),
    };
  }

  async findByICalUId(iCalUId: string): Promise<Booking | undefined> {
    const table = await this.tables.table(BOOKING_EVENTS_TABLE);
    const row = await pointRead(table, safeKey(iCalUId), DOC);
    if (row === undefined || typeof row.bookingId !== "string") return undefined;
    return (await this.get(row.bookingId))?.booking;
  }

  async roomSlots(roomId: string, from: number, to: number): Promise<SlotEntry[]> {
    const table = await this.tables.table(ROOM_BOOKINGS_TABLE);
    const pk = safeKey(roomId);
    const days = utcDaysBetween(from, to);
    const rows = await Promise.all(days.map((d) => pointRead(table, pk, dayRow(d))));
    const seen = new Set<string>();
    const out: SlotEntry[] = [];
    for (const row of rows) {
      for (const [bookingId, key, start, end] of row === undefined
        ? []
        : (unpackJson<DayEntry[]>(row) ?? [])) {
        const id = `${bookingId}|${key}`;
        if (seen.has(id) || !overlaps({ start, end }, { start: from, end: to })) continue;
        seen.add(id);
        out.push({ bookingId, key: new Date(key).toISOString(), start, end });
      }
    }
    return out.sort((a, b) => a.start - b.start);
  }

  async roomVersion(roomId: string): Promise<number> {
    const table = await this.tables.table(ROOM_BOOKINGS_TABLE);
    const meta = await pointRead(table, safeKey(roomId), META);
    return typeof meta?.version === "number" ? meta.version : 0;
  }
}

/** The slots a booking's row in a room lists. */
function slotsOf(held: Row | undefined): Slot[] {
  return (held === undefined ? [] : (unpackJson<HeldSlot[]>(held) ?? [])).map(([k, s, e]): Slot => ({
    key: new Date(k).toISOString(),
    start: s,
    end: e,
  }));
}

function docEntity(booking: Booking): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: safeKey(booking.id),
    rowKey: DOC,
    state: booking.state,
    // Saved with the booking itself, so the recovery sweep finds every calendar change still owed.
    ...(booking.calendarOwed === undefined
      ? {}
      : { calendarOwed: booking.calendarOwed, bookingId: booking.id }),
    ...((booking.occurrencesOwed ?? []).length === 0 ? {} : { occurrenceOwed: true, bookingId: booking.id }),
    ...((booking.releasesOwed ?? []).length === 0 ? {} : { releaseOwed: true, bookingId: booking.id }),
    ...packJson(booking),
  };
}

const organizerKey = (b: Booking): string => safeKey(b.organizer.email.toLowerCase());

interface OrganizerRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly bookingId: string;
  readonly first: string;
  readonly last: string;
  readonly state: string;
}

/** The booking's row in `bookingsbyorganizer`: its first start and last end, and its state. */
function organizerRow(booking: Booking): OrganizerRow {
  const held = Object.values(booking.reserved).flat();
  const first = Math.min(booking.start, ...held.map((s) => s.start));
  const last = Math.max(booking.end, ...held.map((s) => s.end));
  return {
    partitionKey: organizerKey(booking),
    rowKey: safeKey(booking.id),
    bookingId: booking.id,
    // ISO 8601 text compares in time order in a filter (numbers this large would be doubles).
    first: new Date(first).toISOString(),
    last: new Date(last).toISOString(),
    state: booking.state,
  };
}

const sameOrganizerRow = (a: OrganizerRow, b: OrganizerRow): boolean =>
  a.partitionKey === b.partitionKey && a.first === b.first && a.last === b.last && a.state === b.state;

/** The first entry of another booking that overlaps one of `slots`, in the rows of `state`. */
function firstConflict(state: RoomState, bookingId: string, slots: readonly Slot[]): DayEntry | undefined {
  for (const s of slots) {
    for (const day of utcDaysOf(s)) {
      const hit = state.days
        .get(day)
        ?.entries.find((e) => e[0] !== bookingId && overlaps(s, { start: e[2], end: e[3] }));
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

function conflictAt(roomId: string, start: number, end: number): AppError {
  const from = new Date(start).toISOString();
  const to = new Date(end).toISOString();
  return new AppError("conflict", `The room ${roomId} is already booked from ${from} to ${to}.`, {
    extensions: { roomId, conflictStart: from, conflictEnd: to },
  });
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const n = Number(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!Number.isInteger(n) || n < 0) throw new AppError("validation-failed", "The cursor is not valid.");
  return n;
}

async function pointRead(table: TableClient, pk: string, rk: string): Promise<Row | undefined> {
  try {
    return await table.getEntity<Record<string, unknown>>(pk, rk);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

async function ignore409(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
}

async function ignore404(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}
