import type { Clock } from "./store/clock";
import type { TenantStore } from "./store/tenant-store";
import type { SigningKeys } from "./entra/keys";
import type { RequestLog } from "./control/request-log";
import type { FaultInjector } from "./faults/fault-injector";
import type { MailboxThrottle } from "./faults/mailbox-throttle";
import type { AccessTokenVerifier } from "./auth/access-token";

/** Entra behaviour knobs (control API: `control.entra.configure`). */
export interface EntraSettings {
  accessTokenLifetimeSeconds: number;
  /** Refresh tokens expire after this much inactivity (Entra: 90 days, not configurable there). */
  refreshTokenInactivitySeconds: number;
  authCodeLifetimeSeconds: number;
  /** GET /authorize with a login_hint signs that user in without showing the page (for tests). */
  autoSignIn: boolean;
  /**
   * Entra issues a new refresh token on every redemption and leaves the old one valid until it
   * expires; set this to revoke the redeemed one instead (stricter clients' tests).
   */
  revokeRotatedRefreshTokens: boolean;
}

/** One `T` per simulator (services object), made on first use: a module's service, hub or control. */
export function perSimulator<T>(make: (sim: SimulatorServices) => T): (sim: SimulatorServices) => T {
  const made = new WeakMap<SimulatorServices, T>();
  return (sim) => {
    let t = made.get(sim);
    if (t === undefined) {
      t = make(sim);
      made.set(sim, t);
    }
    return t;
  };
}

/** Everything a route handler may use, reachable as `ctx.sim`. */
export interface SimulatorServices {
  store: TenantStore;
  clock: Clock;
  keys: SigningKeys;
  log: RequestLog;
  faults: FaultInjector;
  throttle: MailboxThrottle;
  tokens: AccessTokenVerifier;
  entra: EntraSettings;
  /**
   * Waits out injected latency (default: a timer). Tests replace it (`control.useWait`) to observe the
   * delay without spending wall time.
   */
  wait: (ms: number) => Promise<void>;
  /**
   * Origin of the plain-http listener for browser sign-in pages (`http://127.0.0.1:PORT`), when started:
   * the OpenID metadata then points browsers' authorize and sign-out endpoints there.
   */
  browserSignInOrigin?: string;
}

export const timerWait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function defaultEntraSettings(): EntraSettings {
  return {
    accessTokenLifetimeSeconds: 3599,
    refreshTokenInactivitySeconds: 90 * 24 * 3600,
    authCodeLifetimeSeconds: 600,
    autoSignIn: false,
    revokeRotatedRefreshTokens: false,
  };
}
