import type { Group, Membership } from "../../domain/people/group";
import type { Person } from "../../domain/people/person";
import type { Room, RoomList } from "../../domain/rooms/room";

/** One entity write of a sync. `hash` is the content fingerprint stored beside the entity. */
export type SyncWrite =
  | { readonly entity: "room"; readonly room: Room; readonly hash: string }
  | { readonly entity: "roomList"; readonly list: RoomList; readonly hash: string }
  | { readonly entity: "person"; readonly person: Person; readonly hash: string }
  | { readonly entity: "group"; readonly group: Group; readonly hash: string; readonly membersHash: string }
  | { readonly entity: "membership"; readonly membership: Membership; readonly op: "put" | "delete" };

/**
 * Writes of one sync run, grouped into entity-group transactions (up to 100 per partition). Writes
 * are tagged with the page they came from; `committedPage` is the last page whose writes are all
 * durable, which is what a checkpoint may point past.
 */
export interface SyncWriter {
  /** Queues a write; resolves once it is buffered (waits when too many transactions are in flight). */
  add(write: SyncWrite, page: number): Promise<void>;
  /** Every write of `page` has been added. */
  pageComplete(page: number): void;
  /** The last page whose writes are all stored (-1 before any). */
  readonly committedPage: number;
  /** Waits for the transactions in flight (not the partial buffers), so `committedPage` is current. */
  settle(): Promise<void>;
  /** Stores everything still buffered. */
  flush(): Promise<void>;
  readonly stats: { readonly transactions: number; readonly entities: number };
}

/** What a sync compares against: fingerprints of what is stored. */
export interface Fingerprint {
  readonly hash: string;
  readonly active: boolean;
  readonly membersHash?: string;
}

export interface RoomStore {
  /** Every stored room (a tenant has hundreds to a few thousand). */
  rooms(): Promise<Room[]>;
  roomLists(): Promise<RoomList[]>;
  room(id: string): Promise<Room | undefined>;
  /** Admin-configured IANA zone per building id. */
  buildingZones(): Promise<Map<string, string>>;
  /** Stores a building's IANA zone (admin configuration). */
  setBuildingZone(buildingId: string, timeZone: string): Promise<void>;
  /**
   * Lower-case addresses of the active rooms; with `includeInactive`, of every room mailbox ONES knows
   * (a room that left /places is still a room mailbox, not a person).
   */
  roomEmails(options?: { readonly includeInactive?: boolean }): Promise<Set<string>>;
  /** The address of one active room (any), read without scanning the table; undefined when none. */
  anyActiveRoomEmail(): Promise<string | undefined>;
}

export interface PeopleStore {
  /** Fingerprints of all stored people (full resync: what to compare with, and what to sweep). */
  personFingerprints(): Promise<Map<string, Fingerprint>>;
  groupFingerprints(): Promise<Map<string, Fingerprint>>;
  /** Stored people by id (point reads, for incremental rounds). */
  people(ids: readonly string[]): Promise<Map<string, Person & { readonly hash: string }>>;
  groups(
    ids: readonly string[],
  ): Promise<Map<string, Group & { readonly hash: string; readonly membersHash: string }>>;
  membersOf(groupId: string): Promise<Membership[]>;
  person(id: string): Promise<Person | undefined>;
  /** Stores one person outside a sync run (people created at sign-in), in the row the sync uses. */
  savePerson(person: Person, hash: string): Promise<void>;
}

export interface SyncStore {
  readonly rooms: RoomStore;
  readonly people: PeopleStore;
  /** A writer for one run. */
  writer(): SyncWriter;
}
