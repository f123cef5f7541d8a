import type { RoomEventDetails, RoomEventGateway } from "../../app/ports/room-events";
import type { Recurrence } from "../../domain/bookings/recurrence";
import { isGraphCallError } from "../../domain/integration/graph-call-error";
import { BOOKING_ID_PROPERTY } from "./graph-calendar-gateway";
import type { GraphClient } from "./graph-client";
import { utcInstant } from "./graph-room-calendar-reader";

interface EventBody {
  readonly subject?: string;
  readonly isAllDay?: boolean;
  readonly organizer?: { readonly emailAddress?: { readonly name?: string } };
  readonly responseStatus?: { readonly response?: string };
  readonly recurrence?: Recurrence | null;
  readonly originalStartTimeZone?: string;
  readonly start?: { readonly dateTime?: string };
  readonly end?: { readonly dateTime?: string };
  readonly isCancelled?: boolean;
  readonly lastModifiedDateTime?: string;
  readonly singleValueExtendedProperties?: readonly { readonly id: string; readonly value: string }[];
}

const SELECT =
  "subject,isAllDay,organizer,responseStatus,recurrence,originalStartTimeZone,start,end,isCancelled,lastModifiedDateTime";
const EXPAND = `singleValueExtendedProperties($filter=id eq '${BOOKING_ID_PROPERTY}')`;
const RESPONSES = new Set(["none", "accepted", "tentativelyAccepted", "declined", "organizer"]);

/** A room's events on the room's behalf (app-only token), each call in the room's mailbox slot. */
export class GraphRoomEventGateway implements RoomEventGateway {
  constructor(private readonly client: GraphClient) {}

  async details(roomEmail: string, eventId: string): Promise<RoomEventDetails | undefined> {
    const path = `/users/${encodeURIComponent(roomEmail)}/events/${encodeURIComponent(eventId)}?$select=${SELECT}&$expand=${encodeURIComponent(EXPAND)}`;
    let body: EventBody;
    try {
      body = await this.client.get<EventBody>(path, {
        mailbox: roomEmail,
        headers: { Prefer: 'outlook.timezone="UTC"' },
      });
    } catch (error) {
      if (isGraphCallError(error) && error.status === 404) return undefined;
      throw error;
    }
    const stamped = body.singleValueExtendedProperties?.find(
      (p) => p.id.toLowerCase() === BOOKING_ID_PROPERTY.toLowerCase(),
    )?.value;
    const response = body.responseStatus?.response;
    return {
      ...(stamped === undefined || stamped === "" ? {} : { onesBookingId: stamped }),
      ...(body.subject === undefined ? {} : { subject: body.subject }),
      ...(body.organizer?.emailAddress?.name === undefined
        ? {}
        : { organizerName: body.organizer.emailAddress.name }),
      ...(body.isAllDay === undefined ? {} : { isAllDay: body.isAllDay }),
      ...(response !== undefined && RESPONSES.has(response)
        ? { response: response as NonNullable<RoomEventDetails["response"]> }
        : {}),
      ...(body.recurrence === undefined || body.recurrence === null ? {} : { recurrence: body.recurrence }),
      ...(body.start?.dateTime === undefined ? {} : { start: utcInstant(body.start.dateTime) }),
      ...(body.end?.dateTime === undefined ? {} : { end: utcInstant(body.end.dateTime) }),
      ...(body.isCancelled === undefined ? {} : { isCancelled: body.isCancelled }),
      ...(body.lastModifiedDateTime === undefined
        ? {}
        : { lastModified: utcInstant(body.lastModifiedDateTime) }),
    };
  }

  async decline(roomEmail: string, eventId: string, comment: string): Promise<void> {
    try {
      await this.client.post(
        `/users/${encodeURIComponent(roomEmail)}/events/${encodeURIComponent(eventId)}/decline`,
        { comment, sendResponse: true },
        { mailbox: roomEmail },
      );
    } catch (error) {
      // Declined (and gone) already.
      if (!isGraphCallError(error) || error.status !== 404) throw error;
    }
  }
}
