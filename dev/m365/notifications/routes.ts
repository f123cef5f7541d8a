import { randomUUID } from "node:crypto";
import type { RequestContext, SimResponse } from "../http/context";
import type { Router } from "../http/router";
import { GraphError } from "../http/errors";
import { contextUrl } from "../http/odata";
import { auth, checkMailboxAccess } from "../auth/permissions";
import { notificationHub, type NotificationHub, type SubscriptionRecord } from "./hub";

/**
 * /subscriptions for Outlook event resources (`/users/{id}/events`, `/me/events`, and the
 * `calendar/events` forms). Creation and renewal run Graph's validation handshake against
 * notificationUrl (and lifecycleNotificationUrl); permissions follow Graph: app tokens need a
 * Calendars role covering the mailbox (RBAC scope / access policies), delegated tokens may only watch
 * the signed-in user's own mailbox — `*.Shared` permissions do not cover subscriptions.
 */

const CHANGE_TYPES = ["created", "updated", "deleted"];

function invalid(message: string): GraphError {
  return new GraphError(400, "InvalidRequest", message);
}

/** Graph's validation handshake: POST {url}?validationToken=… → 200 text/plain echoing the decoded token within 10 s. */
export async function validateEndpoint(url: string, timeoutMs: number): Promise<void> {
  // Real tokens are opaque text with spaces and colons (clients must URL-decode, not echo the encoded form).
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = `${url}${url.includes("?") ? "&" : "?"}validationToken=${encodeURIComponent(token)}`;
  let res: Response;
  try {
    res = await fetch(target, {
      method: "POST",
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: "",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError"))
      throw invalid("Subscription validation request timed out.");
    throw invalid(
      "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
    );
  }
  const text = await res.text().catch(() => "");
  if (res.status !== 200)
    throw invalid(
      "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
    );
  // The docs require Content-Type text/plain; how Graph reacts to another type is undocumented — the
  // simulator (stricter) fails the validation as a mismatch.
  const type = (res.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("text/plain") || text !== token)
    throw invalid(
      "Subscription validation request failed. Response must exactly match validationToken query parameter.",
    );
}

function parseResource(ctx: RequestContext, resource: string): { mailboxRef: string } {
  const path =
    resource
      .split("?")[0]
      ?.replace(/^\/+/, "")
      .replace(/^v1\.0\//i, "") ?? "";
  const m = /^(?:me|users\/([^/]+))\/(?:events|calendar\/events|calendars\/[^/]+\/events)$/i.exec(path);
  if (!m)
    throw invalid(
      `Resource '${resource}' is not supported by the simulator's subscriptions (Outlook events only).`,
    );
  if (m[1]) return { mailboxRef: decodeURIComponent(m[1].replace(/^\('|'\)$/g, "")) };
  const a = auth(ctx);
  if (a.kind !== "delegated" || !a.userId)
    throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  return { mailboxRef: a.userId };
}

function checkUrl(hub: NotificationHub, raw: unknown, name: string): string {
  if (typeof raw !== "string" || raw === "")
    throw invalid(`${name} is a required property for subscription creation.`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid(`Invalid ${name} '${raw}'.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback && hub.settings.allowHttpLoopback)) {
    // Graph only delivers to https endpoints (exact wording undocumented).
    throw invalid(`The ${name} must use the https scheme.`);
  }
  return raw;
}

function checkExpiration(hub: NotificationHub, raw: unknown): string {
  if (typeof raw !== "string" || raw === "")
    throw invalid("expirationDateTime is a required property for subscription creation.");
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw new GraphError(
      400,
      "BadRequest",
      `Cannot convert the literal '${raw}' to the expected type 'Edm.DateTimeOffset'.`,
    );
  const now = hub.now();
  if (ms <= now) throw invalid("Subscription expiration date must be in the future.");
  if (ms > now + hub.settings.maxExpirationMinutes * 60_000) {
    throw new GraphError(
      400,
      "ExtensionError",
      `Subscription expiration can only be ${hub.settings.maxExpirationMinutes} minutes in the future.`,
    );
  }
  const min = now + hub.settings.minExpirationMinutes * 60_000;
  return new Date(Math.max(ms, min)).toISOString();
}

function render(ctx: RequestContext, s: SubscriptionRecord, entity = true): Record<string, unknown> {
  return { ...(entity ? { "@odata.context": contextUrl(ctx, "subscriptions/$entity") } : {}), ...s.data };
}

/** The caller's own subscription (Graph: an app sees its subscriptions; a user those they created with it). */
function ownSubscription(ctx: RequestContext, hub: NotificationHub): SubscriptionRecord {
  const a = auth(ctx);
  const s = hub.subscription(ctx.params.id ?? "");
  if (!s || s.appId !== a.appId || (a.kind === "delegated" && s.userId !== a.userId)) {
    throw new GraphError(404, "ResourceNotFound", `The object was not found.`);
  }
  return s;
}

export function registerSubscriptionRoutes(router: Router): void {
  router.graph("POST", "/subscriptions", async (ctx): Promise<SimResponse> => {
    const a = auth(ctx);
    const hub = notificationHub(ctx.sim);
    const b = (ctx.body ?? {}) as Record<string, unknown>;
    const changeType = typeof b.changeType === "string" ? b.changeType : "";
    if (!changeType) throw invalid("changeType is a required property for subscription creation.");
    for (const t of changeType.split(",").map((x) => x.trim())) {
      if (!CHANGE_TYPES.includes(t))
        throw invalid(`Invalid changeType '${t}'. Allowed values are created, updated and deleted.`);
    }
    if (typeof b.resource !== "string" || b.resource === "")
      throw invalid("resource is a required property for subscription creation.");
    const notificationUrl = checkUrl(hub, b.notificationUrl, "notificationUrl");
    const lifecycleNotificationUrl =
      b.lifecycleNotificationUrl === undefined || b.lifecycleNotificationUrl === null
        ? null
        : checkUrl(hub, b.lifecycleNotificationUrl, "lifecycleNotificationUrl");
    const expirationDateTime = checkExpiration(hub, b.expirationDateTime);
    if (
      b.clientState !== undefined &&
      b.clientState !== null &&
      (typeof b.clientState !== "string" || b.clientState.length > 128)
    ) {
      throw invalid("clientState must be a string of at most 128 characters.");
    }
    if (b.includeResourceData === true) {
      // Rich notifications (encrypted resource data) are not simulated.
      throw invalid(
        "includeResourceData is not supported by the simulator; use basic notifications and read the event.",
      );
    }
    const { mailboxRef } = parseResource(ctx, b.resource);
    let mailboxId: string;
    if (a.kind === "app") {
      mailboxId = checkMailboxAccess(ctx, mailboxRef, "read").id;
    } else {
      // "Delegated permission supports subscribing to items in folders in only the signed-in user's
      // mailbox" — Calendars.Read(Write).Shared and folder rights do not help. The 403 wording for this
      // case is not documented; Exchange's access-denied error is used.
      const target = ctx.sim.store.findUser(mailboxRef);
      if (!target)
        throw new GraphError(404, "ErrorInvalidUser", `The requested user '${mailboxRef}' is invalid.`);
      if (target.id !== a.userId)
        throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      // Least privilege for event subscriptions is Calendars.Read; whether a token holding only the
      // *.Shared variants may watch its own mailbox is not documented — the simulator (stricter) refuses.
      if (!["Calendars.Read", "Calendars.ReadWrite", "Calendars.ReadBasic"].some((s) => a.scopes.has(s))) {
        throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      }
      mailboxId = target.id;
    }
    await validateEndpoint(notificationUrl, hub.settings.validationTimeoutMs);
    if (lifecycleNotificationUrl)
      await validateEndpoint(lifecycleNotificationUrl, hub.settings.validationTimeoutMs);
    const id = hub.newSubscriptionId();
    const rec: SubscriptionRecord = {
      mailboxId,
      appId: a.appId,
      userId: a.kind === "delegated" ? a.userId : undefined,
      needsReauthorization: false,
      data: {
        id,
        resource: b.resource,
        applicationId: a.appId,
        changeType,
        clientState: typeof b.clientState === "string" ? b.clientState : null,
        notificationUrl,
        notificationQueryOptions: null,
        lifecycleNotificationUrl,
        expirationDateTime,
        creatorId:
          a.kind === "delegated"
            ? (a.userId ?? null)
            : (ctx.sim.store.apps.get(a.appId)?.servicePrincipalId ?? a.appId),
        includeResourceData: null,
        latestSupportedTlsVersion:
          typeof b.latestSupportedTlsVersion === "string" ? b.latestSupportedTlsVersion : "v1_2",
        encryptionCertificate: null,
        encryptionCertificateId: null,
        notificationUrlAppId: null,
      },
    };
    hub.subscriptions().set(id, rec);
    return {
      status: 201,
      headers: { Location: `${ctx.origin}/v1.0/subscriptions/${id}` },
      body: render(ctx, rec),
    };
  });

  router.graph("GET", "/subscriptions", (ctx) => {
    const a = auth(ctx);
    const hub = notificationHub(ctx.sim);
    const value = [...hub.subscriptions().keys()]
      .map((id) => hub.subscription(id))
      .filter(
        (s): s is SubscriptionRecord =>
          s !== undefined && s.appId === a.appId && (a.kind === "app" || s.userId === a.userId),
      )
      .map((s) => render(ctx, s, false));
    return { status: 200, body: { "@odata.context": contextUrl(ctx, "subscriptions"), value } };
  });

  router.graph("GET", "/subscriptions/{id}", (ctx) => ({
    status: 200,
    body: render(ctx, ownSubscription(ctx, notificationHub(ctx.sim))),
  }));

  router.graph("PATCH", "/subscriptions/{id}", async (ctx) => {
    const hub = notificationHub(ctx.sim);
    const s = ownSubscription(ctx, hub);
    const b = (ctx.body ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(b)) {
      if (!["expirationDateTime", "notificationUrl"].includes(k))
        throw invalid(`Property '${k}' of a subscription can't be updated.`);
    }
    const expirationDateTime =
      b.expirationDateTime !== undefined
        ? checkExpiration(hub, b.expirationDateTime)
        : s.data.expirationDateTime;
    const notificationUrl =
      b.notificationUrl !== undefined
        ? checkUrl(hub, b.notificationUrl, "notificationUrl")
        : s.data.notificationUrl;
    // Renewal re-validates the endpoint (a renewal PATCH can fail with "…validation request timed out.").
    await validateEndpoint(notificationUrl, hub.settings.validationTimeoutMs);
    s.data.expirationDateTime = expirationDateTime;
    s.data.notificationUrl = notificationUrl;
    // "PATCH expirationDateTime reauthorizes and extends."
    s.needsReauthorization = false;
    return { status: 200, body: render(ctx, s) };
  });

  router.graph("POST", "/subscriptions/{id}/reauthorize", (ctx) => {
    const s = ownSubscription(ctx, notificationHub(ctx.sim));
    s.needsReauthorization = false;
    return { status: 204 };
  });

  router.graph("DELETE", "/subscriptions/{id}", (ctx) => {
    const hub = notificationHub(ctx.sim);
    const s = ownSubscription(ctx, hub);
    hub.subscriptions().delete(s.data.id);
    return { status: 204 };
  });
}
