import { TableHoldStore } from "../adapters/tables/table-hold-store";
import {
  attachHoldItem as attachHoldItemUseCase,
  claimHold,
  createHold as createHoldUseCase,
  expireHolds as expireHoldsUseCase,
  releaseHold as releaseHoldUseCase,
  type HoldDependencies,
} from "../app/bookings/holds";
import type { HoldClaims } from "../app/ports/hold-claims";
import type { Principal } from "../domain/auth/principal";
import type { HoldView, NewHoldInput } from "../domain/bookings/hold";
import { bookingDeps } from "./bookings";
import { perWorker } from "./services";

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

/** The HoldClaims port for the Outlook-to-ONES processing. */
export const holdClaims = (): HoldClaims => ({ claim: (request) => claimHold(holdDeps(), request) });
