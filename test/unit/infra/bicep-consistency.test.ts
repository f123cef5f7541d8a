import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { functionCatalog } from "../../../functions/catalog";
import { timerFunction, type FunctionDefinition } from "../../../functions/lib/definition";
import { queueNames, queueSettings } from "../../../shared/app/ports/work-queue";
import { modePermissions, signInScopes } from "../../../shared/domain/integration/modes";
import { settingKeys } from "../../../shared/config";
import { settingsShape } from "../../../shared/config/schema";
import {
  appSettingKeys,
  bicepQueueNames,
  checkFlexSettings,
  checkHostStorage,
  checkHub,
  checkIdentityConnections,
  checkNoUnknownSettings,
  checkOutputs,
  checkParameterMappings,
  checkQueueSettings,
  checkQueues,
  checkRoles,
  checkSecrets,
  checkSettingsCovered,
  checkTimerSettings,
  declaredSecretNames,
  keyVaultReferenceSecrets,
  type OptionalSettings,
  type ParametersFile,
} from "./bicep-checks";
import {
  checkFunctionTable,
  checkGuideQueues,
  checkGuideScopes,
  checkRouteMentions,
  checkTimerMentions,
  functionRow,
  type NamedText,
} from "./guide-checks";

// Everything is read at test time, so a key, queue or secret added by anyone is checked at once.
const read = (path: string): string => readFileSync(path, "utf8");
const main = read("infra/main.bicep");
const webPubSubModule = read("infra/modules/web-pubsub.bicep");
const roleAssignments = read("infra/modules/role-assignments.bicep");
const deployGuide = read("docs/deploy.md");
const optional = JSON.parse(read("infra/optional-settings.json")) as OptionalSettings;
const parametersFile = JSON.parse(read("infra/main.parameters.json")) as ParametersFile;
const bicepPaths = [
  "infra/main.bicep",
  ...readdirSync("infra/modules")
    .filter((f) => f.endsWith(".bicep"))
    .map((f) => join("infra/modules", f)),
];
const bicepFiles = bicepPaths.map(read);
const namedTexts: NamedText[] = [
  { file: "docs/deploy.md", text: deployGuide },
  ...bicepPaths.map((file) => ({ file, text: read(file) })),
];
const timerSchedules = functionCatalog.flatMap((f) => (f.kind === "timer" ? [f.schedule] : []));

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

  it("gives each queue the app's lock duration and delivery count", () => {
    expect(checkQueueSettings(main, queueSettings)).toEqual([]);
  });

  it("reaches host storage by service URIs built from the cloud's storage suffix", () => {
    expect(checkHostStorage(main, bicepFiles)).toEqual([]);
  });

  it("maps every parameter the guide promises to an azd variable, with the same default", () => {
    expect(checkParameterMappings(main, parametersFile, deployGuide)).toEqual([]);
  });

  it("deploys Node 22 and lets Flex scale to at least 40 instances", () => {
    expect(checkFlexSettings(main)).toEqual([]);
  });

  it("sets every timer schedule the catalogue reads, from a mapped parameter, and no other", () => {
    expect(checkTimerSettings(main, parametersFile, timerSchedules)).toEqual([]);
  });
});

