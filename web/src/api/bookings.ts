import { api, query, request } from "./client";

/**
 * The booking API the staff pages will use (rooms, schedules, bookings, approvals, policies), typed as
 * planned. The server side is being built; the pages call only what exists and show the rest as
 * "coming" rather than a dead button.
 */
export interface Room {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly building?: string;
  readonly floor?: string;
  readonly capacity?: number;
  readonly tags?: readonly string[];
  readonly timeZone: string;
  /** Free for the whole of the asked `from`–`to` (when the list was asked with them). */
  readonly free?: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly continuation?: string;
}

export interface RoomFilter {
  building?: string;
  floor?: string;
  capacity?: number;
  equipment?: string;
  from?: string;
  to?: string;
  continuation?: string;
}

export interface BusyBlock {
  readonly start: string;
  readonly end: string;
  /** Only as the room's privacy setting allows. */
  readonly subject?: string;
  readonly organizer?: string;
}

export type BookingState = "pending" | "awaiting-approval" | "confirmed" | "declined" | "cancelled";

export interface Attendee {
  readonly email: string;
  readonly name?: string;
}

export interface Recurrence {
  readonly pattern: {
    readonly type:
      "daily" | "weekly" | "absoluteMonthly" | "relativeMonthly" | "absoluteYearly" | "relativeYearly";
    readonly interval: number;
    readonly daysOfWeek?: readonly string[];
    readonly dayOfMonth?: number;
    readonly month?: number;
    readonly index?: "first" | "second" | "third" | "fourth" | "last";
  };
  readonly range: {
    readonly startDate: string;
    readonly endDate?: string;
    readonly numberOfOccurrences?: number;
  };
}

export interface Booking {
  readonly id: string;
  readonly state: BookingState;
  readonly roomIds: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly subject: string;
  readonly organizer: Attendee;
  readonly attendees: readonly Attendee[];
  readonly body?: string;
  readonly isOnlineMeeting?: boolean;
  readonly recurrence?: Recurrence;
  readonly formFields?: Readonly<Record<string, string | number>>;
  readonly reason?: string;
  readonly etag?: string;
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
  onBehalfOf?: string;
  acceptTerms?: boolean;
  formFields?: Record<string, string | number>;
}

/** A policy refusal (422): `rule` names the rule, `limit` its value, so a page can say why. */
export interface PolicyRefusal {
  readonly rule: string;
  readonly limit?: unknown;
}

export const bookingApi = {
  rooms: (filter: RoomFilter) => api.get<Page<Room>>(`/api/rooms${query({ ...filter })}`),
  room: (id: string) => api.get<Room>(`/api/rooms/${encodeURIComponent(id)}`),
  schedule: (id: string, from: string, to: string) =>
    api.get<{ readonly busy: readonly BusyBlock[] }>(
      `/api/rooms/${encodeURIComponent(id)}/schedule${query({ from, to })}`,
    ),
  create: (booking: NewBooking) => request<Booking>("POST", "/api/bookings", booking).then((r) => r.body),
  mine: (from?: string, to?: string, continuation?: string) =>
    api.get<Page<Booking>>(`/api/bookings${query({ mine: true, from, to, continuation })}`),
  get: (id: string) => api.get<Booking>(`/api/bookings/${encodeURIComponent(id)}`),
  update: (id: string, change: Partial<NewBooking>, etag?: string) =>
    api.patch<Booking>(`/api/bookings/${encodeURIComponent(id)}`, change, etag),
  cancel: (id: string) => api.delete<Booking>(`/api/bookings/${encodeURIComponent(id)}`),
  approve: (id: string) => api.post<Booking>(`/api/bookings/${encodeURIComponent(id)}/approve`),
  reject: (id: string, reason: string) =>
    api.post<Booking>(`/api/bookings/${encodeURIComponent(id)}/reject`, { reason }),
};
