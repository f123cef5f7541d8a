import type { PeopleSearch } from "../ports/people-search";

/** A person as the attendee picker shows them: no status, no sync bookkeeping. */
export interface PersonChoice {
  readonly id: string;
  readonly displayName: string;
  readonly email: string;
  readonly jobTitle?: string;
  readonly department?: string;
}

export interface PeopleQuery {
  /** At least two characters (the edge checks): a prefix of a name, a surname or an address. */
  readonly search: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** GET /api/people?search=: people of the synced directory to invite, by name or address prefix, paged. */
export async function searchPeople(
  deps: { readonly people: PeopleSearch },
  query: PeopleQuery,
): Promise<{ items: PersonChoice[]; cursor?: string }> {
  const page = await deps.people.searchPeople(query.search, {
    limit: query.limit,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
  });
  const items = page.items
    .flatMap((p): PersonChoice[] =>
      p.email === null
        ? []
        : [
            {
              id: p.id,
              displayName: p.displayName,
              email: p.email,
              ...(p.jobTitle === null ? {} : { jobTitle: p.jobTitle }),
              ...(p.department === null ? {} : { department: p.department }),
            },
          ],
    )
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.email.localeCompare(b.email));
  return { items, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
}