describe("docs/deploy.md, the Bicep and the function catalogue", () => {
  it("name only routes the catalogue serves", () => {
    expect(checkRouteMentions(namedTexts, functionCatalog)).toEqual([]);
  });

  it("name only timers the catalogue has", () => {
    expect(checkTimerMentions(namedTexts, functionCatalog)).toEqual([]);
  });

  it("list every function of the catalogue with its trigger, and nothing else", () => {
    expect(checkFunctionTable(deployGuide, functionCatalog)).toEqual([]);
  });

  it("list the queues Bicep creates", () => {
    expect(checkGuideQueues(deployGuide, bicepQueueNames(main))).toEqual([]);
  });

  it("ask for the Graph permissions and sign-in scopes the app asks for", () => {
    expect(checkGuideScopes(deployGuide, modePermissions, signInScopes)).toEqual([]);
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

describe("the deployment checks fail when things drift", () => {
  it("a queue lock duration that differs from the app's", () => {
    const mutated = main.replace(/(name: 'calendar-changes'\n\s*lockDuration: )'PT1M'/, "$1'PT2M'");
    expect(mutated).not.toBe(main);
    expect(checkQueueSettings(mutated, queueSettings)).toEqual([
      "queue calendar-changes: lockDuration PT2M in Bicep, 60 s in the app",
    ]);
    expect(
      checkQueueSettings(main, { ...queueSettings, mail: { maxDeliveryCount: 5, lockDurationSeconds: 60 } }),
    ).toEqual(["queue mail: maxDeliveryCount 10 in Bicep, 5 in the app"]);
  });

  it("host storage by account name, or a storage host written out", () => {
    const byName = main.replace(
      /^(\s*)AzureWebJobsStorage__blobServiceUri: blobEndpoint$/m,
      "$1AzureWebJobsStorage__accountName: storageAccountName",
    );
    expect(checkHostStorage(byName, [byName])).toEqual([
      "AzureWebJobsStorage__accountName resolves only in the global cloud; set __blobServiceUri, __queueServiceUri and __tableServiceUri",
      "app setting AzureWebJobsStorage__blobServiceUri is missing",
    ]);
    const written = main.replace(
      "var queueEndpoint = 'https://${storageAccountName}.queue.${environment().suffixes.storage}'",
      "var queueEndpoint = 'https://${storageAccountName}.queue.core.windows.net'",
    );
    expect(checkHostStorage(written, [written])).toEqual([
      "app setting AzureWebJobsStorage__queueServiceUri is not the queue endpoint built from environment().suffixes.storage",
      "a Bicep file writes out the storage suffix core.windows.net; use environment().suffixes.storage",
    ]);
  });

  it("a parameter azd cannot set, a default out of step, an undocumented variable", () => {
    const { webPubSubSku: _dropped, ...rest } = parametersFile.parameters;
    expect(checkParameterMappings(main, { parameters: rest }, deployGuide)).toEqual([
      "parameter webPubSubSku is not mapped in infra/main.parameters.json, so azd env set cannot change it",
    ]);
    const otherDefault = {
      parameters: { ...parametersFile.parameters, nodeVersion: { value: "${ONES_NODE_VERSION=20}" } },
    };
    expect(checkParameterMappings(main, otherDefault, deployGuide)).toEqual([
      "parameter nodeVersion defaults to 22 in main.bicep but to 20 in main.parameters.json",
    ]);
    expect(
      checkParameterMappings(
        main,
        parametersFile,
        deployGuide.replaceAll("ONES_KEY_VAULT_PURGE_PROTECTION", ""),
      ),
    ).toEqual([
      "azd variable ONES_KEY_VAULT_PURGE_PROTECTION (parameter keyVaultPurgeProtection) is not documented in docs/deploy.md",
    ]);
  });

  it("Node 20 by default, or fewer than 40 instances allowed", () => {
    const mutated = main
      .replace("param nodeVersion string = '22'", "param nodeVersion string = '20'")
      .replace("@minValue(40)", "@minValue(1)");
    expect(checkFlexSettings(mutated)).toEqual([
      "nodeVersion defaults to '20', not '22'",
      "maximumInstanceCount must have @minValue(40): Flex Consumption rejects fewer than 40 instances",
    ]);
  });

  it("a timer whose schedule setting is missing, or a schedule no timer reads", () => {
    expect(
      checkTimerSettings(withoutLine(main, /^\s*HOUSEKEEPING_SCHEDULE:/), parametersFile, timerSchedules),
    ).toEqual(["timer schedule HOUSEKEEPING_SCHEDULE is not set in infra/main.bicep appSettings"]);
    expect(
      checkTimerSettings(
        main,
        parametersFile,
        timerSchedules.filter((s) => s !== "%ROOMS_SYNC_SCHEDULE%"),
      ),
    ).toEqual([
      "infra/main.bicep sets ROOMS_SYNC_SCHEDULE, but no timer of the catalogue uses %ROOMS_SYNC_SCHEDULE%",
    ]);
  });

  it("a route, timer or queue the app does not have", () => {
    const guide = `${deployGuide}\nCall POST /api/displays/rename, or GET /api/room-census; the \`display-census\` timer.\n`;
    expect(checkRouteMentions([{ file: "docs/deploy.md", text: guide }], functionCatalog)).toEqual([
      "docs/deploy.md names POST /api/displays/rename, which no function of the catalogue serves",
      "docs/deploy.md names GET /api/room-census, which no function of the catalogue serves",
    ]);
    expect(checkRouteMentions([{ file: "x", text: "DELETE /api/health" }], functionCatalog)).toEqual([
      "x names DELETE /api/health, which no function of the catalogue serves",
    ]);
    expect(checkTimerMentions([{ file: "docs/deploy.md", text: guide }], functionCatalog)).toEqual([
      "docs/deploy.md names the display-census timer, which the catalogue does not have",
    ]);
    expect(checkGuideQueues(deployGuide.replace("`sync-run`", "`sync-runs`"), bicepQueueNames(main))).toEqual(
      [
        "docs/deploy.md does not list queue sync-run, which Bicep creates",
        "docs/deploy.md lists queue sync-runs, which Bicep does not create",
      ],
    );
  });

  it("a function added to the catalogue but not to the guide's table, or one removed", () => {
    const added = timerFunction({
      name: "display-census",
      schedule: "%DISPLAY_CENSUS_SCHEDULE%",
      handler: () => Promise.resolve(),
    });
    expect(checkFunctionTable(deployGuide, [...functionCatalog, added])).toEqual([
      "docs/deploy.md's function table lacks this row: | `display-census` | timer `%DISPLAY_CENSUS_SCHEDULE%` |",
    ]);
    const [first, ...others] = functionCatalog;
    expect(first).toBeDefined();
    expect(checkFunctionTable(deployGuide, others)).toEqual([
      `docs/deploy.md's function table has a row the catalogue does not match: ${functionRow(first as FunctionDefinition)}`,
    ]);
  });

  it("a scope the app does not ask for, or one it asks for missing", () => {
    const withEmail = deployGuide.replace(
      /^(Sign-in scopes.*)`offline_access`/m,
      "$1`offline_access`, `email`",
    );
    expect(checkGuideScopes(withEmail, modePermissions, signInScopes)).toEqual([
      `docs/deploy.md gives the sign-in scopes ${[...signInScopes, "email"].join(", ")}; the app asks for ${signInScopes.join(", ")}`,
    ]);
    const lessApplication = {
      ...modePermissions,
      application: { kind: "application" as const, graph: ["Calendars.ReadWrite", "Place.Read.All"] },
    };
    expect(checkGuideScopes(deployGuide, lessApplication, signInScopes)).toEqual([
      "docs/deploy.md gives mode application Calendars.ReadWrite, User.Read.All, Group.Read.All, Place.Read.All; the app asks for Calendars.ReadWrite, Place.Read.All",
    ]);
  });
});
