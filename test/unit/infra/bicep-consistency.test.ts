import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { functionCatalog } from "../../../functions/catalog";
import { queueNames } from "../../../shared/app/ports/work-queue";
import { settingKeys } from "../../../shared/config";
import { settingsShape } from "../../../shared/config/schema";
import {
  appSettingKeys,
  bicepQueueNames,
  checkHub,
  checkIdentityConnections,
  checkNoUnknownSettings,
  checkOutputs,
  checkQueues,
  checkRoles,
  checkSecrets,
  checkSettingsCovered,
  declaredSecretNames,
  keyVaultReferenceSecrets,
  type OptionalSettings,
} from "./bicep-checks";

// Everything is read at test time, so a key, queue or secret added by anyone is checked at once.
const read = (path: string): string => readFileSync(path, "utf8");
const main = read("infra/main.bicep");
const webPubSubModule = read("infra/modules/web-pubsub.bicep");
const roleAssignments = read("infra/modules/role-assignments.bicep");
const deployGuide = read("docs/deploy.md");
const optional = JSON.parse(read("infra/optional-settings.json")) as OptionalSettings;
const bicepFiles = [
  main,
  ...readdirSync("infra/modules")
    .filter((f) => f.endsWith(".bicep"))
    .map((f) => read(join("infra/modules", f))),
];

const schemaKeys: readonly string[] = settingKeys;
const serviceBusFunctions = functionCatalog.filter((f) => f.kind === "serviceBusQueue");
const appQueues = [...queueNames, ...serviceBusFunctions.map((f) => f.queueName)];
const bindingConnections = serviceBusFunctions.map((f) => f.connection);
const appHub = settingsShape.WEBPUBSUB_HUB.parse(undefined);

/** Problems a mutation adds to those of the real files (others may be mid-change in the schema). */
function added(after: readonly string[], before: readonly string[]): string[] {
  return after.filter((p) => !before.includes(p));
}

/** A copy of the text without the first line matching the pattern (fails loudly if none does). */
function withoutLine(text: string, pattern: RegExp): string {
  const lines = text.split("\n");
  const index = lines.findIndex((l) => pattern.test(l));
  if (index === -1) throw new Error(`no line matches ${pattern}`);
  return [...lines.slice(0, index), ...lines.slice(index + 1)].join("\n");
}

/** A copy without the `{…}` entry of serviceBusQueues named `queue`. */
function withoutQueue(text: string, queue: string): string {
  const entry = new RegExp(`\\n\\s*\\{\\n(?:(?!\\n\\s*\\}).)*?name: '${queue}'(?:.|\\n)*?\\n\\s*\\}`, "s");
  const mutated = text.replace(entry, "");
  if (mutated === text) throw new Error(`queue ${queue} not found`);
  return mutated;
}

describe("infra/main.bicep and the app", () => {
  it("reads the Bicep it checks", () => {
    expect(appSettingKeys(main)).toContain("TABLES_ENDPOINT");
    expect(bicepQueueNames(main)).toContain("booking-commands");
    expect(declaredSecretNames(main)).toContain("sendgrid-api-key");
    expect(keyVaultReferenceSecrets(main)).toContain("smtp-password");
  });

  it("sets every key of the config schema, or lists it as local-only with a reason", () => {
    expect(checkSettingsCovered(main, schemaKeys, optional)).toEqual([]);
    for (const reason of [...Object.values(optional.localOnly), ...Object.values(optional.pending)]) {
      expect(reason.length).toBeGreaterThan(20);
    }
  });

  it("sets nothing the app does not read (typos, stale keys)", () => {
    expect(checkNoUnknownSettings(main, schemaKeys, optional)).toEqual([]);
  });

  it("gives every Service Bus binding its connection in identity style", () => {
    expect(checkIdentityConnections(main, ["SERVICEBUS", ...bindingConnections])).toEqual([]);
  });

  it("creates every queue the app sends to or triggers on, with its delivery settings", () => {
    expect(checkQueues(main, appQueues)).toEqual([]);
  });

  it("declares every secret a Key Vault reference names, and the guide documents each", () => {
    expect(checkSecrets(bicepFiles, main, deployGuide)).toEqual([]);
  });

  it("creates the Web PubSub hub the app uses", () => {
    expect(checkHub(main, webPubSubModule, appHub)).toEqual([]);
  });

  it("outputs app settings and azd variables only, never keys or connection strings", () => {
    expect(checkOutputs(main, schemaKeys)).toEqual([]);
  });

  it("grants the identity the data roles it needs", () => {
    expect(checkRoles(roleAssignments)).toEqual([]);
  });
});

