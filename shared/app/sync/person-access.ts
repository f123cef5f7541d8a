import { AppError } from "../../domain/errors";
import { hasAccess, type PersonStatus } from "../../domain/people/person";
import type { PeopleStore } from "../ports/sync-store";

export interface PersonAccess {
  readonly allowed: boolean;
  /** `unknown`: not in the synced directory (modes without directory sync create people at sign-in). */
  readonly status: PersonStatus | "unknown";
}

/**
 * For the sign-in guard: whether the directory sync has marked this person disabled or deleted. Such
 * people lose access at once, even with a valid session; people ONES has never synced are not judged
 * here.
 */
export async function personAccess(
  people: Pick<PeopleStore, "person">,
  userId: string,
): Promise<PersonAccess> {
  const person = await people.person(userId);
  if (person === undefined) return { allowed: true, status: "unknown" };
  return { allowed: hasAccess(person), status: person.status };
}

/** The refusal of a person the directory sync marked disabled or deleted (sign-in and every request). */
export function accessRefused(status: PersonStatus | "unknown"): AppError {
  return new AppError(
    "forbidden",
    `Your Microsoft 365 account is ${status}, so ONES no longer lets you in. Ask your administrator.`,
  );
}
