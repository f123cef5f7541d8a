import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings, settingKeys } from "../../../shared/config";

/** Settings the Functions host itself reads; they belong in the example but not in our schema. */
const hostSettings = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];

const localStack = {
  TABLES_CONNECTION_STRING: "UseDevelopmentStorage=true",
  SERVICEBUS:
    "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;",
};

describe("app settings", () => {
  it("local.settings.example.json lists exactly the schema's settings plus the host's own", () => {
    const example = JSON.parse(readFileSync("local.settings.example.json", "utf8")) as {
      Values: Record<string, string>;
    };
    expect(Object.keys(example.Values).sort()).toEqual([...settingKeys, ...hostSettings].sort());
  });

  it("the example's values parse", () => {
    const example = JSON.parse(readFileSync("local.settings.example.json", "utf8")) as {
      Values: Record<string, string>;
    };
    expect(() => parseSettings(example.Values)).not.toThrow();
  });

  it("fills defaults", () => {
    const settings = parseSettings(localStack);
    expect(settings.TABLE_PREFIX).toBe("ones");
    expect(settings.M365_CLOUD).toBe("global");
    expect(settings.WEBPUBSUB_HUB).toBe("displays");
    expect(settings.MAIL_CHANNEL).toBe("none");
  });

  it("names every missing or invalid key and never echoes a value", () => {
    const secret = "SG.this-must-not-appear";
    let error: unknown;
    try {
      parseSettings({
        M365_CLOUD: "mars",
        MAIL_CHANNEL: "sendgrid",
        APP_BASE_URL: secret,
        SMTP_PORT: secret,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect([...configError.keys].sort()).toEqual(
      [
        "APP_BASE_URL",
        "M365_CLOUD",
        "SENDGRID_API_KEY",
        "SERVICEBUS",
        "SMTP_PORT",
        "TABLES_CONNECTION_STRING",
      ].sort(),
    );
    expect(configError.message).not.toContain(secret);
    expect(configError.message).not.toContain("mars");
  });

  it("treats blank values as unset, as an empty app setting in Azure is", () => {
    expect(() => parseSettings({ ...localStack, TABLES_CONNECTION_STRING: "  " })).toThrow(
      /TABLES_CONNECTION_STRING/,
    );
    expect(parseSettings({ ...localStack, GRAPH_BASE_URL: "" }).GRAPH_BASE_URL).toBeUndefined();
  });

  it("accepts the identity-based Azure form instead of connection strings", () => {
    const settings = parseSettings({
      TABLES_ENDPOINT: "https://onesdata.table.core.windows.net",
      SERVICEBUS__fullyQualifiedNamespace: "ones.servicebus.windows.net",
      AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
      SESSION_KEY: Buffer.alloc(32, 1).toString("base64"),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString("base64"),
    });
    expect(settings.TABLES_CONNECTION_STRING).toBeUndefined();
  });

  it("requires the session and token keys in Azure, as 32-byte base64 keys", () => {
    const azure = {
      TABLES_ENDPOINT: "https://onesdata.table.core.windows.net",
      SERVICEBUS__fullyQualifiedNamespace: "ones.servicebus.windows.net",
    };
    expect(() => parseSettings(azure)).toThrow(/SESSION_KEY.*TOKEN_ENCRYPTION_KEY/);
    expect(() => parseSettings({ ...localStack, SESSION_KEY: Buffer.alloc(16).toString("base64") })).toThrow(
      /SESSION_KEY/,
    );
    expect(parseSettings(localStack).SESSION_KEY).toBeUndefined();
  });

  it("treats an unresolved Key Vault reference for the client secret as unset", () => {
    const ref = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/m365-client-secret/)";
    expect(parseSettings({ ...localStack, M365_CLIENT_SECRET: ref }).M365_CLIENT_SECRET).toBeUndefined();
    expect(parseSettings({ ...localStack, M365_CLIENT_SECRET: "s3cret" }).M365_CLIENT_SECRET).toBe("s3cret");
  });
});

describe("the README's configuration table", () => {
  it("has one row per setting, with the schema's default", async () => {
    const { settingDefaults } = await import("../../../shared/config");
    const readme = readFileSync("README.md", "utf8");
    const table = readme.slice(
      readme.indexOf("<!-- settings-table:start -->"),
      readme.indexOf("<!-- settings-table:end -->"),
    );
    const rows = new Map(
      [...table.matchAll(/^\| `([A-Za-z0-9_]+)` +\|[^|]*\| (.*?) *\|$/gm)].map((m) => [
        m[1] ?? "",
        m[2] ?? "",
      ]),
    );
    expect([...rows.keys()].sort()).toEqual([...settingKeys].sort());
    const defaults = settingDefaults();
    for (const key of settingKeys)
      expect(rows.get(key), key).toBe(defaults[key] === undefined ? "—" : `\`${defaults[key]}\``);
  });
});
