import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:https";
import { startM365Simulator, type RunningM365Simulator } from "../../../dev/m365";
import { CA_DIR } from "./helpers";

/** GET through TLS with SNI and Host set to a real Microsoft host name, as a hosts-file setup would. */
function getAs(
  sim: RunningM365Simulator,
  host: string,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: sim.port, servername: host, path, headers: { host } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("real Microsoft host names", () => {
  let sim: RunningM365Simulator;
  beforeAll(async () => {
    sim = await startM365Simulator({ caDir: CA_DIR, seed: "demo", hostNames: true });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("the certificate covers the global and 21Vianet hosts, which map to the same tenant", async () => {
    const global = await getAs(
      sim,
      "login.microsoftonline.com",
      `/${sim.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(global.status).toBe(200);
    const g = JSON.parse(global.body) as { issuer: string; msgraph_host: string };
    expect(g.issuer).toBe(`https://login.microsoftonline.com/${sim.tenantId}/v2.0`);
    expect(g.msgraph_host).toBe("graph.microsoft.com");

    const china = await getAs(
      sim,
      "login.chinacloudapi.cn",
      `/${sim.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect((JSON.parse(china.body) as { msgraph_host: string }).msgraph_host).toBe(
      "microsoftgraph.chinacloudapi.cn",
    );

    const graph = await getAs(sim, "graph.microsoft.com", "/v1.0/users");
    expect(graph.status).toBe(401);
    const chinaGraph = await getAs(sim, "microsoftgraph.chinacloudapi.cn", "/v1.0/users");
    expect(chinaGraph.status).toBe(401);
  });
});
