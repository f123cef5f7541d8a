/**
 * Checks over Bicep read as text (Bicep cannot be compiled on the machines this runs on). Each check
 * takes the text and what the app expects, and returns problems as sentences; an empty list passes.
 * The consistency test runs them on the real files and on mutated copies, to prove they can fail.
 */

/** Settings the Functions host reads itself: never in the app's config schema. */
const hostSettingPatterns = [/^AzureWebJobsStorage__/, /^APPLICATIONINSIGHTS_/, /^FUNCTIONS_/, /^WEBSITE_/];

/** Identity-style connection properties the host and SDK read next to a `__fullyQualifiedNamespace`. */
const identityConnectionSuffixes = ["__credential", "__clientId"];

export interface OptionalSettings {
  /** Schema keys main.bicep deliberately does not set, with the reason. */
  readonly localOnly: Readonly<Record<string, string>>;
  /** Keys main.bicep sets before the config schema has them, with the reason. */
  readonly pending: Readonly<Record<string, string>>;
}

/** Text without `//` line comments and `/* *\/` block comments (outside strings). */
export function stripComments(bicep: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < bicep.length; i++) {
    const c = bicep[i];
    const next = bicep[i + 1];
    if (inString) {
      out += c;
      if (c === "\\") {
        out += next ?? "";
        i++;
      } else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") {
      inString = true;
      out += c;
    } else if (c === "/" && next === "/") {
      while (i < bicep.length && bicep[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && next === "*") {
      const end = bicep.indexOf("*/", i + 2);
      i = end === -1 ? bicep.length : end + 1;
    } else out += c;
  }
  return out;
}

/**
 * The body of `var NAME = {…}` or `var NAME = […]`, brackets balanced (interpolations `${…}` balance
 * too), or undefined when the variable is missing.
 */
export function varBody(bicep: string, name: string): string | undefined {
  const text = stripComments(bicep);
  const match = new RegExp(`^var\\s+${name}\\s*=\\s*([[{])`, "m").exec(text);
  if (match === null) return undefined;
  const open = match[1] as "{" | "[";
  const close = open === "{" ? "}" : "]";
  const start = match.index + match[0].length;
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === open) depth++;
    else if (c === close && --depth === 0) return text.slice(start, i);
  }
  return undefined;
}

/** The keys at the top level of an object body. */
function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of body.split("\n")) {
    if (depth === 0) {
      const key = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(line)?.[1];
      if (key !== undefined) keys.push(key);
    }
    for (const c of line) {
      if (c === "{" || c === "[" || c === "(") depth++;
      else if (c === "}" || c === "]" || c === ")") depth--;
    }
  }
  return keys;
}

/** The app settings main.bicep gives the Function App: the keys of `var appSettings`. */
export function appSettingKeys(mainBicep: string): string[] {
  const body = varBody(mainBicep, "appSettings");
  return body === undefined ? [] : topLevelKeys(body);
}

/** The `{…}` items of an array body. */
function topLevelObjects(body: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "{" && depth++ === 0) start = i + 1;
    else if (c === "}" && --depth === 0) items.push(body.slice(start, i));
  }
  return items;
}

/** The `name: '…'` entries of an array variable (queues, secrets). */
function arrayEntryNames(bicep: string, variable: string): string[] {
  const body = varBody(bicep, variable);
  if (body === undefined) return [];
  return [...body.matchAll(/\bname:\s*'([^']+)'/g)].map((m) => m[1] as string);
}

export function bicepQueueNames(mainBicep: string): string[] {
  return arrayEntryNames(mainBicep, "serviceBusQueues");
}

export function declaredSecretNames(mainBicep: string): string[] {
  return arrayEntryNames(mainBicep, "keyVaultSecrets");
}

/** Secret names in `@Microsoft.KeyVault(SecretUri=…/secrets/NAME/)` or `(VaultName=…;SecretName=NAME)` references. */
export function keyVaultReferenceSecrets(bicep: string): string[] {
  const text = stripComments(bicep);
  const byUri = [...text.matchAll(/@Microsoft\.KeyVault\(SecretUri=[^)]*?secrets\/([A-Za-z0-9-]+)/g)];
  const byName = [...text.matchAll(/@Microsoft\.KeyVault\([^)]*SecretName=([A-Za-z0-9-]+)/g)];
  return [...byUri, ...byName].map((m) => m[1] as string);
}

/** Schema keys main.bicep neither sets nor lists as local-only. */
export function checkSettingsCovered(
  mainBicep: string,
  schemaKeys: readonly string[],
  optional: OptionalSettings,
): string[] {
  const set = new Set(appSettingKeys(mainBicep));
  return schemaKeys
    .filter((key) => !set.has(key) && !(key in optional.localOnly))
    .map(
      (key) =>
        `app setting ${key} (config schema) is not set in infra/main.bicep appSettings; ` +
        `set it there or list it with a reason under localOnly in infra/optional-settings.json`,
    );
}

/** Settings main.bicep sets that nobody reads: not in the schema, not the host's, not pending. */
export function checkNoUnknownSettings(
  mainBicep: string,
  schemaKeys: readonly string[],
  optional: OptionalSettings,
): string[] {
  const schema = new Set(schemaKeys);
  const keys = appSettingKeys(mainBicep);
  const problems: string[] = [];
  for (const key of keys) {
    if (schema.has(key) || key in optional.pending) continue;
    if (hostSettingPatterns.some((p) => p.test(key))) continue;
    const suffix = identityConnectionSuffixes.find((s) => key.endsWith(s));
    if (suffix !== undefined && keys.includes(`${key.slice(0, -suffix.length)}__fullyQualifiedNamespace`))
      continue;
    problems.push(
      `infra/main.bicep sets ${key}, which the config schema does not know (typo, or add it to the schema)`,
    );
  }
  for (const key of Object.keys(optional.localOnly)) {
    if (keys.includes(key)) problems.push(`${key} is listed as local-only but infra/main.bicep sets it`);
    if (!schema.has(key)) problems.push(`${key} is listed as local-only but is not in the config schema`);
  }
  for (const key of Object.keys(optional.pending)) {
    if (schema.has(key))
      problems.push(
        `${key} is in the config schema now: remove it from "pending" in infra/optional-settings.json`,
      );
    if (!keys.includes(key))
      problems.push(`${key} is listed as pending but infra/main.bicep does not set it`);
  }
  return problems;
}

