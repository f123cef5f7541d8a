import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { MsalGraphTokenProvider } from "../../../shared/adapters/entra/msal-graph-token-provider";
import { type TableService, type TableServiceOptions } from "../../../shared/adapters/tables/table-service";
import { TableUserTokenStore } from "../../../shared/adapters/tables/table-user-token-store";
import type { UserTokenStore } from "../../../shared/app/ports/user-token-store";
import { getServices } from "../../../shared/composition/services";
import { getSettings } from "../../../shared/config";
import type { SignInLapse } from "../../../shared/domain/auth/sign-in-lapse";
import type { AppError } from "../../../shared/domain/errors";
import { CookieJar, signIn, startAuthStack, type AuthStack } from "./helpers";
import { tableServiceFromSettings } from "../../../shared/composition/adapters";

/**
 * Delegated tokens under concurrency: a failure of an old refresh token that lands after the user signed
 * in again must not wipe the new tokens (the flag is written only over the row whose tokens failed), and
 * a Graph call reads the user's row once. Real MSAL against the simulator, real Tables SDK on Azurite.
 */
let stack: AuthStack;
let user: { id: string; upn: string };

beforeAll(async () => {
  stack = await startAuthStack();
  const rec = stack.sim.control.addUser({
    userPrincipalName: "rita.race@contoso.example",
    displayName: "Rita Race",
  });
  user = { id: rec.id, upn: rec.data.userPrincipalName };
  await stack.configure("delegated", DEMO_APPS.delegatedPermission);
  // Access tokens inside MSAL's refresh margin: every call renews with the refresh token.
  stack.sim.control.configureEntra({ accessTokenLifetimeSeconds: 60 });
});
afterAll(async () => {
  await stack?.stop();
});

/** Table reads (GETs) per table, counted by a pipeline policy on the Tables SDK's own clients. */
function countingTables(): { tables: TableService; reads: (table: string) => number } {
  const paths: string[] = [];
  const options: TableServiceOptions = {
    additionalPolicies: [
      {
        position: "perCall",
        policy: {
          name: "count-reads",
          sendRequest: (request, next) => {
            if (request.method === "GET") paths.push(decodeURIComponent(new URL(request.url).pathname));
            return next(request);
          },
        },
      },
    ],
  };
  const tables = tableServiceFromSettings(getSettings(), options);
  const prefix = `${tables.prefix}`;
  return {
    tables,
    reads: (table) => paths.filter((p) => p.includes(`/${prefix}${table}(`)).length,
  };
}

describe("a late refresh-token failure", () => {
  it("the store flags only the row the failing renewal read", async () => {
    const store = new TableUserTokenStore(getServices().tables, getServices().secretBox);
    const id = `race-${Date.now().toString(36)}`;
    await store.write(id, `${id}.home`, "old cache");
    const old = await store.read(id);
    expect(old?.version).toBeTruthy();
    // The user signs in again while the old refresh token is failing elsewhere.
    await store.write(id, `${id}.home`, "new cache");
    expect(await store.markNeedsSignIn(id, { code: "invalid_grant" }, old?.version ?? "")).toBeUndefined();
    expect(await store.state(id)).toBe("ok");
    expect((await store.read(id))?.cache).toBe("new cache");
    // Over the current row, the flag is written (once: a second failure of it finds the row changed).
    const current = await store.read(id);
    expect(await store.markNeedsSignIn(id, { code: "invalid_grant" }, current?.version ?? "")).toEqual({
      lapseId: expect.any(String) as unknown,
    });
    expect(
      await store.markNeedsSignIn(id, { code: "invalid_grant" }, current?.version ?? ""),
    ).toBeUndefined();
    expect(await store.state(id)).toBe("needs-sign-in");
  });

  it("does not wipe the tokens of a sign-in that happened meanwhile, nor tell the user to sign in", async () => {
    await signIn(stack, new CookieJar(), user.upn);
    const users = getServices().userTokens;
    stack.sim.control.revokeRefreshTokens({ userId: user.id });
    // MSAL has just failed on the revoked refresh token; before the flag is written, the user signs in.
    let signedInMeanwhile = false;
    const racing: UserTokenStore = {
      read: (id) => users.read(id),
      write: (...args) => users.write(...args),
      state: (id) => users.state(id),
      flagged: (id) => users.flagged(id),
      markNotified: (id, lapseId) => users.markNotified(id, lapseId),
      usersWithToken: (limit) => users.usersWithToken(limit),
      markNeedsSignIn: async (id, failure, expected) => {
        if (!signedInMeanwhile) {
          signedInMeanwhile = true;
          expect((await signIn(stack, new CookieJar(), user.upn)).status).toBe(302);
        }
        return users.markNeedsSignIn(id, failure, expected);
      },
    };
    const told: SignInLapse[] = [];
    const provider = new MsalGraphTokenProvider(
      getServices().integrationStore,
      racing,
      getServices().cloudOverrides,
      (lapse) => {
        told.push(lapse);
        return Promise.resolve();
      },
    );
    // The call goes on with the new sign-in's tokens.
    const token = await provider.userToken(user.id);
    expect(token.split(".")).toHaveLength(3);
    expect(signedInMeanwhile).toBe(true);
    expect(told).toEqual([]);
    expect(await users.state(user.id)).toBe("ok");
    expect(await getServices().graphTokens.userToken(user.id)).toBeTruthy();
  });

  it("still flags the user when nothing changed meanwhile", async () => {
    await signIn(stack, new CookieJar(), user.upn);
    stack.sim.control.revokeRefreshTokens({ userId: user.id });
    const error = await getServices()
      .graphTokens.userToken(user.id)
      .catch((e: unknown) => e);
    expect((error as AppError).code).toBe("unauthenticated");
    expect(await getServices().userTokens.state(user.id)).toBe("needs-sign-in");
  });
});

describe("table reads on the hot path", () => {
  it("a delegated Graph call reads the user's row once and the integration row not at all when warm", async () => {
    await signIn(stack, new CookieJar(), user.upn);
    const { tables, reads } = countingTables();
    const s = getServices();
    const provider = new MsalGraphTokenProvider(
      s.integrationStore,
      new TableUserTokenStore(tables, s.secretBox),
      s.cloudOverrides,
    );
    await provider.userToken(user.id);
    const before = reads("tokenCache");
    await provider.userToken(user.id);
    await provider.userToken(user.id);
    expect(reads("tokenCache") - before).toBe(2);
  });

  it("the TableService keeps one client per table", async () => {
    const { tables } = countingTables();
    expect(await tables.table("settings")).toBe(await tables.table("settings"));
  });
});

describe("app-only tokens", () => {
  it("come from MSAL's in-memory cache on repeated calls (one token request)", async () => {
    await stack.configure("application", DEMO_APPS.applicationPermission);
    try {
      const provider = new MsalGraphTokenProvider(
        getServices().integrationStore,
        getServices().userTokens,
        getServices().cloudOverrides,
      );
      stack.sim.control.configureEntra({ accessTokenLifetimeSeconds: 3600 });
      const requests = (): number =>
        stack.sim.control.log.entries({ kind: "entra" }).filter((e) => e.path.includes("/token")).length;
      const before = requests();
      const first = await provider.appToken();
      expect(await provider.appToken()).toBe(first);
      expect(await provider.appToken()).toBe(first);
      expect(requests() - before).toBe(1);
    } finally {
      stack.sim.control.configureEntra({ accessTokenLifetimeSeconds: 60 });
      await stack.configure("delegated", DEMO_APPS.delegatedPermission);
    }
  });
});