describe("the checks fail when the Bicep drifts", () => {
  it("a schema setting removed from appSettings", () => {
    const mutated = withoutLine(main, /^\s*TABLES_ENDPOINT:/);
    const before = checkSettingsCovered(main, schemaKeys, optional);
    expect(added(checkSettingsCovered(mutated, schemaKeys, optional), before)).toEqual([
      expect.stringContaining("app setting TABLES_ENDPOINT (config schema) is not set"),
    ]);
  });

  it("a schema key the Bicep has never heard of", () => {
    const before = checkSettingsCovered(main, schemaKeys, optional);
    expect(
      added(checkSettingsCovered(main, [...schemaKeys, "EXAMPLE_SETTING_NOBODY_SETS"], optional), before),
    ).toEqual([expect.stringContaining("EXAMPLE_SETTING_NOBODY_SETS")]);
  });

  it("a misspelt setting", () => {
    const mutated = main.replace(/^(\s*)TABLE_PREFIX:/m, "$1TABLES_PREFIX:");
    const problems = checkNoUnknownSettings(mutated, schemaKeys, optional);
    expect(problems).toContainEqual(expect.stringContaining("sets TABLES_PREFIX"));
    expect(checkSettingsCovered(mutated, schemaKeys, optional)).toContainEqual(
      expect.stringContaining("TABLE_PREFIX"),
    );
  });

  it("a pending key that has reached the schema", () => {
    const stillPending = {
      ...optional,
      pending: { ...optional.pending, SESSION_KEY: "listed before its issue" },
    };
    expect(checkNoUnknownSettings(main, schemaKeys, stillPending)).toContainEqual(
      expect.stringContaining("SESSION_KEY is in the config schema now"),
    );
  });

  it("an identity connection without its client id, or with a connection string", () => {
    expect(checkIdentityConnections(withoutLine(main, /^\s*SERVICEBUS__clientId:/), ["SERVICEBUS"])).toEqual([
      "binding connection SERVICEBUS needs app setting SERVICEBUS__clientId",
    ]);
    const withConnectionString = main.replace(
      /^(\s*)TABLE_PREFIX:/m,
      "$1SERVICEBUS: 'Endpoint=sb://x'\n$1TABLE_PREFIX:",
    );
    expect(checkIdentityConnections(withConnectionString, ["SERVICEBUS"])).toContainEqual(
      expect.stringContaining("must not be set in Azure"),
    );
  });

  it.each(queueNames)("queue %s removed", (queue) => {
    expect(checkQueues(withoutQueue(main, queue), appQueues)).toEqual([
      `queue ${queue} is used by the app but missing from serviceBusQueues in infra/main.bicep`,
    ]);
  });

  it("a queue without its max delivery count", () => {
    expect(checkQueues(withoutLine(main, /^\s*maxDeliveryCount:/), appQueues)).toEqual([
      "queue booking-commands has no maxDeliveryCount",
    ]);
  });

  it("a queue a new trigger listens on", () => {
    expect(checkQueues(main, [...appQueues, "approvals"])).toEqual([
      "queue approvals is used by the app but missing from serviceBusQueues in infra/main.bicep",
    ]);
  });

  it("a secret removed from the declared list", () => {
    const mutated = withoutLine(main, /\{ name: 'smtp-password'/);
    expect(checkSecrets([mutated], mutated, deployGuide)).toEqual([
      "Key Vault reference to secret smtp-password, which keyVaultSecrets in infra/main.bicep does not declare",
    ]);
  });

  it("a reference to a secret nobody creates", () => {
    const mutated = main.replace("secrets/sendgrid-api-key/", "secrets/sendgrid-key/");
    expect(checkSecrets([mutated], mutated, deployGuide)).toEqual([
      "Key Vault reference to secret sendgrid-key, which keyVaultSecrets in infra/main.bicep does not declare",
    ]);
  });

  it("a secret the guide does not document", () => {
    expect(
      checkSecrets(bicepFiles, main, deployGuide.replaceAll("`session-key`", "the session key")),
    ).toEqual(["secret session-key is not documented in docs/deploy.md"]);
  });

  it("a different hub name, or no hub resource", () => {
    expect(
      checkHub(
        main.replace("var webPubSubHub = 'displays'", "var webPubSubHub = 'screens'"),
        webPubSubModule,
        appHub,
      ),
    ).toEqual([`webPubSubHub in infra/main.bicep is screens, the app's hub is ${appHub}`]);
    expect(checkHub(main, webPubSubModule.replace("webPubSub/hubs@", "webPubSub/replicas@"), appHub)).toEqual(
      ["infra/modules/web-pubsub.bicep does not create a hub named hubName"],
    );
  });

  it("an output that leaks a connection string, or is named for nobody", () => {
    const mutated = `${main}\noutput APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString\noutput storageName string = storageAccountName\n`;
    expect(checkOutputs(mutated, schemaKeys)).toEqual([
      "output APPLICATIONINSIGHTS_CONNECTION_STRING is neither an app setting nor an azd variable",
      "output APPLICATIONINSIGHTS_CONNECTION_STRING may carry a key or a connection string",
      "output storageName is neither an app setting nor an azd variable",
    ]);
  });

  it("a role assignment removed", () => {
    expect(checkRoles(roleAssignments.replace("4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "(removed)"))).toEqual([
      "role Azure Service Bus Data Receiver is not assigned in infra/modules/role-assignments.bicep",
    ]);
  });

  it("ignores commented-out settings", () => {
    const mutated = main.replace(/^(\s*)(TABLES_ENDPOINT:)/m, "$1// $2");
    expect(appSettingKeys(mutated)).not.toContain("TABLES_ENDPOINT");
  });
});
