import type { RoomCalendarCheck, RoomCalendarProbe } from "../../app/ports/m365-gateways";
import { isGraphCallError } from "../../domain/integration/graph-call-error";
import { isAppError } from "../../domain/errors";
import type { GraphClient } from "./graph-client";

interface CalendarBody {
  name?: string;
  owner?: { name?: string; address?: string } | null;
}

/** Reads a room's calendar with a signed-in user's token (delegated modes) to prove it is reachable. */
export class GraphRoomCalendarProbe implements RoomCalendarProbe {
  constructor(private readonly clientFor: (userId: string) => GraphClient) {}

  async check(roomEmail: string, userId: string): Promise<RoomCalendarCheck> {
    try {
      const calendar = await this.clientFor(userId).get<CalendarBody>(
        `/users/${encodeURIComponent(roomEmail)}/calendar?$select=id,name,owner`,
        { mailbox: roomEmail },
      );
      const displayName = calendar.owner?.name ?? undefined;
      return { reachable: true, ...(displayName ? { displayName } : {}) };
    } catch (error) {
      if (isGraphCallError(error)) {
        const requestId = error.graphRequestId === undefined ? {} : { graphRequestId: error.graphRequestId };
        if (error.status === 404) return { reachable: false, reason: "not-found", ...requestId };
        if (error.status === 403) return { reachable: false, reason: "access-denied", ...requestId };
        if (error.status === 401) return { reachable: false, reason: "not-signed-in", ...requestId };
        return { reachable: false, reason: "unavailable", ...requestId };
      }
      // The token provider's "sign in to ONES once".
      if (isAppError(error) && error.code === "unauthenticated") return { reachable: false, reason: "not-signed-in" };
      throw error;
    }
  }
}
