import type { SimResponse } from "../http/context";
import type { Router } from "../http/router";
import type { SimulatorControl } from "./simulator-control";
import type { LogFilter } from "./request-log";
import { bodyOf, guard } from "./guard";

/**
 * The control API over HTTP, under /_sim (not Graph; no token; loopback only). Each route calls the
 * same method of `SimulatorControl` that in-process callers use.
 */
function ok(body: unknown = { ok: true }, status = 200): SimResponse {
  return { status, body };
}

export function registerControlRoutes(router: Router, control: () => SimulatorControl): void {
  const c = control;
  router.control("GET", "/tenant", () => ok(c().summary()));
  // body: a TenantSeed, or {"demo": {...options}} / {"demo": true}
  router.control(
    "POST",
    "/tenant",
    guard((ctx) => {
      const b = bodyOf<Record<string, unknown>>(ctx);
      if (b.demo !== undefined)
        c().seed({ demo: typeof b.demo === "object" && b.demo !== null ? b.demo : {} });
      else c().seed(b as never);
      return ok(c().summary());
    }),
  );
  // body: {"claims": {...}, "kid"?: "..."} → {"token": "..."} signed with the tenant's key
  router.control(
    "POST",
    "/tokens",
    guard(async (ctx) => {
      const b = bodyOf<{ claims?: Record<string, unknown>; kid?: string }>(ctx);
      const token = await c().mintToken(b.claims ?? {}, b.kid === undefined ? {} : { kid: b.kid });
      return ok({ token }, 201);
    }),
  );
  router.control(
    "POST",
    "/apps",
    guard((ctx) => ok(c().registerApp(bodyOf(ctx)), 201)),
  );
  router.control(
    "PATCH",
    "/apps/{clientId}",
    guard((ctx) => {
      const b = bodyOf<{
        applicationPermissions?: string[];
        delegatedPermissions?: string[];
        redirectUris?: string[];
      }>(ctx);
      const app = c().grant(ctx.params.clientId ?? "", {
        application: b.applicationPermissions,
        delegated: b.delegatedPermissions,
      });
      for (const uri of b.redirectUris ?? []) c().addRedirectUri(app.clientId, uri);
      return ok(app);
    }),
  );
  router.control(
    "POST",
    "/refresh-tokens/revoke",
    guard((ctx) => ok({ revoked: c().revokeRefreshTokens(bodyOf(ctx)) })),
  );
  router.control(
    "POST",
    "/access-tokens/expire",
    guard(() => {
      c().expireAccessTokens();
      return ok();
    }),
  );
  router.control(
    "PATCH",
    "/entra",
    guard((ctx) => ok(c().configureEntra(bodyOf(ctx)))),
  );
  router.control(
    "POST",
    "/clock/advance",
    guard((ctx) => {
      c().advanceClock(Number(bodyOf<{ ms?: number }>(ctx).ms ?? 0));
      return ok({ now: c().clock.nowIso() });
    }),
  );
  router.control("GET", "/log", (ctx) => {
    const q = ctx.query;
    const filter: LogFilter = {};
    if (q.get("method")) filter.method = q.get("method") ?? undefined;
    if (q.get("path")) filter.path = q.get("path") ?? undefined;
    if (q.get("kind")) filter.kind = q.get("kind") as LogFilter["kind"];
    if (q.get("appId")) filter.appId = q.get("appId") ?? undefined;
    if (q.get("sinceSeq")) filter.sinceSeq = Number(q.get("sinceSeq"));
    return ok({ lastSeq: c().log.lastSeq, entries: c().log.entries(filter) });
  });
  router.control("DELETE", "/log", () => {
    c().log.clear();
    return ok();
  });
  router.control("GET", "/faults", () => ok(c().faults.current));
  router.control(
    "PUT",
    "/faults",
    guard((ctx) => ok(c().faults.configure(bodyOf(ctx)))),
  );
  router.control("DELETE", "/faults", () => {
    c().faults.reset();
    return ok();
  });
  router.control(
    "POST",
    "/faults/throttle-storm",
    guard((ctx) => {
      const b = bodyOf<{ count?: number; retryAfterSeconds?: number }>(ctx);
      c().faults.throttleStorm(b.count ?? 1, b.retryAfterSeconds ?? 0);
      return ok();
    }),
  );
  router.control(
    "POST",
    "/users",
    guard((ctx) => ok(c().addUser(bodyOf(ctx)).data, 201)),
  );
  router.control(
    "PATCH",
    "/users/{id}",
    guard((ctx) => ok(c().updateUser(ctx.params.id ?? "", bodyOf(ctx)).data)),
  );
  router.control(
    "DELETE",
    "/users/{id}",
    guard((ctx) => {
      c().deleteUser(ctx.params.id ?? "", { hard: ctx.query.get("hard") === "true" });
      return ok();
    }),
  );
  router.control(
    "POST",
    "/users/{id}/restore",
    guard((ctx) => {
      c().restoreUser(ctx.params.id ?? "");
      return ok();
    }),
  );
  router.control(
    "POST",
    "/groups",
    guard((ctx) => ok(c().addGroup(bodyOf(ctx)).data, 201)),
  );
  router.control(
    "DELETE",
    "/groups/{id}",
    guard((ctx) => {
      c().deleteGroup(ctx.params.id ?? "", { hard: ctx.query.get("hard") === "true" });
      return ok();
    }),
  );
  router.control(
    "POST",
    "/groups/{id}/members",
    guard((ctx) => {
      c().addMember(ctx.params.id ?? "", bodyOf<{ id: string }>(ctx).id);
      return ok();
    }),
  );
  router.control(
    "DELETE",
    "/groups/{id}/members/{member}",
    guard((ctx) => {
      c().removeMember(ctx.params.id ?? "", ctx.params.member ?? "");
      return ok();
    }),
  );
  router.control("POST", "/delta/expire", () => {
    c().expireDeltaTokens();
    return ok();
  });
  router.control(
    "PATCH",
    "/rooms/{email}",
    guard((ctx) => ok(c().updateRoom(ctx.params.email ?? "", bodyOf(ctx)).data)),
  );
  router.control(
    "PUT",
    "/calendar-permissions",
    guard((ctx) => {
      const b = bodyOf<{ mailbox: string; user: string; role: never }>(ctx);
      c().setCalendarPermission(b.mailbox, b.user, b.role);
      return ok();
    }),
  );
}
