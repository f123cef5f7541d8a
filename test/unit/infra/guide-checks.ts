/**
 * Checks that docs/deploy.md and the Bicep name only functions, routes, timers, queues and Graph
 * permissions the app has, and that the guide's function table lists every function of the catalogue.
 * Like bicep-checks.ts, each returns problems as sentences; an empty list passes.
 */
import { hostRoute, type FunctionDefinition } from "../../../functions/lib/definition";

export interface NamedText {
  readonly file: string;
  readonly text: string;
}

/** `METHOD /api/path` or `/api/path` as written in prose or comments. */
function routeMentions(text: string): { method?: string; path: string }[] {
  return [
    ...text.matchAll(/(?:\b(GET|POST|PUT|PATCH|DELETE) )?(\/api\/[A-Za-z0-9/{}._-]*[A-Za-z0-9}_-])/g),
  ].map((m) => ({
    ...(m[1] === undefined ? {} : { method: m[1] }),
    path: m[2] as string,
  }));
}

/** Route templates compared by shape: `{id}` and `{kind}` are the same segment. */
const shape = (path: string): string => path.toLowerCase().replace(/\{[^}]+\}/g, "{}");

/**
 * Every route the texts name is one the catalogue serves, with that method when one is given. A path
 * alone may also name a prefix (`/api/admin`) that catalogue routes start with.
 */
export function checkRouteMentions(
  texts: readonly NamedText[],
  catalog: readonly FunctionDefinition[],
): string[] {
  const routes = catalog.flatMap((f) =>
    f.kind === "http" ? [{ path: shape(`/api/${f.route}`), methods: f.methods }] : [],
  );
  const problems: string[] = [];
  for (const { file, text } of texts) {
    for (const mention of routeMentions(text)) {
      const path = shape(mention.path);
      const same = routes.filter((r) => r.path === path);
      const label = `${mention.method ?? ""} ${mention.path}`.trim();
      if (mention.method !== undefined) {
        if (!same.some((r) => (r.methods as readonly string[]).includes(mention.method ?? "")))
          problems.push(`${file} names ${label}, which no function of the catalogue serves`);
      } else if (same.length === 0 && !routes.some((r) => r.path.startsWith(`${path}/`))) {
        problems.push(`${file} names ${label}, which no function of the catalogue serves`);
      }
    }
  }
  return [...new Set(problems)];
}

/** Every "`name` timer" the texts name is a timer of the catalogue. */
export function checkTimerMentions(
  texts: readonly NamedText[],
  catalog: readonly FunctionDefinition[],
): string[] {
  const timers = new Set(catalog.filter((f) => f.kind === "timer").map((f) => f.name));
  const problems: string[] = [];
  for (const { file, text } of texts) {
    for (const m of text.matchAll(/`([a-z0-9-]+)` timer/g)) {
      const name = m[1] as string;
      if (!timers.has(name))
        problems.push(`${file} names the ${name} timer, which the catalogue does not have`);
    }
  }
  return [...new Set(problems)];
}

/** The row the guide's function table holds for a function. */
export function functionRow(f: FunctionDefinition): string {
  switch (f.kind) {
    case "http":
      return `| \`${f.name}\` | HTTP \`${f.methods.join(", ")} /${hostRoute(f)}\` |`;
    case "timer":
      return `| \`${f.name}\` | timer \`${f.schedule}\` |`;
    case "serviceBusQueue":
      return `| \`${f.name}\` | queue \`${f.queueName}\` |`;
  }
}

/** The cells of a markdown table row, trimmed, so padding does not matter. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());
}

/** A table row written with single spaces, as `functionRow` writes it. */
const normalRow = (row: string): string => `| ${cells(row).join(" | ")} |`;

const tableStart = "<!-- functions:start -->";
const tableEnd = "<!-- functions:end -->";

/** The guide's function table lists exactly the catalogue, each with its trigger. */
export function checkFunctionTable(deployGuide: string, catalog: readonly FunctionDefinition[]): string[] {
  const start = deployGuide.indexOf(tableStart);
  const end = deployGuide.indexOf(tableEnd);
  if (start === -1 || end < start)
    return [`docs/deploy.md has no function table between ${tableStart} and ${tableEnd}`];
  const rows = deployGuide
    .slice(start + tableStart.length, end)
    .split("\n")
    .filter((l) => l.trim().startsWith("| `"))
    .map(normalRow);
  const expected = catalog.map(functionRow);
  return [
    ...expected
      .filter((r) => !rows.includes(r))
      .map((r) => `docs/deploy.md's function table lacks this row: ${r}`),
    ...rows
      .filter((r) => !expected.includes(r))
      .map((r) => `docs/deploy.md's function table has a row the catalogue does not match: ${r}`),
  ];
}

/** The queues section 1 of the guide lists ("queues `a`, `b`") are the queues Bicep creates. */
export function checkGuideQueues(deployGuide: string, bicepQueues: readonly string[]): string[] {
  const line = /\bqueues ((?:`[a-z0-9-]+`(?:, )?)+)/.exec(deployGuide)?.[1];
  if (line === undefined) return ['docs/deploy.md does not list the queues ("queues `…`, `…`")'];
  const listed = [...line.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1] as string);
  return [
    ...bicepQueues
      .filter((q) => !listed.includes(q))
      .map((q) => `docs/deploy.md does not list queue ${q}, which Bicep creates`),
    ...listed
      .filter((q) => !bicepQueues.includes(q))
      .map((q) => `docs/deploy.md lists queue ${q}, which Bicep does not create`),
  ];
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/**
 * The permissions table (a row per mode, the mode id first, the permissions in backticks last) and the
 * sign-in line of the guide ask for exactly what the app asks for.
 */
export function checkGuideScopes(
  deployGuide: string,
  modePermissions: Readonly<Record<string, { readonly graph: readonly string[] }>>,
  signInScopes: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [mode, permissions] of Object.entries(modePermissions)) {
    const row = deployGuide
      .split("\n")
      .filter((l) => l.trim().startsWith("|"))
      .map(cells)
      .find((c) => c[0] === `\`${mode}\``);
    if (row === undefined) {
      problems.push(`docs/deploy.md has no permissions row for mode ${mode}`);
      continue;
    }
    const listed = [...(row.at(-1) ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
    if (sorted(listed).join() !== sorted(permissions.graph).join())
      problems.push(
        `docs/deploy.md gives mode ${mode} ${listed.join(", ")}; the app asks for ${permissions.graph.join(", ")}`,
      );
  }
  const signIn = deployGuide.split("\n").find((l) => l.startsWith("Sign-in scopes"));
  const scopes = [...(signIn ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  if (sorted(scopes).join() !== sorted(signInScopes).join())
    problems.push(
      `docs/deploy.md gives the sign-in scopes ${scopes.join(", ") || "(none)"}; the app asks for ${signInScopes.join(", ")}`,
    );
  return problems;
}
