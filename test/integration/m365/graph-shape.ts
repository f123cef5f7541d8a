import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Validates simulator payloads against Microsoft's v1.0 type shapes in
 * test/fixtures/graph/graph-v1-types.json (a copy of the shared reference
 * extracted from Microsoft's published v1.0 CSDL metadata): property names (incl. inherited ones), JSON types, enum
 * members and nullability. Annotations (`@odata.*`, `x@delta`, `@removed`) are skipped. Shared with the
 * calendar and notification tests.
 */
interface PropDef {
  type: string;
  nullable: boolean | null;
}
interface TypeDef {
  kind: "EntityType" | "ComplexType" | "EnumType";
  base: string | null;
  props?: Record<string, PropDef>;
  nav?: Record<string, string>;
  members?: string[];
  openType?: string | null;
}

const REFERENCE = resolve(__dirname, "../../fixtures/graph/graph-v1-types.json");

let types: Record<string, TypeDef> | undefined;
function all(): Record<string, TypeDef> {
  types ??= JSON.parse(readFileSync(REFERENCE, "utf8")) as Record<string, TypeDef>;
  return types;
}

function fullName(t: string): string {
  return t.startsWith("microsoft.") ? t : t.replace(/^graph\./, "microsoft.graph.");
}

function propsOf(typeName: string): Record<string, PropDef | { nav: string }> {
  const out: Record<string, PropDef | { nav: string }> = {};
  let t: string | null = fullName(typeName);
  while (t) {
    const def: TypeDef | undefined = all()[t];
    if (!def) break;
    for (const [k, v] of Object.entries(def.props ?? {})) out[k] ??= v;
    for (const [k, v] of Object.entries(def.nav ?? {})) out[k] ??= { nav: v };
    t = def.base ? fullName(def.base) : null;
  }
  return out;
}

const ISO_DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function checkValue(
  path: string,
  type: string,
  nullable: boolean | null,
  value: unknown,
  problems: string[],
): void {
  if (value === null) {
    if (nullable === false) problems.push(`${path}: null but not nullable`);
    return;
  }
  const coll = /^Collection\((.*)\)$/.exec(type);
  if (coll) {
    if (!Array.isArray(value)) problems.push(`${path}: expected array`);
    else value.forEach((v, i) => checkValue(`${path}[${i}]`, coll[1] as string, false, v, problems));
    return;
  }
  switch (type) {
    case "Edm.String":
    case "Edm.Guid":
    case "Edm.Date":
    case "Edm.TimeOfDay":
      if (typeof value !== "string") problems.push(`${path}: expected string, got ${typeof value}`);
      return;
    case "Edm.DateTimeOffset":
      if (typeof value !== "string" || !ISO_DATE_TIME.test(value))
        problems.push(`${path}: expected ISO date-time, got ${JSON.stringify(value)}`);
      return;
    case "Edm.Boolean":
      if (typeof value !== "boolean") problems.push(`${path}: expected boolean`);
      return;
    case "Edm.Int32":
      if (!Number.isInteger(value)) problems.push(`${path}: expected integer`);
      return;
    case "Edm.Double":
      if (typeof value !== "number") problems.push(`${path}: expected number`);
      return;
  }
  const def = all()[fullName(type)];
  if (!def) return; // a type the reference does not describe: not checked
  if (def.kind === "EnumType") {
    if (typeof value !== "string" || !(def.members ?? []).includes(value))
      problems.push(`${path}: ${JSON.stringify(value)} is not a member of ${type}`);
    return;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${path}: expected object of ${type}`);
    return;
  }
  problems.push(...validateShape(type, value as Record<string, unknown>, path));
}

/** Problems found in `obj` as an instance of `typeName` (e.g. "microsoft.graph.user"); empty = conforms. */
export function validateShape(typeName: string, obj: Record<string, unknown>, path = typeName): string[] {
  const problems: string[] = [];
  const props = propsOf(typeName);
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith("@") || key.includes("@")) continue;
    const def = props[key];
    if (!def) {
      problems.push(`${path}.${key}: not a property of ${typeName}`);
      continue;
    }
    if ("nav" in def) continue;
    checkValue(`${path}.${key}`, def.type, def.nullable, value, problems);
  }
  return problems;
}
