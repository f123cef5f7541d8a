import type { IdentityClaims } from "../../domain/auth/principal";
import type { IntegrationMode } from "../../domain/integration/modes";
import { hasAccess, personHash, type Person } from "../../domain/people/person";
import { peopleFromSignIn, personFromSignIn } from "../../domain/people/sign-in-person";
import type { PeopleStore } from "../ports/sync-store";
import { accessRefused } from "../sync/person-access";

export type SignInPeople = Pick<PeopleStore, "people" | "savePerson">;

/**
 * At sign-in, before anything is kept for the person: refuses people the directory sync marked disabled
 * or deleted (as the sign-in guard does on every request), and in the modes without directory sync
 * creates or updates the person from the id token, writing only when something changed.
 */
export async function admitSignInPerson(
  people: SignInPeople,
  mode: IntegrationMode,
  userId: string,
  claims: IdentityClaims,
): Promise<void> {
  const stored = (await people.people([userId])).get(userId);
  if (stored !== undefined && !hasAccess(stored)) throw accessRefused(stored.status);
  if (!peopleFromSignIn(mode)) return;
  const person = personFromSignIn(userId, claims, withoutHash(stored));
  const hash = personHash(person);
  if (hash !== stored?.hash) await people.savePerson(person, hash);
}

function withoutHash(stored: (Person & { readonly hash: string }) | undefined): Person | undefined {
  if (stored === undefined) return undefined;
  const { hash: _hash, ...person } = stored;
  return person;
}
