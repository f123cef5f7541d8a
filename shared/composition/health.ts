import type { HealthReport } from "../app/check-health";
import { ConfigError } from "../config";
import { getServices } from "./services";

/** GET /api/health's answer: the dependencies' report, or the app settings that are missing or invalid. */
export type HealthAnswer =
  | { readonly kind: "report"; readonly report: HealthReport }
  /** `keys` names the settings (never values); `message` says what is wrong with each, for the log. */
  | {
      readonly kind: "invalid-settings";
      readonly keys: readonly string[];
      /** Key Vault references that did not resolve, each with the secret it names. */
      readonly unresolvedReferences: ConfigError["unresolvedReferences"];
      readonly message: string;
    };

/** Each dependency reachable or not, checked at most once per 10 s by this worker. */
export async function checkHealth(): Promise<HealthAnswer> {
  const services = getServices();
  try {
    void services.settings;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      kind: "invalid-settings",
      keys: error.keys,
      unresolvedReferences: error.unresolvedReferences,
      message: error.message,
    };
  }
  return { kind: "report", report: await services.health() };
}
