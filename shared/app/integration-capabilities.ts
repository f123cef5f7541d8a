import {
  capabilities,
  capabilityLabels,
  capabilityTable,
  modeLabels,
  type CapabilityCell,
} from "../domain/integration/capabilities";
import type { IntegrationMode } from "../domain/integration/modes";
import { AppError } from "../domain/errors";
import type { IntegrationStore } from "./ports/integration-store";

export interface CapabilityReport {
  readonly mode: IntegrationMode;
  readonly modeLabel: string;
  readonly capabilities: readonly ({
    readonly capability: string;
    readonly label: string;
  } & CapabilityCell)[];
}

/** GET /api/integration/capabilities: the configured mode's capability table, with the reason for each "no". */
export async function integrationCapabilities(deps: {
  integration: IntegrationStore;
}): Promise<CapabilityReport> {
  const settings = await deps.integration.get();
  if (settings === undefined)
    throw new AppError("precondition-failed", "The Microsoft 365 integration is not set up yet.");
  const table = capabilityTable(settings.mode);
  return {
    mode: settings.mode,
    modeLabel: modeLabels[settings.mode],
    capabilities: capabilities.map((c) => ({ capability: c, label: capabilityLabels[c], ...table[c] })),
  };
}
