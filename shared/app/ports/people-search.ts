import type { Person } from "../../domain/people/person";

export interface PeopleSearchPage {
  readonly items: readonly Person[];
  /** Opaque; pass back for the next page. Absent when nothing more matches. */
  readonly cursor?: string;
}

/** Finds active people of the synced directory whose name or address starts with a prefix. */
export interface PeopleSearch {
  /**
   * Active people with an address whose display name, surname or address starts with `prefix`
   * (ignoring the case of its first letter or of the whole prefix), at most `limit`, paged. AppError
   * `validation-failed` for a cursor this store did not make.
   */
  searchPeople(
    prefix: string,
    options: { readonly limit: number; readonly cursor?: string },
  ): Promise<PeopleSearchPage>;
}
