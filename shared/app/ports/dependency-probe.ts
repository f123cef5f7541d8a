/** Checks that one dependency answers. Adapters implement it with their own SDK. */
export interface DependencyProbe {
  readonly name: DependencyName;
  /** A required dependency being down makes the app unhealthy (HTTP 503). */
  readonly required: boolean;
  /** Resolves when reachable; rejects otherwise. `undefined` means the dependency is not configured. */
  readonly check: ((signal: AbortSignal) => Promise<void>) | undefined;
  /**
   * Set when the dependency is configured but cannot work (its secret's Key Vault reference is
   * unresolved): reported as down with this short reason, without a check.
   */
  readonly misconfigured?: string;
}

export type DependencyName = "tables" | "serviceBus" | "graph" | "webPubSub" | "mail";
