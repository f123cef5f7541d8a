import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { personKey, TablePeopleStore } from "../../../shared/adapters/tables/table-people";
import { getServices } from "../../../shared/composition/services";
import { startSyncQueue } from "../integration-settings/sync-queue";
import { CookieJar, get, runDirectorySync, signIn, startAuthStack, type AuthStack } from "./helpers";

/**
 * People created at sign-in (issue 4: the modes without directory sync), and the directory's word at
 * sign-in: a person the sync marked disabled cannot complete a sign-in. Real MSAL against the M365
 * simulator, the functions on the local host, Azurite; the people table read through the store.
 */
let stack: AuthStack;

let syncQueue: { stop(): Promise<void> };
beforeAll(async () => {
  stack = await startAuthStack();
  syncQueue = await startSyncQueue();
});
afterAll(async () => {
  await syncQueue.stop();
  await stack.stop();
});

const people = (): TablePeopleStore => new TablePeopleStore(getServices().tables);
const me = (jar: CookieJar): Promise<Response> => get(`${stack.host.baseUrl}/api/me`, jar);

function addUser(local: string, displayName: string): { id: string; upn: string } {
  const upn = `${local}@contoso.example`;
  const rec = stack.sim.control.addUser({ userPrincipalName: upn, displayName, mail: upn });
  return { id: rec.id, upn };
}

/** The stored row's ETag: changes with every write. */
async function etagOf(id: string): Promise<string | undefined> {
  const table = TableClient.fromConnectionString(inject("tablesConnectionString"), `${stack.prefix}users`, {
    allowInsecureConnection: true,
  });
  const key = personKey(id);
  return (await table.getEntity(key.partitionKey, key.rowKey)).etag;
}

describe("people at sign-in", () => {
  it("delegated mode: signing in creates the person, and updates them when Microsoft 365 changed", async () => {
    await stack.configure("delegated", DEMO_APPS.delegatedPermission);
    const user = addUser("pia.people", "Pia People");
    expect(await people().person(user.id)).toBeUndefined();

    expect((await signIn(stack, new CookieJar(), user.upn)).status).toBe(302);
    expect(await people().person(user.id)).toMatchObject({
      id: user.id,
      displayName: "Pia People",
      email: user.upn,
      userPrincipalName: user.upn,
      status: "active",
      source: "sign-in",
    });

    // Nothing changed: no write.
    const etag = await etagOf(user.id);
    await signIn(stack, new CookieJar(), user.upn);
    expect(await etagOf(user.id)).toBe(etag);

    stack.sim.control.updateUser(user.upn, { displayName: "Pia Renamed" });
    const jar = new CookieJar();
    await signIn(stack, jar, user.upn);
    expect(await people().person(user.id)).toMatchObject({ displayName: "Pia Renamed", status: "active" });
    expect(await etagOf(user.id)).not.toBe(etag);
    expect((await me(jar)).status).toBe(200);
  });

  it("application mode: the directory sync owns people, so signing in creates nobody", async () => {
    await stack.configure("application", DEMO_APPS.applicationPermission);
    const user = addUser("alma.app", "Alma App");
    const jar = new CookieJar();
    expect((await signIn(stack, jar, user.upn)).status).toBe(302);
    expect((await me(jar)).status).toBe(200);
    expect(await people().person(user.id)).toBeUndefined();
  });

  it(
    "a person the directory sync marked disabled cannot complete a sign-in, and gets no session",
    { timeout: 60_000 },
    async () => {
      const { control } = stack.sim;
      const admin = addUser("ada.people", "Ada People");
      const group = control.addGroup({
        displayName: "ONES admins (sign-in people test)",
        securityEnabled: true,
        members: [admin.upn],
      });
      await stack.configure("application", DEMO_APPS.applicationPermission, { adminGroupId: group.id });
      const adminJar = new CookieJar();
      await signIn(stack, adminJar, admin.upn);
      const syncDirectory = (): Promise<void> => runDirectorySync(stack, adminJar);

      const user = addUser("dora.disabled", "Dora Disabled");
      control.updateUser(user.upn, { accountEnabled: false });
      await syncDirectory();
      expect(await people().person(user.id)).toMatchObject({ status: "disabled" });
      // Enabled again in Entra ID, but ONES has not synced since: ONES still refuses.
      control.updateUser(user.upn, { accountEnabled: true });

      const jar = new CookieJar();
      const response = await signIn(stack, jar, user.upn);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { detail: string }).detail).toBe(
        "Your Microsoft 365 account is disabled, so ONES no longer lets you in. Ask your administrator.",
      );
      expect(response.headers.getSetCookie().some((c) => /^ones_session=[^;]+/.test(c))).toBe(false);
      expect((await me(jar)).status).toBe(401);
      expect(await getServices().userTokens.state(user.id)).toBe("never");
      expect(await people().person(user.id)).toMatchObject({ status: "disabled" });
    },
  );
});
