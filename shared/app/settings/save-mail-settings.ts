import type { Principal } from "../../domain/auth/principal";
import { AppError } from "../../domain/errors";
import type { MailSettingsStore } from "../ports/mail-settings-store";
import { tenantDomains, type TenantDomains, type TenantDomainsDeps } from "./tenant-domains";

export interface SaveMailSettingsDeps extends TenantDomainsDeps {
  readonly mailSettings: MailSettingsStore;
}

/**
 * PUT /api/admin/settings/mail: the sender address must belong to a verified domain of the tenant;
 * otherwise `validation-failed` naming `senderAddress`, and nothing is stored.
 */
export async function saveMailSettings(
  deps: SaveMailSettingsDeps,
  admin: Principal,
  input: { readonly senderAddress: string },
): Promise<{ senderAddress: string; domainCheck: TenantDomains }> {
  const senderAddress = input.senderAddress.trim();
  const domain = senderAddress.slice(senderAddress.lastIndexOf("@") + 1).toLowerCase();
  const check = await tenantDomains(deps, admin);
  if (!check.domains.includes(domain)) {
    throw new AppError(
      "validation-failed",
      "The sender address must belong to a verified domain of the tenant.",
      {
        fields: [
          {
            path: "senderAddress",
            message: `${domain} is not ${check.source === "graph" ? "a verified domain of the tenant" : "one of the tenant's known domains"} (${check.domains.join(", ") || "none known"}).`,
          },
        ],
      },
    );
  }
  await deps.mailSettings.save({ senderAddress });
  return { senderAddress, domainCheck: check };
}
