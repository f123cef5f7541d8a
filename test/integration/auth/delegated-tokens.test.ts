import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { getServices } from "../../../shared/composition/services";
import { AppError } from "../../../shared/domain/errors";
import { CookieJar, get, signIn, startAuthStack, type AuthStack } from "./helpers";

/**
 * Delegated mode: the sign-in keeps the user's MSAL cache (refresh token) encrypted in `tokenCache`,
 * Graph tokens are renewed silently from it, and a revoked refresh token flags the user.
 */
let stack: AuthStack;
let user: { id: string; upn: string };
const app = DEMO_APPS.delegatedPermission;

beforeAll(async () => {
  stack = await startAuthStack();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "del.user@contoso.example",
    displayName: "Del User",
  });
  user = { id: rec.id, upn: rec.data.userPrincipalName };
  await stack.configure("delegated", app);
});
afterAll(async () => {
  await stack.stop();
});

async function rawEntities(): Promise<Record<string, unknown>[]> {
  const table = TableClient.fromConnectionString(
    inject("tablesConnectionString"),
    `${stack.prefix}tokenCache`,
    {
      allowInsecureConnection: true,
    },
  );
  const rows: Record<string, unknown>[] = [];
  for await (const e of table.listEntities()) rows.push(e);
  return rows;
}

describe("delegated tokens", () => {
  it("a user who never signed in gets a clear error", async () => {
    const error = await getServices()
      .graphTokens.userToken("00000000-0000-0000-0000-00000000abcd")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("unauthenticated");
    expect((error as AppError).detail).toMatch(/sign in to ONES once/i);
  });

  it("keeps the cache encrypted: the raw table holds no token", async () => {
    const jar = new CookieJar();
    expect((await signIn(stack, jar, user.upn)).status).toBe(302);
    const token = await getServices().graphTokens.userToken(user.id);
    expect(token.split(".")).toHaveLength(3);

    const rows = await rawEntities();
    expect(rows.map((r) => r.partitionKey)).toEqual([user.id]);
    const raw = JSON.stringify(rows);
    expect(raw).not.toContain(token);
    expect(raw).not.toMatch(/rt\.[\w-]{20,}/);
    expect(raw).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/);
    expect(raw).not.toMatch(/RefreshToken|AccessToken|secret/i);
    expect(await getServices().graphTokens.usersWithToken()).toEqual([user.id]);

    const me = (await (await get(`${stack.host.baseUrl}/api/me`, jar)).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ mode: "delegated", delegatedSignIn: "ok", needsSignIn: false });
  });

  it("renews silently from the refresh token, and flags the user when it is revoked", async () => {
    stack.sim.control.configureEntra({ accessTokenLifetimeSeconds: 60 });
    // Tokens within MSAL's 5-minute refresh margin are renewed with the refresh token on each call.
    const first = await getServices().graphTokens.userToken(user.id);
    const second = await getServices().graphTokens.userToken(user.id);
    expect(second).not.toBe(first);

    stack.sim.control.revokeRefreshTokens({ userId: user.id });
    const error = await getServices()
      .graphTokens.userToken(user.id)
      .catch((e: unknown) => e);
    expect((error as AppError).code).toBe("unauthenticated");
    expect((error as AppError).detail).toMatch(/sign in to ONES again/i);
    expect(await getServices().userTokens.state(user.id)).toBe("needs-sign-in");
    expect(await getServices().graphTokens.usersWithToken()).toEqual([]);

    const jar = new CookieJar();
    await signIn(stack, jar, user.upn);
    expect(await getServices().userTokens.state(user.id)).toBe("ok");
  });
});
