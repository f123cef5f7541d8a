import { z } from "zod";
import { integrationModes } from "../../domain/integration/modes";

/**
 * How ONES reaches Microsoft 365. The integration itself (mode, app registration) is set by admins
 * through `PUT /api/admin/integration`; the M365_* bootstrap settings below stand in until they do, so
 * that the first admin can sign in to a fresh deployment.
 */
export const m365Settings = {
  /** Service operator: Microsoft's global cloud or 21Vianet (China). Decides the login and Graph hosts. */
  M365_CLOUD: z.enum(["global", "china"]).default("global"),
  /** Overrides the Graph host (the M365 simulator on the local stack). Unset in production. */
  GRAPH_BASE_URL: z.url().optional(),
  /** Overrides the Entra ID login host (the M365 simulator on the local stack). Unset in production. */
  LOGIN_BASE_URL: z.url().optional(),
  /** Bootstrap: the tenant (directory) id, used until an admin saves the integration. */
  M365_TENANT_ID: z.guid().optional(),
  /** Bootstrap: the app registration's client (application) id. */
  M365_CLIENT_ID: z.guid().optional(),
  /** Bootstrap: the integration mode. */
  M365_INTEGRATION_MODE: z.enum(integrationModes).optional(),
  /** Bootstrap: the Entra group whose members are ONES admins (besides holders of the ONES.Admin app role). */
  M365_ADMIN_GROUP_ID: z.guid().optional(),
  /**
   * Bootstrap: when the client secret in Key Vault (`M365_CLIENT_SECRET`) expires, as an ISO 8601 date
   * (`2027-03-20`, midnight UTC) or date-time with `Z` or an offset, so the `secret-expiry` timer warns the
   * admins 30, 7 and 1 days ahead, as it does for a secret saved through the API.
   */
  M365_CLIENT_SECRET_EXPIRES_AT: z
    .union([z.iso.date(), z.iso.datetime({ offset: true })])
    .transform((v) => new Date(v))
    .optional(),
  /** Bootstrap: addresses of the admins who get operational mail (secret expiry warnings), comma-separated. */
  M365_ADMIN_EMAILS: z
    .string()
    .transform((v) =>
      v
        .split(/[,;]/)
        .map((e) => e.trim())
        .filter((e) => e !== ""),
    )
    .pipe(z.array(z.email()).min(1))
    .optional(),
} as const;
