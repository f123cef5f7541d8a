import { requirePermission } from "../auth/permissions";
import { contextUrl } from "../http/odata";
import type { Router, RouteModule } from "../http/router";
import { graphErrors } from "../http/errors";

/**
 * GET /users/{id|upn}/mailboxSettings — an Exchange-backed endpoint (MailboxSettings.Read), subject to
 * application access policies / RBAC scoping and the per-mailbox concurrency limit. It is also the
 * reference example of an Exchange route for the calendar module.
 */
export const mailboxSettingsRoutes: RouteModule = {
  name: "mailbox-settings",
  register(router: Router) {
    router.graph("GET", "/users/{id}/mailboxSettings", (ctx) => {
      const a = requirePermission(
        ctx,
        {
          application: ["MailboxSettings.Read", "MailboxSettings.ReadWrite"],
          delegated: ["MailboxSettings.Read", "MailboxSettings.ReadWrite"],
        },
        "exchange",
      );
      const user = ctx.sim.store.findUser(ctx.params.id ?? "");
      if (!user) throw graphErrors.resourceNotFound(ctx.params.id ?? "");
      if (a.kind === "delegated" && user.id !== a.userId) throw graphErrors.exchangeDenied();
      if (a.kind === "app") {
        // Application access policies cover MailboxSettings too.
        for (const policy of ctx.sim.store.applicationAccessPolicies.filter((p) => p.appId === a.appId)) {
          const inGroup = ctx.sim.store.transitiveMemberUserIds(policy.groupId).has(user.id);
          if (
            (policy.accessRight === "RestrictAccess" && !inGroup) ||
            (policy.accessRight === "DenyAccess" && inGroup)
          )
            throw graphErrors.accessPolicyDenied();
        }
      }
      ctx.sim.throttle.acquire(ctx, user.id);
      return {
        status: 200,
        body: {
          "@odata.context": contextUrl(ctx, `users('${user.id}')/mailboxSettings`),
          ...ctx.sim.store.mailbox(user.id).settings,
        },
      };
    });
  },
};
