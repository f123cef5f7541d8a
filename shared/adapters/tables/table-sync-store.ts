import type { SyncStore, SyncWrite } from "../../app/ports/sync-store";
import { DEFAULT_TRANSACTION_RETRY, TableBatchWriter, type RoutedWrite } from "./table-batch-writer";
import { groupWrite, membershipWrite, personWrite, rowsStored, TablePeopleStore } from "./table-people";
import { roomListWrite, roomWrite, TableRoomStore } from "./table-rooms";
import type { TableService } from "./table-service";

/** The synced copy of Microsoft 365 in Table Storage: rooms, room lists, people, groups, memberships. */
export class TableSyncStore implements SyncStore {
  readonly rooms: TableRoomStore;
  readonly people: TablePeopleStore;

  constructor(
    private readonly tables: TableService,
    private readonly maxInFlight = 8,
  ) {
    this.rooms = new TableRoomStore(tables);
    this.people = new TablePeopleStore(tables);
  }

  writer(): TableBatchWriter {
    return new TableBatchWriter(
      this.tables,
      routeWrite,
      this.maxInFlight,
      DEFAULT_TRANSACTION_RETRY,
      rowsStored,
    );
  }
}

export function routeWrite(write: SyncWrite): RoutedWrite {
  switch (write.entity) {
    case "room":
      return roomWrite(write.room, write.hash);
    case "roomList":
      return roomListWrite(write.list, write.hash);
    case "person":
      return personWrite(write.person, write.hash);
    case "group":
      return groupWrite(write.group, write.hash, write.membersHash);
    case "membership":
      return membershipWrite(write.membership, write.op);
  }
}
