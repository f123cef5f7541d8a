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
  // One hub resource, or one per instance (`= [for i in range(…): {…}]`).
  const hubResource =
    /'Microsoft\.SignalRService\/webPubSub\/hubs@[^']+'\s*=\s*(?:\[\s*for\s[^:]+:\s*)?\{[^}]*\bname:\s*hubName\b/;
  if (!hubResource.test(module)) {
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

/** A `param` of a Bicep file: its type, its default as written (undefined when none) and its decorators. */
export interface BicepParam {
  readonly name: string;
  readonly type: string;
  readonly defaultValue?: string;
  readonly decorators: readonly string[];
}

export function bicepParams(bicep: string): BicepParam[] {
  const params: BicepParam[] = [];
  let decorators: string[] = [];
  for (const line of stripComments(bicep).split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("@")) {
      decorators.push(trimmed);
      continue;
    }
    const match = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+))?$/.exec(trimmed);
    if (match !== null) {
      const [, name = "", type = "", defaultValue] = match;
      params.push({ name, type, decorators, ...(defaultValue === undefined ? {} : { defaultValue }) });
    }
    if (trimmed !== "") decorators = [];
  }
  return params;
}

/** A literal default as azd writes it in main.parameters.json (`'x'` → x), or undefined for an expression. */
function literal(defaultValue: string | undefined): string | undefined {
  if (defaultValue === undefined) return undefined;
  const quoted = /^'([^'$]*)'$/.exec(defaultValue);
  if (quoted !== null) return quoted[1];
  return /^(?:-?\d+|true|false)$/.test(defaultValue) ? defaultValue : undefined;
}

export interface ParametersFile {
  readonly parameters: Readonly<Record<string, { readonly value: unknown }>>;
}

/**
 * Every parameter of main.bicep with a literal default can be changed with `azd env set`: it is mapped in
 * main.parameters.json to `${ONES_…=default}` with the same default, and the guide names the variable.
 * Parameters whose default is an expression (derived from the cloud) are left to Bicep.
 */
export function checkParameterMappings(
  mainBicep: string,
  parametersFile: ParametersFile,
  deployGuide: string,
): string[] {
  const problems: string[] = [];
  const params = bicepParams(mainBicep);
  for (const param of params) {
    const mapped = parametersFile.parameters[param.name]?.value;
    const hasExpressionDefault =
      param.defaultValue !== undefined && literal(param.defaultValue) === undefined;
    if (mapped === undefined) {
      if (!hasExpressionDefault)
        problems.push(
          `parameter ${param.name} is not mapped in infra/main.parameters.json, so azd env set cannot change it`,
        );
      continue;
    }
    const match = typeof mapped === "string" ? /^\$\{([A-Z0-9_]+)(?:=([^}]*))?\}$/.exec(mapped) : null;
    if (match === null) {
      problems.push(`parameter ${param.name} is mapped to ${JSON.stringify(mapped)}, not to an azd variable`);
      continue;
    }
    const [, variable = "", mappedDefault] = match;
    const bicepDefault = literal(param.defaultValue);
    // azd's own variables (AZURE_…) are always set by azd; ours need main.bicep's default.
    const comparable = mappedDefault !== undefined || variable.startsWith("ONES_");
    if (bicepDefault !== undefined && comparable && mappedDefault !== bicepDefault)
      problems.push(
        `parameter ${param.name} defaults to ${bicepDefault} in main.bicep but to ${mappedDefault ?? "nothing"} in main.parameters.json`,
      );
    if (variable.startsWith("ONES_") && !deployGuide.includes(variable))
      problems.push(`azd variable ${variable} (parameter ${param.name}) is not documented in docs/deploy.md`);
  }
  for (const name of Object.keys(parametersFile.parameters)) {
    if (!params.some((p) => p.name === name))
      problems.push(`infra/main.parameters.json maps ${name}, which main.bicep does not declare`);
  }
  return problems;
}

/** The Flex Consumption runtime and scale settings: Node 22 by default, at least 40 instances. */
export function checkFlexSettings(mainBicep: string): string[] {
  const problems: string[] = [];
  const params = bicepParams(mainBicep);
  const node = params.find((p) => p.name === "nodeVersion");
  if (node?.defaultValue !== "'22'")
    problems.push(`nodeVersion defaults to ${node?.defaultValue ?? "nothing"}, not '22'`);
  const instances = params.find((p) => p.name === "maximumInstanceCount");
  const minimum = Number(
    /^@minValue\((\d+)\)$/.exec(instances?.decorators.find((d) => d.startsWith("@minValue(")) ?? "")?.[1],
  );
  if (!(minimum >= 40))
    problems.push(
      "maximumInstanceCount must have @minValue(40): Flex Consumption rejects fewer than 40 instances",
    );
  if (!(Number(instances?.defaultValue) >= 40))
    problems.push("maximumInstanceCount must default to 40 or more");
  return problems;
}

