import { AppError } from "../../domain/errors";
import {
  exchangeScript,
  ExchangeScriptInputError,
  type CalendarProcessingSettings,
} from "../../domain/integration/exchange-script";
import type { CrossDomainStore } from "../ports/cross-domain-store";
import type { IntegrationStore } from "../ports/integration-store";
import type { RoomStore } from "../ports/sync-store";

export interface ExchangeScriptDependencies {
  readonly integration: IntegrationStore;
  readonly rooms: Pick<RoomStore, "rooms">;
  readonly crossDomain: CrossDomainStore;
}

export interface ExchangeScriptRequest {
  /** Object id of the app's service principal (Enterprise applications); needed in the resource-only application mode. */
  readonly servicePrincipalObjectId?: string;
  readonly calendarProcessing?: Partial<CalendarProcessingSettings>;
}

/**
 * The Exchange Online PowerShell for this deployment: its mode, app and cloud, every active room ONES
 * knows, and the cross-domain representative mailboxes (which the app must reach too).
 */
export async function exchangeScriptForDeployment(
  deps: ExchangeScriptDependencies,
  request: ExchangeScriptRequest,
): Promise<string> {
  const integration = await deps.integration.get();
  if (integration === undefined) {
    throw new AppError(
      "precondition-failed",
      "Set up the integration first: the script is made for its app and mode.",
    );
  }
  const [rooms, crossDomain] = await Promise.all([deps.rooms.rooms(), deps.crossDomain.get()]);
  try {
    return exchangeScript({
      mode: integration.mode,
      appId: integration.clientId,
      servicePrincipalObjectId: request.servicePrincipalObjectId ?? "",
      appDisplayName: integration.name === "" ? "ONES" : integration.name,
      rooms: rooms
        .filter((room) => room.active)
        .sort((a, b) => a.email.localeCompare(b.email))
        .map((room) => ({ email: room.email, displayName: room.displayName })),
      options: {
        cloud: integration.cloud,
        extraMailboxes: crossDomain.representatives.map((r) => r.mailbox),
        ...(request.calendarProcessing === undefined
          ? {}
          : { calendarProcessing: request.calendarProcessing }),
      },
    });
  } catch (error) {
    if (!(error instanceof ExchangeScriptInputError)) throw error;
    if (error.field === "rooms") {
      throw new AppError(
        "precondition-failed",
        "ONES knows no rooms yet: run the rooms sync or import rooms first.",
      );
    }
    const detail = error.message.slice(error.field.length + 2);
    throw new AppError("validation-failed", "The script cannot be made from these values.", {
      fields: [{ path: error.field, message: detail }],
    });
  }
}