/** Binding connections in identity style: NAME__fullyQualifiedNamespace with __credential and __clientId. */
export function checkIdentityConnections(mainBicep: string, connectionNames: readonly string[]): string[] {
  const keys = new Set(appSettingKeys(mainBicep));
  const problems: string[] = [];
  for (const name of new Set(connectionNames)) {
    for (const suffix of ["__fullyQualifiedNamespace", ...identityConnectionSuffixes]) {
      if (!keys.has(`${name}${suffix}`))
        problems.push(`binding connection ${name} needs app setting ${name}${suffix}`);
    }
    if (keys.has(name)) problems.push(`app setting ${name} (a connection string) must not be set in Azure`);
  }
  return problems;
}

/** Every queue the app uses exists in Bicep with its delivery settings. */
export function checkQueues(mainBicep: string, queues: readonly string[]): string[] {
  const declared = bicepQueueNames(mainBicep);
  const problems = [...new Set(queues)]
    .filter((q) => !declared.includes(q))
    .map((q) => `queue ${q} is used by the app but missing from serviceBusQueues in infra/main.bicep`);
  for (const entry of topLevelObjects(varBody(mainBicep, "serviceBusQueues") ?? "")) {
    const name = /\bname:\s*'([^']+)'/.exec(entry)?.[1] ?? "(unnamed)";
    for (const field of ["lockDuration", "maxDeliveryCount", "defaultMessageTimeToLive"]) {
      if (!new RegExp(`\\b${field}:`).test(entry)) problems.push(`queue ${name} has no ${field}`);
    }
  }
  return problems;
}

/** Every Key Vault reference names a secret the template declares, and the guide documents it. */
export function checkSecrets(
  bicepFiles: readonly string[],
  mainBicep: string,
  deployGuide: string,
): string[] {
  const declared = new Set(declaredSecretNames(mainBicep));
  const problems: string[] = [];
  for (const name of new Set(bicepFiles.flatMap(keyVaultReferenceSecrets))) {
    if (!declared.has(name))
      problems.push(
        `Key Vault reference to secret ${name}, which keyVaultSecrets in infra/main.bicep does not declare`,
      );
  }
  for (const name of declared) {
    if (!deployGuide.includes(`\`${name}\``))
      problems.push(`secret ${name} is not documented in docs/deploy.md`);
  }
  return problems;
}

/** The hub the app uses is the one the template creates. */
export function checkHub(mainBicep: string, webPubSubModule: string, appHub: string): string[] {
  const problems: string[] = [];
  const hub = /^var\s+webPubSubHub\s*=\s*'([^']*)'/m.exec(stripComments(mainBicep))?.[1];
  if (hub !== appHub)
    problems.push(`webPubSubHub in infra/main.bicep is ${hub ?? "missing"}, the app's hub is ${appHub}`);
  const settings = varBody(mainBicep, "appSettings") ?? "";
  if (!/^\s*WEBPUBSUB_HUB:\s*webPubSubHub\s*$/m.test(settings))
    problems.push("app setting WEBPUBSUB_HUB is not webPubSubHub");
  if (!/\bhubName:\s*webPubSubHub\b/.test(stripComments(mainBicep)))
    problems.push("the web-pubsub module is not given hubName: webPubSubHub");
  const module = stripComments(webPubSubModule);
  if (!/'Microsoft\.SignalRService\/webPubSub\/hubs@[^']+'\s*=\s*\{[^}]*\bname:\s*hubName\b/.test(module)) {
    problems.push("infra/modules/web-pubsub.bicep does not create a hub named hubName");
  }
  return problems;
}

/** Outputs are named as app settings or azd's own, and none carries a key or a connection string. */
export function checkOutputs(mainBicep: string, schemaKeys: readonly string[]): string[] {
  const problems: string[] = [];
  const text = stripComments(mainBicep);
  for (const m of text.matchAll(/^output\s+([A-Za-z0-9_]+)\s+\w+\s*=\s*(.+)$/gm)) {
    const [, name = "", value = ""] = m;
    if (!schemaKeys.includes(name) && !/^(AZURE|SERVICE)_/.test(name)) {
      problems.push(`output ${name} is neither an app setting nor an azd variable`);
    }
    if (
      /connectionString|listKeys|primaryKey|secondaryKey|SharedAccessKey|accessKey|password|secret/i.test(
        `${name} ${value}`,
      )
    ) {
      problems.push(`output ${name} may carry a key or a connection string`);
    }
  }
  return problems;
}

/** The identity holds the data-plane roles the app needs. */
export function checkRoles(roleAssignmentsBicep: string): string[] {
  const required: Record<string, string> = {
    "Storage Table Data Contributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "Storage Blob Data Owner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    "Web PubSub Service Owner": "12cf5a90-567b-43ae-8102-96cf46c7d9b4",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  };
  const text = stripComments(roleAssignmentsBicep);
  return Object.entries(required)
    .filter(([, id]) => !text.includes(id))
    .map(([role]) => `role ${role} is not assigned in infra/modules/role-assignments.bicep`);
}