/** The value text of an app setting in `var appSettings`, or undefined. */
function appSettingValue(mainBicep: string, key: string): string | undefined {
  const body = varBody(mainBicep, "appSettings") ?? "";
  return new RegExp(`^\\s*${key}:\\s*(.+?)\\s*$`, "m").exec(body)?.[1];
}

/** The text a value stands for: itself, or the body of the `var` it names. */
function resolveVar(bicep: string, value: string): string {
  if (!/^\w+$/.test(value)) return value;
  return new RegExp(`^var\\s+${value}\\s*=\\s*(.+)$`, "m").exec(stripComments(bicep))?.[1] ?? value;
}

/**
 * Host storage works in every cloud: service URIs built from the environment's storage suffix, never
 * `AzureWebJobsStorage__accountName` (global cloud only), and no storage host name written out.
 */
export function checkHostStorage(mainBicep: string, bicepFiles: readonly string[]): string[] {
  const problems: string[] = [];
  if (appSettingKeys(mainBicep).includes("AzureWebJobsStorage__accountName"))
    problems.push(
      "AzureWebJobsStorage__accountName resolves only in the global cloud; set __blobServiceUri, __queueServiceUri and __tableServiceUri",
    );
  for (const service of ["blob", "queue", "table"]) {
    const key = `AzureWebJobsStorage__${service}ServiceUri`;
    const value = appSettingValue(mainBicep, key);
    if (value === undefined) {
      problems.push(`app setting ${key} is missing`);
      continue;
    }
    const resolved = resolveVar(mainBicep, value);
    if (!resolved.includes("environment().suffixes.storage") || !resolved.includes(`.${service}.`))
      problems.push(
        `app setting ${key} is not the ${service} endpoint built from environment().suffixes.storage`,
      );
  }
  for (const file of bicepFiles) {
    const host = /core\.windows\.net|core\.chinacloudapi\.cn|core\.usgovcloudapi\.net/.exec(
      stripComments(file),
    );
    if (host !== null)
      problems.push(
        `a Bicep file writes out the storage suffix ${host[0]}; use environment().suffixes.storage`,
      );
  }
  return problems;
}

/** Seconds of an ISO 8601 duration such as PT1M or PT30S (hours, minutes and seconds only). */
export function durationSeconds(iso: string): number | undefined {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  if (match === null || iso === "PT") return undefined;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** Lock durations and delivery counts in Bicep equal the app's queue settings. */
export function checkQueueSettings(
  mainBicep: string,
  settings: Readonly<
    Record<string, { readonly maxDeliveryCount: number; readonly lockDurationSeconds: number }>
  >,
): string[] {
  const problems: string[] = [];
  for (const entry of topLevelObjects(varBody(mainBicep, "serviceBusQueues") ?? "")) {
    const name = /\bname:\s*'([^']+)'/.exec(entry)?.[1] ?? "(unnamed)";
    const app = settings[name];
    if (app === undefined) continue;
    const lock = /\blockDuration:\s*'([^']+)'/.exec(entry)?.[1] ?? "";
    const seconds = durationSeconds(lock);
    if (seconds !== app.lockDurationSeconds)
      problems.push(`queue ${name}: lockDuration ${lock} in Bicep, ${app.lockDurationSeconds} s in the app`);
    const count = Number(/\bmaxDeliveryCount:\s*(\d+)/.exec(entry)?.[1]);
    if (count !== app.maxDeliveryCount)
      problems.push(`queue ${name}: maxDeliveryCount ${count} in Bicep, ${app.maxDeliveryCount} in the app`);
  }
  return problems;
}

/**
 * Timers whose schedule is an app setting (`%KEY%`) get it from Bicep through a mapped parameter, and
 * every `…_SCHEDULE` setting Bicep writes belongs to a timer of the catalogue.
 */
export function checkTimerSettings(
  mainBicep: string,
  parametersFile: ParametersFile,
  timerSchedules: readonly string[],
): string[] {
  const problems: string[] = [];
  const keys = timerSchedules.flatMap((s) => /^%(\w+)%$/.exec(s)?.[1] ?? []);
  for (const key of keys) {
    const value = appSettingValue(mainBicep, key);
    if (value === undefined) {
      problems.push(`timer schedule ${key} is not set in infra/main.bicep appSettings`);
      continue;
    }
    if (!/^\w+$/.test(value) || !bicepParams(mainBicep).some((p) => p.name === value))
      problems.push(`timer schedule ${key} is not taken from a parameter`);
    else if (parametersFile.parameters[value] === undefined)
      problems.push(`timer schedule ${key} (parameter ${value}) is not mapped in infra/main.parameters.json`);
  }
  for (const key of appSettingKeys(mainBicep).filter((k) => k.endsWith("_SCHEDULE"))) {
    if (!keys.includes(key))
      problems.push(`infra/main.bicep sets ${key}, but no timer of the catalogue uses %${key}%`);
  }
  return problems;
}
