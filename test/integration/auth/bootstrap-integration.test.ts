import { afterEach, describe, expect, inject, it } from "vitest";
import { resetServices, servicesWith } from "../../support/services";
import { parseSettings } from "../../../shared/config";

/**
 * A fresh deployment has no saved integration: the M365_* app settings stand in, so the first admin can
 * sign in; once an admin saves the integration, the saved settings win.
 */
const tenantId = "5f0c1b9e-6d6b-4c4e-9a61-0e5e2d6a7c01";
const clientId = "a1f00000-0000-4000-8000-000000000004";
const groupId = "0b7c2d4e-1111-4222-8333-944455556666";

afterEach(resetServices);

function services(extra: Record<string, string>) {
  return servicesWith({
    settings: parseSettings({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      TABLE_PREFIX: `boot${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
      SERVICEBUS:
        "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
      ...extra,
    }),
  });
}

describe("the integration before an admin saves one", () => {
  it("comes from the M365_* app settings, with the Key Vault secret", async () => {
    const { integrationStore } = await services({
      M365_TENANT_ID: tenantId,
      M365_CLIENT_ID: clientId,
      M365_INTEGRATION_MODE: "application-resource-only",
      M365_ADMIN_GROUP_ID: groupId,
      M365_CLOUD: "china",
      M365_CLIENT_SECRET: "from-key-vault",
    });
    expect(await integrationStore.get()).toMatchObject({
      tenantId,
      clientId,
      mode: "application-resource-only",
      adminGroupId: groupId,
      cloud: "china",
    });
    expect(await integrationStore.clientSecret()).toBe("from-key-vault");
  });

  it("gives way to what an admin saves", async () => {
    const { integrationStore } = await services({
      M365_TENANT_ID: tenantId,
      M365_CLIENT_ID: clientId,
      M365_INTEGRATION_MODE: "application",
    });
    const saved = {
      name: "Contoso rooms",
      cloud: "global" as const,
      tenantId,
      clientId,
      mode: "delegated" as const,
      updatedAt: new Date(),
    };
    await integrationStore.save(saved, "saved-secret");
    expect(await integrationStore.get()).toMatchObject({ name: "Contoso rooms", mode: "delegated" });
    expect(await integrationStore.clientSecret()).toBe("saved-secret");
  });

  it("is absent without the settings, and the settings come as a set", async () => {
    expect(await (await services({})).integrationStore.get()).toBeUndefined();
    expect(() => services({ M365_TENANT_ID: tenantId })).toThrow(
      /M365_CLIENT_ID.*M365_INTEGRATION_MODE|M365_INTEGRATION_MODE.*M365_CLIENT_ID/s,
    );
  });
});
