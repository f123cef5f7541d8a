import type { GraphPage, PlacesGateway } from "../../app/ports/m365-gateways";
import type { PlaceRoom, PlaceRoomList } from "../../domain/rooms/room";
import type { GraphClient } from "./graph-client";

const ROOM_FIELDS = [
  "id",
  "emailAddress",
  "displayName",
  "capacity",
  "building",
  "floorNumber",
  "floorLabel",
  "isWheelChairAccessible",
  "bookingType",
  "tags",
  "audioDeviceName",
  "videoDeviceName",
  "displayDeviceName",
  "address",
].join(",");
const LIST_FIELDS = "id,emailAddress,displayName,address";
/** Places pages default to 100; `$top` raises that (graph-facts §1). nextLinks keep it. */
const TOP = 999;
/** Schedules per getSchedule call (Graph takes up to 100). */
const SCHEDULES_PER_CALL = 100;

interface ScheduleInformation {
  scheduleId?: string;
  workingHours?: { timeZone?: { name?: string | null } | null } | null;
}

/** Rooms and room lists from /places, and the rooms' working-hours time zones from getSchedule. */
export class GraphPlacesGateway implements PlacesGateway {
  constructor(private readonly graph: GraphClient) {}

  roomLists(): AsyncIterable<GraphPage<PlaceRoomList>> {
    return this.graph.pages<PlaceRoomList>(
      `/places/microsoft.graph.roomList?$select=${LIST_FIELDS}&$top=${TOP}`,
    );
  }

  roomsInList(listEmail: string): AsyncIterable<GraphPage<PlaceRoom>> {
    // A room list is addressed by its e-mail address, not its id.
    const list = encodeURIComponent(listEmail);
    return this.graph.pages<PlaceRoom>(
      `/places/${list}/microsoft.graph.roomList/rooms?$select=id,emailAddress&$top=${TOP}`,
    );
  }

  rooms(): AsyncIterable<GraphPage<PlaceRoom>> {
    return this.graph.pages<PlaceRoom>(`/places/microsoft.graph.room?$select=${ROOM_FIELDS}&$top=${TOP}`);
  }

  async workingHoursZones(roomEmails: readonly string[]): Promise<Map<string, string>> {
    const zones = new Map<string, string>();
    const start = new Date();
    const end = new Date(start.getTime() + 24 * 3600 * 1000);
    const chunks: string[][] = [];
    for (let i = 0; i < roomEmails.length; i += SCHEDULES_PER_CALL) {
      chunks.push(roomEmails.slice(i, i + SCHEDULES_PER_CALL));
    }
    await Promise.all(
      chunks.map(async (schedules) => {
        const mailbox = schedules[0] as string;
        const body = {
          schedules,
          startTime: { dateTime: start.toISOString().slice(0, 19), timeZone: "UTC" },
          endTime: { dateTime: end.toISOString().slice(0, 19), timeZone: "UTC" },
          availabilityViewInterval: 60,
        };
        const result = await this.graph.post<{ value?: ScheduleInformation[] }>(
          `/users/${encodeURIComponent(mailbox)}/calendar/getSchedule`,
          body,
          { mailbox, headers: { Prefer: 'outlook.timezone="UTC"' } },
        );
        for (const info of result.value ?? []) {
          const name = info.workingHours?.timeZone?.name;
          if (info.scheduleId !== undefined && typeof name === "string" && name !== "") {
            zones.set(info.scheduleId.toLowerCase(), name);
          }
        }
      }),
    );
    return zones;
  }
}
