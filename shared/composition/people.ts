import { TablePeopleStore } from "../adapters/tables/table-people";
import {
  searchPeople as searchPeopleUseCase,
  type PeopleQuery,
  type PersonChoice,
} from "../app/people/search-people";
import { perWorker } from "./services";

/** People wiring: the directory search of the attendee picker. */
const peopleDeps = perWorker((s) => ({ people: new TablePeopleStore(s.tables) }));

export const searchPeople = (query: PeopleQuery): Promise<{ items: PersonChoice[]; cursor?: string }> =>
  searchPeopleUseCase(peopleDeps(), query);
