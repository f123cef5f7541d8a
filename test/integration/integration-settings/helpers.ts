import { DEMO_APPS } from "../../../dev/m365";
import type { LocalPage } from "../../../dev/host";
import type { IntegrationMode } from "../../../shared/domain/integration/modes";
import { CookieJar, signIn, startAuthStack, type AuthStack } from "../auth/helpers";

export const appOfMode: Record<IntegrationMode, { clientId: string; secret: string }> = {
  application: DEMO_APPS.applicationPermission,
  delegated: DEMO_APPS.delegatedPermission,
  "delegated-resource-only": DEMO_APPS.delegatedResourceOnly,
  "application-resource-only": DEMO_APPS.applicationResourceOnly,
};

/** Graph permissions each demo app is granted by the seed, to put back after a test removed one. */
export function grantsOf(stack: AuthStack, clientId: string): { application: string[]; delegated: string[] } {
  const app = stack.sim.control.app(clientId);
  return { application: [...app.applicationPermissions], delegated: [...app.delegatedPermissions] };
}

export interface AdminStack {
  readonly stack: AuthStack;
  /** The Facilities group (the integration's admin group) and its first member. */
  readonly admin: { id: string; upn: string; groupId: string };
  /** A person outside the admin group. */
  readonly staff: { upn: string };
  /** Saves the integration for `mode` with its demo app, then signs the admin in (fresh session). */
  signInAs(mode: IntegrationMode, who?: "admin" | "staff"): Promise<CookieJar>;
  call(jar: CookieJar, method: string, path: string, body?: unknown): Promise<Response>;
}

export async function startAdminStack(
  options: { tablesConnectionString?: string; pages?: readonly LocalPage[] } = {},
): Promise<AdminStack> {
  const stack = await startAuthStack(options);
  const store = stack.sim.control.store;
  const group = [...store.groups.values()].find((g) => g.data.displayName === "Facilities");
  if (group === undefined) throw new Error("the demo tenant has no Facilities group");
  const adminId = [...group.members].find((m) => store.findUser(m) !== undefined);
  const adminUser = adminId === undefined ? undefined : store.findUser(adminId);
  if (adminUser === undefined) throw new Error("the Facilities group has no member");
  const groupsOfAdmin = new Set(store.groupsOfUser(adminUser.id));
  const staffUser = [...store.users.values()].find(
    (u) => !u.isRoomMailbox && !store.groupsOfUser(u.id).includes(group.id) && u.id !== adminUser.id,
  );
  if (staffUser === undefined || !groupsOfAdmin.has(group.id)) throw new Error("demo tenant unexpected");
  const admin = { id: adminUser.id, upn: adminUser.data.userPrincipalName, groupId: group.id };
  return {
    stack,
    admin,
    staff: { upn: staffUser.data.userPrincipalName },
    async signInAs(mode, who = "admin") {
      await stack.configure(mode, appOfMode[mode], { adminGroupId: group.id });
      const jar = new CookieJar();
      const response = await signIn(
        stack,
        jar,
        who === "admin" ? admin.upn : staffUser.data.userPrincipalName,
      );
      if (response.status !== 302) throw new Error(`sign-in answered ${response.status}`);
      return jar;
    },
    call(jar, method, path, body) {
      return fetch(`${stack.host.baseUrl}${path}`, {
        method,
        headers: {
          cookie: jar.header(),
          // As a browser sends it from the app's own pages (unsafe methods need it with the cookie).
          origin: stack.host.baseUrl,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    },
  };
}

/** Takes one Graph permission away from `mode`'s demo app; returns what grants it back. */
export function withdrawPermission(stack: AuthStack, mode: IntegrationMode, permission: string): () => void {
  const { clientId } = appOfMode[mode];
  const before = grantsOf(stack, clientId);
  stack.sim.control.grant(clientId, {
    application: before.application.filter((p) => p !== permission),
    delegated: before.delegated.filter((p) => p !== permission),
  });
  return () => stack.sim.control.grant(clientId, before);
}
