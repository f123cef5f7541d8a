import type { RoomCalendarCheck, RoomCalendarProbe } from "../../app/ports/m365-gateways";
import { isGraphCallError } from "../../domain/integration/graph-call-error";
import { isAppError } from "../../domain/errors";
import type { GraphClient } from "./graph-client";

/** Reads a room's calendar with a signed-in user's token (delegated modes) to prove it is reachable. */
export class GraphRoomCalendarProbe implements RoomCalendarProbe {
  constructor(private readonly clientFor: (userId: string) => GraphClient) {}

  async check(roomEmail: string, userId: string): Promise<RoomCalendarCheck> {
    try {
      // Reading a minute of the room's calendar proves the user's rights on it (delegated *.Shared).
      const start = new Date();
      const end = new Date(start.getTime() + 60_000);
      const query = `startDateTime=${start.toISOString()}&endDateTime=${end.toISOString()}&$top=1&$select=id`;
      await this.clientFor(userId).get<unknown>(
        `/users/${encodeURIComponent(roomEmail)}/calendarView?${query}`,
        {
          mailbox: roomEmail,
        },
      );
      return { reachable: true };
    } catch (error) {
      if (isGraphCallError(error)) {
        const requestId = error.graphRequestId === undefined ? {} : { graphRequestId: error.graphRequestId };
        if (error.status === 404) return { reachable: false, reason: "not-found", ...requestId };
        if (error.status === 403) return { reachable: false, reason: "access-denied", ...requestId };
        if (error.status === 401) return { reachable: false, reason: "not-signed-in", ...requestId };
        return { reachable: false, reason: "unavailable", ...requestId };
      }
      // The token provider's "sign in to ONES once".
      if (isAppError(error) && error.code === "unauthenticated")
        return { reachable: false, reason: "not-signed-in" };
      throw error;
    }
  }
}
