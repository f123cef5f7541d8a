import { describe, expect, it } from "vitest";
import type { RunningM365Simulator } from "../../../dev/m365";
import { graphFetch, useDemoSimulator } from "./helpers";
import { validateShape } from "./graph-shape";

describe("conformance with Microsoft's v1.0 type shapes", () => {
  let sim: RunningM365Simulator;
  let token: string;

  useDemoSimulator((started, demoToken) => {
    sim = started;
    token = demoToken;
  });

  async function values(path: string): Promise<Array<Record<string, unknown>>> {
    const res = await graphFetch(sim, token, path);
    expect(res.status).toBe(200);
    return ((await res.json()) as { value: Array<Record<string, unknown>> }).value;
  }

  it.each([
    ["users (default properties)", "/users?$top=999", "microsoft.graph.user"],
    [
      "users (extra properties)",
      "/users?$top=999&$select=id,displayName,accountEnabled,department,createdDateTime,proxyAddresses,userType,mailNickname,usageLocation",
      "microsoft.graph.user",
    ],
    ["groups", "/groups", "microsoft.graph.group"],
    ["rooms", "/places/microsoft.graph.room", "microsoft.graph.room"],
    ["room lists", "/places/microsoft.graph.roomList", "microsoft.graph.roomList"],
    ["user delta", "/users/delta?$select=displayName,mail", "microsoft.graph.user"],
    ["group delta", "/groups/delta?$select=displayName,members", "microsoft.graph.group"],
  ])("%s", async (_name, path, type) => {
    const items = await values(path);
    expect(items.length).toBeGreaterThan(0);
    const problems = items.flatMap((item) => validateShape(type, item));
    expect(problems).toEqual([]);
  });

  it("single user and mailbox settings", async () => {
    const u = [...sim.control.store.users.values()][0];
    const res = await graphFetch(sim, token, `/users/${u?.id}`);
    expect(validateShape("microsoft.graph.user", (await res.json()) as Record<string, unknown>)).toEqual([]);
    const box = sim.control.store.mailbox(u?.id ?? "").settings;
    expect(
      validateShape("microsoft.graph.mailboxSettings", box as unknown as Record<string, unknown>),
    ).toEqual([]);
  });

  it("the validator catches wrong shapes", () => {
    expect(
      validateShape("microsoft.graph.room", { capacity: "10", bookingType: "sometimes", nope: 1 }),
    ).toHaveLength(3);
  });
});
