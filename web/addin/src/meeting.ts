import {
  call,
  type AppointmentCompose,
  type CustomProperties,
  type OfficeSurface,
  type Recipient,
} from "./office";
import { HOLD_PROPERTY } from "../../../shared/domain/addin/hold-tag";

export { HOLD_PROPERTY };

/** The meeting as the organizer is composing it. */
export interface Meeting {
  readonly start: Date;
  readonly end: Date;
  readonly organizer: string;
  readonly attendees: readonly Recipient[];
  readonly location: string;
  /** The hold this item is already tagged with (the pane was opened again), if any. */
  readonly holdId?: string;
}

/** Reads start, end, attendees, location and the hold tag of the item through Office.js. */
export async function readMeeting(office: OfficeSurface): Promise<Meeting> {
  const { item, userProfile } = office.context.mailbox;
  const [start, end, required, optional, location, properties] = await Promise.all([
    call<Date>((cb) => item.start.getAsync(cb)),
    call<Date>((cb) => item.end.getAsync(cb)),
    call<Recipient[]>((cb) => item.requiredAttendees.getAsync(cb)),
    call<Recipient[]>((cb) => item.optionalAttendees.getAsync(cb)),
    call<string>((cb) => item.location.getAsync(cb)),
    call<CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb)),
  ]);
  const holdId = properties.get(HOLD_PROPERTY);
  return {
    start: new Date(start),
    end: new Date(end),
    organizer: userProfile.emailAddress,
    attendees: [...required, ...optional],
    location,
    ...(typeof holdId === "string" && holdId !== "" ? { holdId } : {}),
  };
}

/**
 * The seats the meeting needs: every distinct person invited plus the organizer, leaving out rooms
 * (addresses of rooms ONES knows). A distribution list counts as one seat: its size is not known here.
 */
export function requiredCapacity(meeting: Meeting, roomAddresses: ReadonlySet<string> = new Set()): number {
  const people = new Set<string>(meeting.organizer === "" ? [] : [meeting.organizer.toLowerCase()]);
  for (const a of meeting.attendees) {
    const address = a.emailAddress.trim().toLowerCase();
    if (address !== "" && !roomAddresses.has(address)) people.add(address);
  }
  return people.size;
}

export interface ChosenRoom {
  readonly email: string;
  readonly displayName: string;
}

/**
 * Puts the chosen room on the meeting: as a room location where the host has typed locations (the room
 * becomes a resource of the meeting), otherwise as an attendee and the location text. Then tags the item
 * with the hold id, so the sent meeting can be matched to the hold.
 */
export async function applyRoom(office: OfficeSurface, room: ChosenRoom, holdId: string): Promise<void> {
  const item = office.context.mailbox.item;
  if (item.enhancedLocation !== undefined && supports(office, "1.8")) {
    const enhanced = item.enhancedLocation;
    await call<void>((cb) => enhanced.addAsync([{ id: room.email, type: "room" }], cb));
  } else {
    await call<void>((cb) =>
      item.requiredAttendees.addAsync([{ emailAddress: room.email, displayName: room.displayName }], cb),
    );
    await call<void>((cb) => item.location.setAsync(room.displayName, cb));
  }
  await tagHold(item, holdId);
}

/**
 * Takes a room the pane put on the meeting off it again (another room was chosen instead): the room
 * location, or the attendee and the location text on older hosts; the hold tag goes with it.
 */
export async function removeRoom(office: OfficeSurface, room: ChosenRoom): Promise<void> {
  const item = office.context.mailbox.item;
  if (item.enhancedLocation !== undefined && supports(office, "1.8")) {
    const enhanced = item.enhancedLocation;
    await call<void>((cb) => enhanced.removeAsync([{ id: room.email, type: "room" }], cb));
  } else {
    const required = await call<Recipient[]>((cb) => item.requiredAttendees.getAsync(cb));
    const others = required
      .filter((r) => r.emailAddress.toLowerCase() !== room.email.toLowerCase())
      .map((r) => ({ emailAddress: r.emailAddress, displayName: r.displayName ?? r.emailAddress }));
    await call<void>((cb) => item.requiredAttendees.setAsync(others, cb));
    const location = await call<string>((cb) => item.location.getAsync(cb));
    if (location === room.displayName) await call<void>((cb) => item.location.setAsync("", cb));
  }
  const properties = await call<CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
  properties.remove(HOLD_PROPERTY);
  await call<void>((cb) => properties.saveAsync(cb));
}

async function tagHold(item: AppointmentCompose, holdId: string): Promise<void> {
  const properties = await call<CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
  properties.set(HOLD_PROPERTY, holdId);
  await call<void>((cb) => properties.saveAsync(cb));
}

/**
 * Saves the draft and answers the item's id as Microsoft Graph knows it: `getItemIdAsync` where the
 * host has it (Mailbox 1.8), else the value `saveAsync` returns; converted from the EWS form where the
 * host can convert.
 */
export async function saveAndGetItemId(office: OfficeSurface): Promise<string> {
  const mailbox = office.context.mailbox;
  const item = mailbox.item;
  const saved = await call<string>((cb) => item.saveAsync(cb));
  const id =
    item.getItemIdAsync !== undefined && supports(office, "1.8")
      ? await call<string>((cb) => item.getItemIdAsync?.(cb))
      : saved;
  return mailbox.convertToRestId === undefined ? id : mailbox.convertToRestId(id, "v2.0");
}

function supports(office: OfficeSurface, version: string): boolean {
  return office.context.requirements?.isSetSupported("Mailbox", version) ?? false;
}
