import { z } from "zod";
import { integrationModes } from "../../shared/domain/integration/modes";

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const domainName =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** The fields of the integration settings as the admin enters them (PUT and test share them). */
export const integrationFields = {
  name: z.string().trim().min(1).max(100),
  cloud: z.enum(["global", "china"]),
  tenantId: z
    .string()
    .trim()
    .refine(
      (v) => guid.test(v) || domainName.test(v),
      "Must be the directory (tenant) id or a verified domain.",
    ),
  clientId: z.string().trim().regex(guid, "Must be the application (client) id, a GUID."),
  clientSecret: z.string().min(1).max(1024),
  secretExpiresAt: z.iso
    .datetime({ offset: true })
    .or(z.iso.date())
    .transform((v) => new Date(v)),
  mode: z.enum(integrationModes),
  adminGroupId: z.string().trim().regex(guid, "Must be a group object id, a GUID."),
  adminEmails: z.array(z.string().trim().max(254).pipe(z.email())).max(20),
};
