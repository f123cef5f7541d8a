import { contentHash } from "../sync/content-hash";

/** A user as Graph's /users/delta returns it, with the fields ONES selects. */
export interface DirectoryUser {
  readonly id: string;
  readonly displayName?: string | null;
  readonly givenName?: string | null;
  readonly surname?: string | null;
  readonly mail?: string | null;
  readonly userPrincipalName?: string | null;
  readonly department?: string | null;
  readonly jobTitle?: string | null;
  readonly officeLocation?: string | null;
  readonly preferredLanguage?: string | null;
  readonly accountEnabled?: boolean | null;
  /** Delta: the object is gone; `changed` = soft-deleted (restorable), `deleted` = permanently. */
  readonly "@removed"?: { readonly reason?: string };
}

/** The fields ONES asks for (`$select`): a change to any other property does not show up in delta. */
export const userSelect = [
  "id",
  "displayName",
  "givenName",
  "surname",
  "mail",
  "userPrincipalName",
  "department",
  "jobTitle",
  "officeLocation",
  "preferredLanguage",
  "accountEnabled",
] as const;

/**
 * Why a person may not use ONES. `disabled`: the account is blocked in Entra; `deleted`: removed
 * (`restorable` while in Entra's recycle bin); `missing`: not seen by a full resync.
 */
export type PersonStatus = "active" | "disabled" | "deleted";

export interface Person {
  readonly id: string;
  readonly displayName: string;
  readonly givenName: string | null;
  readonly surname: string | null;
  readonly email: string | null;
  readonly userPrincipalName: string | null;
  readonly department: string | null;
  readonly jobTitle: string | null;
  readonly officeLocation: string | null;
  readonly preferredLanguage: string | null;
  readonly status: PersonStatus;
  readonly removedReason?: "changed" | "deleted" | "missing";
  /** Who last wrote the person: absent = the directory sync; `sign-in` = created or updated at sign-in. */
  readonly source?: "sign-in";
}

export function personFromDirectory(u: DirectoryUser): Person {
  return {
    id: u.id,
    displayName: text(u.displayName) ?? text(u.userPrincipalName) ?? u.id,
    givenName: text(u.givenName) ?? null,
    surname: text(u.surname) ?? null,
    email: (text(u.mail) ?? text(u.userPrincipalName))?.toLowerCase() ?? null,
    userPrincipalName: text(u.userPrincipalName)?.toLowerCase() ?? null,
    department: text(u.department) ?? null,
    jobTitle: text(u.jobTitle) ?? null,
    officeLocation: text(u.officeLocation) ?? null,
    preferredLanguage: text(u.preferredLanguage) ?? null,
    // Delta without return=minimal always carries the selected properties, so a missing flag is "enabled".
    status: u.accountEnabled === false ? "disabled" : "active",
  };
}

/** The person after Graph reported them `@removed`. They keep their row; they lose access at once. */
export function removedPerson(previous: Person | undefined, id: string, reason: string | undefined): Person {
  const removedReason = reason === "changed" ? "changed" : reason === "missing" ? "missing" : "deleted";
  return { ...(previous ?? blankPerson(id, "deleted")), status: "deleted", removedReason };
}

/** A person ONES knows only by id: the start for what Graph or a sign-in then tells. */
export function blankPerson(id: string, status: PersonStatus): Person {
  return {
    id,
    displayName: id,
    givenName: null,
    surname: null,
    email: null,
    userPrincipalName: null,
    department: null,
    jobTitle: null,
    officeLocation: null,
    preferredLanguage: null,
    status,
  };
}

/** Whether the person may sign in and act in ONES. The sign-in guard asks this on every request. */
export function hasAccess(person: Pick<Person, "status"> | undefined): boolean {
  return person?.status === "active";
}

export function personHash(person: Person): string {
  return contentHash(person);
}

/**
 * Room mailboxes are Entra users too; they stay out of the people list. Known by their address (the
 * rooms ONES holds), since v1.0 users carry no "resource account" flag without mailbox settings access.
 */
export function isRoomMailbox(u: DirectoryUser, roomEmails: ReadonlySet<string>): boolean {
  const addresses = [u.mail, u.userPrincipalName].map((a) => text(a)?.toLowerCase());
  return addresses.some((a) => a !== undefined && roomEmails.has(a));
}

function text(value: string | null | undefined): string | undefined {
  const t = value?.trim();
  return t === undefined || t === "" ? undefined : t;
}
