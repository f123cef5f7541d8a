import type { RoomPolicySummary, RoomView as Room } from "../../../shared/app/bookings/rooms";
import type { BookingView as Booking } from "../../../shared/domain/bookings/booking";
import type { Recurrence } from "../../../shared/domain/bookings/recurrence";
import type { ApprovalRequestView } from "../../../shared/app/bookings/approvals-waiting";
import type { PersonChoice } from "../../../shared/app/people/search-people";
import { api, query, request } from "./client";

/**
 * The booking API the staff pages use (rooms, schedules, bookings, approvals), typed after the server's
 * shapes: lists are `{ items, cursor? }`; create, edit, cancel, approve and reject answer 202 with the
 * booking; a policy refusal is a 422 problem with `rule`, `limit` and `refusals[]`; a taken slot a 409
 * with `conflictStart` / `conflictEnd`.
 */
export type { RoomView as Room, RoomPolicySummary } from "../../../shared/app/bookings/rooms";
export type { FormField } from "../../../shared/domain/bookings/policy";
export type { BookingView as Booking, BookingState } from "../../../shared/domain/bookings/booking";
export type { Recurrence } from "../../../shared/domain/bookings/recurrence";
export type { ApprovalRequestView as ApprovalRequest } from "../../../shared/app/bookings/approvals-waiting";
export type { PersonChoice } from "../../../shared/app/people/search-people";

export type RoomWithPolicy = Room & { readonly policy: RoomPolicySummary };

export interface Page<T> {
  readonly items: readonly T[];
  readonly cursor?: string;
}

export interface RoomFilter {
  building?: string;
  floor?: string;
  capacity?: number;
  /** Comma-separated tags or devices, every one required. */
  equipment?: string;
  from?: string;
  to?: string;
  cursor?: string;
}

export interface BusyBlock {
  readonly bookingId: string;
  readonly occurrence: string;
  readonly start: string;
  readonly end: string;
  readonly state: string;
  /** Only as the room's privacy setting allows. */
  readonly subject?: string;
  readonly organizer?: string;
}

export interface RoomSchedule {
  readonly roomId: string;
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  readonly items: readonly BusyBlock[];
}

export interface Attendee {
  readonly email: string;
  readonly name?: string;
  readonly type?: "required" | "optional";
}

export interface NewBooking {
  roomIds: string[];
  start: string;
  end: string;
  subject: string;
  attendees: Attendee[];
  body?: string;
  isOnlineMeeting?: boolean;
  recurrence?: Recurrence;
  termsAccepted?: boolean;
  fields?: Record<string, string | number>;
}

export interface BookingEdit {
  occurrence?: string;
  start?: string;
  end?: string;
  subject?: string;
  attendees?: Attendee[];
  isOnlineMeeting?: boolean;
}

/** One refusal of a 422 `policy-refused`: the rule, its limit, and the server's English sentence. */
export interface PolicyRefusal {
  readonly rule: string;
  readonly limit: string | number | boolean | readonly string[] | null;
  readonly detail?: string;
  readonly field?: string;
}

const room = (id: string): string => `/api/rooms/${encodeURIComponent(id)}`;
const booking = (id: string): string => `/api/bookings/${encodeURIComponent(id)}`;

export const bookingApi = {
  rooms: (filter: RoomFilter) => api.get<Page<Room>>(`/api/rooms${query({ ...filter })}`),
  room: (id: string) => api.get<RoomWithPolicy>(room(id)),
  schedule: (id: string, from: string, to: string) =>
    api.get<RoomSchedule>(`${room(id)}/schedule${query({ from, to })}`),
  create: (b: NewBooking) => request<Booking>("POST", "/api/bookings", b).then((r) => r.body),
  mine: (cursor?: string) => api.get<Page<Booking>>(`/api/bookings${query({ mine: true, cursor })}`),
  get: (id: string) => api.get<Booking>(booking(id)),
  update: (id: string, change: BookingEdit) => api.patch<Booking>(booking(id), change),
  cancel: (id: string, occurrence?: string) => api.delete<Booking>(`${booking(id)}${query({ occurrence })}`),
  /** The requests waiting for the signed-in person's decision, soonest first. */
  approvals: (cursor?: string) =>
    api.get<Page<ApprovalRequestView>>(`/api/bookings/approvals${query({ cursor })}`),
  /** People of the directory whose name or address starts with `search` (2+ characters), at most 20. */
  people: (search: string) => api.get<Page<PersonChoice>>(`/api/people${query({ search, limit: 20 })}`),
  approve: (id: string) => api.post<Booking>(`${booking(id)}/approve`).then((r) => r.body),
  reject: (id: string, reason: string) =>
    api.post<Booking>(`${booking(id)}/reject`, { reason }).then((r) => r.body),
};
