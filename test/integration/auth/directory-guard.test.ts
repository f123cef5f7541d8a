import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_APPS } from "../../../dev/m365";
import { startSyncQueue } from "../integration-settings/sync-queue";
import { CookieJar, get, runDirectorySync, signIn, startAuthStack, type AuthStack } from "./helpers";

/**
 * Disabled or deleted users lose access at once: after the directory sync learns it from Microsoft 365,
 * even a person with a valid session (or token) is refused, while others carry on.
 */
let stack: AuthStack;
let syncQueue: { stop(): Promise<void> };
const admin = new CookieJar();
const colleague = new CookieJar();
const other = new CookieJar();
const secondAdmin = new CookieJar();
let adminGroupId: string;

beforeAll(async () => {
  stack = await startAuthStack();
  syncQueue = await startSyncQueue();
  const { control } = stack.sim;
  for (const [upn, name] of [
    ["ada.admin@contoso.example", "Ada Admin"],
    ["carl.colleague@contoso.example", "Carl Colleague"],
    ["olga.other@contoso.example", "Olga Other"],
    ["bea.backup@contoso.example", "Bea Backup"],
  ] as const) {
    control.addUser({ userPrincipalName: upn, displayName: name, mail: upn });
  }
  const admins = control.addGroup({
    displayName: "ONES admins (guard test)",
    securityEnabled: true,
    members: ["ada.admin@contoso.example", "bea.backup@contoso.example"],
  });
  adminGroupId = admins.id;
  await stack.configure("application", DEMO_APPS.applicationPermission, { adminGroupId: admins.id });
  await signIn(stack, admin, "ada.admin@contoso.example");
  await signIn(stack, colleague, "carl.colleague@contoso.example");
  await signIn(stack, other, "olga.other@contoso.example");
  await signIn(stack, secondAdmin, "bea.backup@contoso.example");
}, 60_000);
afterAll(async () => {
  await syncQueue.stop();
  await stack.stop();
});

const me = (jar: CookieJar): Promise<Response> => get(`${stack.host.baseUrl}/api/me`, jar);

const syncDirectory = (): Promise<void> => runDirectorySync(stack, admin);

describe("the sign-in guard and the synced directory", () => {
  it(
    "refuses a disabled and a deleted person at once, with a session still valid",
    { timeout: 60_000 },
    async () => {
      await syncDirectory();
      expect((await me(colleague)).status).toBe(200);
      expect((await me(other)).status).toBe(200);

      stack.sim.control.updateUser("carl.colleague@contoso.example", { accountEnabled: false });
      stack.sim.control.deleteUser("olga.other@contoso.example");
      await syncDirectory();

      const refused = await me(colleague);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toContain("disabled");
      const deleted = await me(other);
      expect(deleted.status).toBe(403);
      expect(((await deleted.json()) as { detail: string }).detail).toContain("deleted");
      expect((await me(admin)).status).toBe(200);
    },
  );

  it(
    "takes admin rights from a person the sync saw leave the admin group, at the next admin request",
    { timeout: 60_000 },
    async () => {
      const integration = (jar: CookieJar): Promise<Response> =>
        get(`${stack.host.baseUrl}/api/admin/integration`, jar);
      await syncDirectory();
      expect((await integration(secondAdmin)).status).toBe(200);

      stack.sim.control.removeMember(adminGroupId, "bea.backup@contoso.example");
      // Until the sync sees the removal, the session's groups still decide.
      expect((await integration(secondAdmin)).status).toBe(200);
      await syncDirectory();

      const refused = await integration(secondAdmin);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { type: string }).type).toBe("urn:ones:problem:forbidden");
      const meNow = (await (await me(secondAdmin)).json()) as { isAdmin: boolean };
      expect(meNow.isAdmin).toBe(false);
      expect((await integration(admin)).status).toBe(200);
    },
  );
});
