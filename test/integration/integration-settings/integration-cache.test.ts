import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import {
  integrationCacheMs,
  TableIntegrationStore,
} from "../../../shared/adapters/tables/table-integration-store";
import type { TableServiceOptions } from "../../../shared/adapters/tables/table-service";
import type { IntegrationSettings } from "../../../shared/app/ports/integration-store";
import { getServices } from "../../../shared/composition/services";
import { getSettings } from "../../../shared/config";
import { startAuthStack, type AuthStack } from "../auth/helpers";
import { tableServiceFromSettings } from "../../../shared/composition/adapters";

/**
 * The integration row is read on every authenticated request and every Graph call: the store memoises
 * it (and the decrypted secret) for `integrationCacheMs`, and drops it at once when it saves. Reads are
 * counted by a pipeline policy on the real Tables SDK against Azurite; the clock is injected.
 */
let stack: AuthStack;

beforeAll(async () => {
  stack = await startAuthStack();
});
afterAll(async () => {
  await stack?.stop();
});

function countingStore(now: () => Date): { store: TableIntegrationStore; reads: () => number } {
  let reads = 0;
  const options: TableServiceOptions = {
    additionalPolicies: [
      {
        position: "perCall",
        policy: {
          name: "count-reads",
          sendRequest: (request, next) => {
            if (request.method === "GET" && /settings\(/.test(decodeURIComponent(request.url))) reads++;
            return next(request);
          },
        },
      },
    ],
  };
  const tables = tableServiceFromSettings(getSettings(), options);
  const store = new TableIntegrationStore(tables, getServices().secretBox, undefined, undefined, now);
  return { store, reads: () => reads };
}

const settings = (name: string): IntegrationSettings => ({
  name,
  cloud: "global",
  tenantId: stack.sim.tenantId,
  clientId: DEMO_APPS.applicationPermission.clientId,
  mode: "application",
  adminEmails: [],
  updatedAt: new Date(),
});

describe("the integration row", () => {
  it("is read once while fresh, with the secret; again after 30 s; and at once after a save", async () => {
    let clock = new Date("2026-03-01T09:00:00Z").getTime();
    const { store, reads } = countingStore(() => new Date(clock));
    await store.save(settings("First"), DEMO_APPS.applicationPermission.secret);

    expect((await store.get())?.name).toBe("First");
    await store.get();
    await store.get();
    expect(await store.clientSecret()).toBe(DEMO_APPS.applicationPermission.secret);
    expect(await store.clientSecret()).toBe(DEMO_APPS.applicationPermission.secret);
    expect(await store.hasClientSecret()).toBe(true);
    expect(reads()).toBe(1);

    clock += integrationCacheMs - 1;
    await store.get();
    expect(reads()).toBe(1);
    clock += 2;
    await store.get();
    expect(reads()).toBe(2);

    // A save in this worker is seen at once, secret included.
    await store.save(settings("Second"), "another-secret");
    expect((await store.get())?.name).toBe("Second");
    expect(await store.clientSecret()).toBe("another-secret");
    expect(reads()).toBe(3);
  });

  it("parallel first reads share one request", async () => {
    const { store, reads } = countingStore(() => new Date());
    await Promise.all([store.get(), store.get(), store.clientSecret(), store.hasClientSecret()]);
    expect(reads()).toBe(1);
  });
});
