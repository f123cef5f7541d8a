import type { Principal } from "../../domain/auth/principal";
import { AppError } from "../../domain/errors";
import { modePermissions, type IntegrationMode } from "../../domain/integration/modes";
import type { IntegrationSettings, IntegrationStore } from "../ports/integration-store";
import type { GraphProbes, Registration, RegistrationAccess } from "../ports/registration-access";

export interface IntegrationAccessDeps {
  readonly integration: IntegrationStore;
  readonly access: RegistrationAccess;
}

/** The saved integration with its secret; `precondition-failed` while it is not set up. */
export async function savedRegistration(
  integration: IntegrationStore,
): Promise<{ settings: IntegrationSettings; registration: Registration }> {
  const settings = await integration.get();
  const clientSecret = await integration.clientSecret();
  if (settings === undefined || clientSecret === undefined) {
    throw new AppError("precondition-failed", "The Microsoft 365 integration is not set up yet.");
  }
  const { cloud, tenantId, clientId } = settings;
  return { settings, registration: { cloud, tenantId, clientId, clientSecret } };
}

export type CurrentAccess =
  | { readonly ok: true; readonly mode: IntegrationMode; readonly probes: GraphProbes }
  | { readonly ok: false; readonly mode: IntegrationMode; readonly detail: string };

/**
 * Graph access with the permissions ONES works with now: the app's token in application modes, the
 * calling admin's own delegated token in delegated modes (there is no other user to act as).
 */
export async function currentAccess(deps: IntegrationAccessDeps, admin: Principal): Promise<CurrentAccess> {
  const { settings, registration } = await savedRegistration(deps.integration);
  const mode = settings.mode;
  const result =
    modePermissions[mode].kind === "application"
      ? await deps.access.app(registration)
      : await deps.access.delegated(registration, admin.userId);
  if (result.ok) return { ok: true, mode, probes: result.probes };
  if (result.failure === "unreachable") {
    throw new AppError("dependency-unavailable", "Microsoft Entra ID could not be reached. Try again.", {
      retryable: true,
    });
  }
  return { ok: false, mode, detail: result.detail };
}
