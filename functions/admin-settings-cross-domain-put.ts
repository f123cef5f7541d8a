import { z } from "zod";
import { saveCrossDomainSettings } from "../shared/composition/settings";
import { requireAdmin } from "./lib/auth";
import { httpFunction } from "./lib/definition";
import { handleHttp, json, readJson } from "./lib/http";

const domainName =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

const body = z.strictObject({
  representatives: z
    .array(
      z.strictObject({
        domain: z.string().trim().regex(domainName, "Must be an e-mail domain such as fabrikam.com."),
        mailbox: z.string().trim().max(254).pipe(z.email()),
      }),
    )
    .max(100),
});

/**
 * PUT /api/admin/settings/cross-domain: replaces the list; each mailbox must be in its domain and
 * readable with the current permissions, or nothing is saved (400 naming each bad entry).
 */
export const adminSettingsCrossDomainPut = httpFunction({
  name: "admin-settings-cross-domain-put",
  route: "admin/settings/cross-domain",
  methods: ["PUT"],
  api: {
    summary: "Replace the representative mailboxes",
    auth: "admin",
    body,
    responses: { 200: "The saved representatives" },
  },
  handler: handleHttp(async (request, context) => {
    const admin = await requireAdmin(request, context);
    const input = await readJson(request, body);
    const saved = await saveCrossDomainSettings(admin, input);
    context.log(`admin ${admin.userId} saved ${saved.representatives.length} cross-domain representatives`);
    return json(200, saved);
  }),
});
