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
} as const;
