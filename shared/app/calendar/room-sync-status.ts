import { calendarChangeMessageId, type CalendarChangeMessage } from "../../domain/calendar/calendar-change";
import { AppError } from "../../domain/errors";
import type {
  RejectedNotificationCounter,
  RoomSyncRecord,
  RoomSyncStateStore,
} from "../ports/room-calendars";
import type { RoomStore } from "../ports/sync-store";
import type { WorkQueue } from "../ports/work-queue";

export interface RoomSyncStatusPage {
  readonly items: readonly RoomSyncRecord[];
  readonly continuation?: string;
  /** Notifications the intake dropped (unknown subscription, wrong clientState, malformed), all workers. */
  readonly rejectedNotifications: Awaited<ReturnType<RejectedNotificationCounter["totals"]>>;
}

/** The `rooms` section of GET /api/admin/sync: per room, its calendar sync, a page at a time. */
export async function roomSyncStatus(
  deps: { readonly roomState: RoomSyncStateStore; readonly rejected: RejectedNotificationCounter },
  page: { readonly limit: number; readonly continuation?: string },
): Promise<RoomSyncStatusPage> {
  const [rooms, rejectedNotifications] = await Promise.all([
    deps.roomState.page(page.limit, page.continuation),
    deps.rejected.totals(),
  ]);
  return {
    items: rooms.items,
    ...(rooms.continuation === undefined ? {} : { continuation: rooms.continuation }),
    rejectedNotifications,
  };
}

/** POST /api/admin/rooms/{id}/resync: a full read of the room's calendar, queued. */
export async function requestRoomResync(
  deps: { readonly rooms: Pick<RoomStore, "room">; readonly workQueue: WorkQueue; readonly now: () => Date },
  roomId: string,
): Promise<{ readonly roomId: string; readonly messageId: string }> {
  const room = await deps.rooms.room(roomId.trim().toLowerCase());
  if (room === undefined) throw new AppError("not-found", "There is no room with this id.");
  const message: CalendarChangeMessage = {
    kind: "room-resync",
    roomId: room.id,
    reason: "admin",
    receivedAt: deps.now().toISOString(),
  };
  const messageId = calendarChangeMessageId(message);
  await deps.workQueue.enqueue("calendar-changes", { id: messageId, body: message });
  return { roomId: room.id, messageId };
}
