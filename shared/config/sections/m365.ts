import { z } from "zod";

/** How ONES reaches Microsoft 365. The integration itself (mode, app registration) is set by admins. */
export const m365Settings = {
  /** Service operator: Microsoft's global cloud or 21Vianet (China). Decides the login and Graph hosts. */
  M365_CLOUD: z.enum(["global", "china"]).default("global"),
  /** Overrides the Graph host (the M365 simulator on the local stack). Unset in production. */
  GRAPH_BASE_URL: z.url().optional(),
  /** Overrides the Entra ID login host (the M365 simulator on the local stack). Unset in production. */
  LOGIN_BASE_URL: z.url().optional(),
} as const;
