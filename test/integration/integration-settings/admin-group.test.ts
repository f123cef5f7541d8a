import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getServices } from "../../../shared/composition/services";
import { apiAccessToken } from "../auth/helpers";
import { appOfMode, startAdminStack, type AdminStack } from "./helpers";

/**
 * PUT /api/admin/integration keeps the admin group and the admin addresses when the body leaves them
 * out, clears them only on an explicit null, and refuses a save after which the calling admin would no
 * longer be an admin (so no save can lock every admin out).
 */
let s: AdminStack;

beforeAll(async () => {
  s = await startAdminStack();
});
afterAll(async () => {
  await s.stack.stop();
});

/** The body the admin page sends when only the name changes: no secret, no group, no addresses. */
const renameBody = (name: string) => ({
  name,
  cloud: "global",
  tenantId: s.stack.sim.tenantId,
  clientId: appOfMode.application.clientId,
  mode: "application",
});

interface Problem {
  status: number;
  errors?: { path: string }[];
}

async function savedGroupAndEmails(): Promise<{ adminGroupId?: string; adminEmails?: readonly string[] }> {
  const saved = await getServices().integrationStore.get();
  return {
    ...(saved?.adminGroupId === undefined ? {} : { adminGroupId: saved.adminGroupId }),
    ...(saved?.adminEmails === undefined ? {} : { adminEmails: saved.adminEmails }),
  };
}

describe("the admin group on save", () => {
  it("a save without adminGroupId and adminEmails keeps both", async () => {
    const jar = await s.signInAs("application");
    const first = await s.call(jar, "PUT", "/api/admin/integration", {
      ...renameBody("With group"),
      adminGroupId: s.admin.groupId,
      adminEmails: ["it@contoso.example"],
    });
    expect(first.status).toBe(200);

    const rename = await s.call(jar, "PUT", "/api/admin/integration", renameBody("Renamed"));
    expect(rename.status).toBe(200);
    expect(await rename.json()).toMatchObject({
      settings: { name: "Renamed", adminGroupId: s.admin.groupId, adminEmails: ["it@contoso.example"] },
    });
    expect(await savedGroupAndEmails()).toEqual({
      adminGroupId: s.admin.groupId,
      adminEmails: ["it@contoso.example"],
    });
    // Still an admin with the same session.
    expect((await s.call(jar, "GET", "/api/admin/integration")).status).toBe(200);
  });

  it("null clears the addresses", async () => {
    const jar = await s.signInAs("application");
    await s.call(jar, "PUT", "/api/admin/integration", {
      ...renameBody("Addresses"),
      adminEmails: ["it@contoso.example"],
    });
    const cleared = await s.call(jar, "PUT", "/api/admin/integration", {
      ...renameBody("Addresses"),
      adminEmails: null,
    });
    expect(cleared.status).toBe(200);
    expect(await savedGroupAndEmails()).toEqual({ adminGroupId: s.admin.groupId, adminEmails: [] });
  });

  it("refuses to clear the group of an admin who is one only through it; nothing saved", async () => {
    const jar = await s.signInAs("application");
    const response = await s.call(jar, "PUT", "/api/admin/integration", {
      ...renameBody("Locked out"),
      adminGroupId: null,
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Problem;
    expect(problem.errors?.map((e) => e.path)).toEqual(["adminGroupId"]);
    expect((await getServices().integrationStore.get())?.name).not.toBe("Locked out");
    expect((await savedGroupAndEmails()).adminGroupId).toBe(s.admin.groupId);
    expect((await s.call(jar, "GET", "/api/admin/integration")).status).toBe(200);
  });

  it("refuses a group the admin is not a member of", async () => {
    const jar = await s.signInAs("application");
    const other = s.stack.sim.control.addGroup({
      displayName: "Not mine",
      securityEnabled: true,
      members: [],
    });
    const response = await s.call(jar, "PUT", "/api/admin/integration", {
      ...renameBody("Other group"),
      adminGroupId: other.id,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors?.map((e) => e.path)).toEqual(["adminGroupId"]);
    expect((await savedGroupAndEmails()).adminGroupId).toBe(s.admin.groupId);
  });

  it("lets an admin by the ONES.Admin app role clear the group", async () => {
    await s.signInAs("application");
    const token = await apiAccessToken(s.stack, {
      aud: appOfMode.application.clientId,
      iss: `${s.stack.sim.loginBaseUrl}/${s.stack.sim.tenantId}/v2.0`,
      tid: s.stack.sim.tenantId,
      oid: s.admin.id,
      preferred_username: s.admin.upn,
      scp: "access_as_user",
      roles: ["ONES.Admin"],
    });
    const response = await fetch(`${s.stack.host.baseUrl}/api/admin/integration`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ ...renameBody("Role only"), adminGroupId: null }),
    });
    expect(response.status).toBe(200);
    expect((await savedGroupAndEmails()).adminGroupId).toBeUndefined();
  });
});
