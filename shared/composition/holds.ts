import { GraphOrganizerEventTags } from "../adapters/graph/graph-organizer-event-tags";
import { TableHoldStore } from "../adapters/tables/table-hold-store";
import {
  attachHoldItem as attachHoldItemUseCase,
  claimHold,
  createHold as createHoldUseCase,
  expireHolds as expireHoldsUseCase,
  releaseHold as releaseHoldUseCase,
  type ClaimDependencies,
  type HoldDependencies,
} from "../app/bookings/holds";
import { addinIdFor } from "../app/web/serve-addin";
import type { HoldClaims } from "../app/ports/hold-claims";
import type { Principal } from "../domain/auth/principal";
import type { HoldView, NewHoldInput } from "../domain/bookings/hold";
import { bookingDeps } from "./bookings";
import { perWorker } from "./services";
import { gatewaysFor } from "./sync-wiring";

/** `extra` over `base`, keeping base's getters lazy (a spread would build every client at once). */
const extend = <B extends object, E extends object>(base: B, extra: E): B & E =>
  Object.assign(Object.create(base) as B, extra);

/** The booking dependencies plus the hold store and the hold's lifetime (HOLD_MINUTES). */
const holdDeps = perWorker((s): HoldDependencies =>
  extend(bookingDeps(), { holds: new TableHoldStore(s.tables), holdMinutes: s.settings.HOLD_MINUTES }),
);

export const createHold = (principal: Principal, input: NewHoldInput): Promise<HoldView> =>
  createHoldUseCase(holdDeps(), principal, input);

export const attachHoldItem = (principal: Principal, id: string, itemId: string): Promise<HoldView> =>
  attachHoldItemUseCase(holdDeps(), principal, id, itemId);

export const releaseHold = (principal: Principal, id: string): Promise<void> =>
  releaseHoldUseCase(holdDeps(), principal, id);

/** Frees the slots of lapsed, unclaimed holds; returns how many. */
export const expireHolds = (log?: (m: string) => void): Promise<number> =>
  expireHoldsUseCase(log === undefined ? holdDeps() : extend(holdDeps(), { log }));

/** Only the application mode reads any organizer's calendar (resource-only modes are scoped to rooms). */
const claimDeps = perWorker((s): ClaimDependencies =>
  extend(holdDeps(), {
    tags: async () => {
      const integration = await s.integrationStore.get();
      if (integration?.mode !== "application") return undefined;
      const gateways = await gatewaysFor(s);
      return new GraphOrganizerEventTags(() => gateways.app(), addinIdFor(s.settings.APP_BASE_URL));
    },
  }),
);

/** The HoldClaims port for the Outlook-to-ONES processing. */
export const holdClaims = (): HoldClaims => ({ claim: (request) => claimHold(claimDeps(), request) });
