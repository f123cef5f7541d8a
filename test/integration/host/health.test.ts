import { HttpRequest, HttpResponse, InvocationContext } from "@azure/functions";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { startServiceBus } from "../../../dev/servicebus";
import { freePort } from "../../../dev/lib/ports";
import { health } from "../../../functions/health";
import { resetSettings } from "../../../shared/config";
import { resetServices } from "../../../shared/composition";

interface HealthBody {
  status: string;
  version?: string;
  checkedAt?: string;
  configuration?: unknown;
  dependencies: Record<string, { status: string; required: boolean; reason?: string }>;
}

/** GET /api/health against real dependencies: Azurite, the local broker, and ports where nothing listens. */
const originalEnv = { ...process.env };

async function callHealth(
  env: Record<string, string>,
  options: { fresh?: boolean } = {},
): Promise<{ status: number; body: HealthBody }> {
  if (options.fresh !== false) {
    process.env = { ...originalEnv, ...env };
    resetSettings();
    await resetServices();
  }
  const response = await health.handler(
    new HttpRequest({ method: "GET", url: "http://127.0.0.1/api/health" }),
    new InvocationContext({ functionName: "health", invocationId: "t-1", logHandler: () => undefined }),
  );
  const parsed = new HttpResponse(response);
  return { status: parsed.status, body: (await parsed.json()) as HealthBody };
}

afterEach(async () => {
  process.env = { ...originalEnv };
  resetSettings();
  await resetServices();
});

describe("health", () => {
  const bus = startServiceBus({ queues: [{ name: "mail" }] });
  afterAll(async () => (await bus).stop());

  it("is 200 with every required dependency up, and reports the version", async () => {
    const graphPort = await freePort();
    const { status, body } = await callHealth({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: (await bus).connectionString,
      GRAPH_BASE_URL: `http://127.0.0.1:${graphPort}`,
    });
    expect(status).toBe(200);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.dependencies.tables).toMatchObject({ status: "up", required: true });
    expect(body.dependencies.serviceBus).toMatchObject({ status: "up", required: true });
    // Nothing listens on the Graph port: optional, so the app is degraded rather than down.
    expect(body.dependencies.graph).toMatchObject({
      status: "down",
      required: false,
      reason: "ECONNREFUSED",
    });
    expect(body.dependencies.mail).toMatchObject({ status: "not-configured" });
    expect(body.status).toBe("degraded");
  });

  it("is 503 when a required dependency is down, naming it", async () => {
    const deadPort = await freePort();
    const { status, body } = await callHealth({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: `Endpoint=sb://127.0.0.1:${deadPort};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;`,
      GRAPH_BASE_URL: `http://127.0.0.1:${deadPort}`,
    });
    expect(status).toBe(503);
    expect(body.status).toBe("unhealthy");
    expect(body.dependencies.serviceBus).toMatchObject({ status: "down", required: true });
    expect(body.dependencies.tables).toMatchObject({ status: "up" });
    expect(JSON.stringify(body)).not.toContain("SharedAccessKey");
  });

  it("is 503 naming the settings, never their values, when the configuration is invalid", async () => {
    const { status, body } = await callHealth({
      TABLES_CONNECTION_STRING: "",
      SERVICEBUS: "",
      M365_CLOUD: "moon-secret",
    });
    expect(status).toBe(503);
    expect(body).toEqual({
      status: "unhealthy",
      configuration: { status: "invalid", keys: ["M365_CLOUD", "TABLES_CONNECTION_STRING", "SERVICEBUS"] },
    });
  });

  const ref = (name: string): string =>
    `@Microsoft.KeyVault(SecretUri=https://kv-ones.vault.azure.net/secrets/${name}/)`;

  it("runs on with an unresolved mail key: mail down with the reason, the key among the warnings", async () => {
    const { status, body } = await callHealth({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: (await bus).connectionString,
      MAIL_CHANNEL: "sendgrid",
      SENDGRID_API_KEY: ref("sendgrid-api-key"),
      M365_CLIENT_SECRET: ref("m365-client-secret"),
    });
    expect(status).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.dependencies.mail).toEqual({
      status: "down",
      required: false,
      reason: "key-vault-reference-unresolved",
    });
    expect(body.configuration).toEqual({
      status: "valid",
      warnings: [
        { key: "M365_CLIENT_SECRET", problem: "key-vault-reference-unresolved" },
        { key: "SENDGRID_API_KEY", problem: "key-vault-reference-unresolved" },
      ],
    });
    expect(JSON.stringify(body)).not.toContain("kv-ones");
  });

  it("is 503 naming an unresolved session key", async () => {
    const { status, body } = await callHealth({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: (await bus).connectionString,
      SESSION_KEY: ref("session-key"),
    });
    expect(status).toBe(503);
    expect(body).toEqual({
      status: "unhealthy",
      configuration: {
        status: "invalid",
        keys: ["SESSION_KEY"],
        unresolvedReferences: [{ key: "SESSION_KEY", secret: "session-key" }],
      },
    });
    expect(JSON.stringify(body)).not.toContain("kv-ones");
  });

  it("serves the same report to calls within 10 s", async () => {
    const env = {
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: (await bus).connectionString,
    };
    const first = await callHealth(env);
    const second = await callHealth(env, { fresh: false });
    expect(second.body.checkedAt).toBe(first.body.checkedAt);
    expect(second.body).toEqual(first.body);
  });
});
