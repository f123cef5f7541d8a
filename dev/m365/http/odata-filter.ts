import { GraphError } from "./errors";

/**
 * A parser and evaluator for the `$filter` subset Graph supports on the directory and places endpoints:
 * eq ne gt ge lt le, in, and or not, parentheses, startsWith/endsWith, and `any` lambdas on collections.
 */
export type FilterNode =
  | { t: "and" | "or"; l: FilterNode; r: FilterNode }
  | { t: "not"; e: FilterNode }
  | { t: "cmp"; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; prop: string; value: Literal }
  | { t: "in"; prop: string; values: Literal[] }
  | { t: "fn"; fn: "startswith" | "endswith"; prop: string; value: Literal }
  | { t: "any"; prop: string; variable: string; body: FilterNode };

type Literal = string | number | boolean | null;

interface Token {
  kind: "str" | "num" | "ident" | "(" | ")" | "," | ":";
  text: string;
}

function syntaxError(detail: string): GraphError {
  return new GraphError(400, "BadRequest", `Invalid filter clause: ${detail}`);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "'") {
      let s = "";
      i++;
      for (;;) {
        if (i >= src.length) throw syntaxError("unterminated string literal");
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i];
        i++;
      }
      out.push({ kind: "str", text: s });
    } else if ("(),:".includes(c)) {
      out.push({ kind: c as Token["kind"], text: c });
      i++;
    } else if (/[-0-9]/.test(c) && /^-?\d/.test(src.slice(i))) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      const text = m ? m[0] : c;
      // a GUID literal (unquoted) starts with digits too: read it as an identifier
      const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/.exec(
        src.slice(i),
      );
      if (guid) {
        out.push({ kind: "str", text: guid[0] });
        i += guid[0].length;
      } else {
        out.push({ kind: "num", text });
        i += text.length;
      }
    } else {
      const m = /^[A-Za-z_@$][A-Za-z0-9_./@$-]*/.exec(src.slice(i));
      if (!m) throw syntaxError(`unexpected character '${c}'`);
      out.push({ kind: "ident", text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    const node = this.or();
    if (this.pos < this.tokens.length) throw syntaxError(`unexpected '${this.tokens[this.pos]?.text}'`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw syntaxError("unexpected end of expression");
    return t;
  }

  private expect(kind: Token["kind"]): Token {
    const t = this.next();
    if (t.kind !== kind) throw syntaxError(`expected '${kind}' but found '${t.text}'`);
    return t;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === "ident" && t.text.toLowerCase() === word;
  }

  private or(): FilterNode {
    let l = this.and();
    while (this.isKeyword("or")) {
      this.pos++;
      l = { t: "or", l, r: this.and() };
    }
    return l;
  }

  private and(): FilterNode {
    let l = this.unary();
    while (this.isKeyword("and")) {
      this.pos++;
      l = { t: "and", l, r: this.unary() };
    }
    return l;
  }

  private unary(): FilterNode {
    if (this.isKeyword("not")) {
      this.pos++;
      return { t: "not", e: this.unary() };
    }
    return this.primary();
  }

  private literal(): Literal {
    const t = this.next();
    if (t.kind === "str") return t.text;
    if (t.kind === "num") return Number(t.text);
    if (t.kind === "ident") {
      const w = t.text.toLowerCase();
      if (w === "true") return true;
      if (w === "false") return false;
      if (w === "null") return null;
    }
    throw syntaxError(`expected a literal but found '${t.text}'`);
  }

  private primary(): FilterNode {
    const t = this.next();
    if (t.kind === "(") {
      const e = this.or();
      this.expect(")");
      return e;
    }
    if (t.kind !== "ident") throw syntaxError(`unexpected '${t.text}'`);
    const word = t.text.toLowerCase();
    if ((word === "startswith" || word === "endswith") && this.peek()?.kind === "(") {
      this.pos++;
      const prop = this.expect("ident").text;
      this.expect(",");
      const value = this.literal();
      this.expect(")");
      return { t: "fn", fn: word, prop, value };
    }
    // collection lambda: prop/any(x:x eq 'a')
    const anyMatch = /^(.*)\/any$/i.exec(t.text);
    if (anyMatch && this.peek()?.kind === "(") {
      this.pos++;
      const variable = this.expect("ident").text;
      this.expect(":");
      const body = this.or();
      this.expect(")");
      return { t: "any", prop: anyMatch[1] as string, variable, body };
    }
    const opTok = this.next();
    const op = opTok.text.toLowerCase();
    if (op === "in") {
      this.expect("(");
      const values: Literal[] = [this.literal()];
      while (this.peek()?.kind === ",") {
        this.pos++;
        values.push(this.literal());
      }
      this.expect(")");
      return { t: "in", prop: t.text, values };
    }
    if (op === "eq" || op === "ne" || op === "gt" || op === "ge" || op === "lt" || op === "le") {
      return { t: "cmp", op, prop: t.text, value: this.literal() };
    }
    throw syntaxError(`unknown operator '${opTok.text}'`);
  }
}

export function parseFilter(src: string): FilterNode {
  return new Parser(tokenize(src)).parse();
}

/** Operators as the docs name them in each property's "Supports $filter (…)" line. */
export type FilterOp = "eq" | "ne" | "not" | "ge" | "le" | "in" | "startsWith" | "endsWith" | "any";

export interface FilterPropertySpec {
  /** Operators supported by default. */
  ops: FilterOp[];
  /** Operators that need advanced query parameters (ConsistencyLevel: eventual + $count=true). */
  advanced?: FilterOp[];
}

export type FilterSpec = Record<string, FilterPropertySpec>;

/**
 * Checks a parsed filter against what the endpoint supports and throws Graph's error if it isn't.
 * `unsupported(prop)` builds the error (wording differs between directory and Exchange endpoints).
 */
export function validateFilter(
  node: FilterNode,
  spec: FilterSpec,
  advanced: boolean,
  unsupported: (prop: string) => GraphError,
  lambdaVar?: string,
): void {
  const check = (prop: string, op: FilterOp): void => {
    if (lambdaVar && prop === lambdaVar) return;
    const entry = Object.entries(spec).find(([k]) => k.toLowerCase() === prop.toLowerCase());
    if (!entry) throw unsupported(prop);
    const allowed = new Set<FilterOp>([...entry[1].ops, ...(advanced ? (entry[1].advanced ?? []) : [])]);
    if (!allowed.has(op)) throw unsupported(prop);
  };
  switch (node.t) {
    case "and":
    case "or":
      validateFilter(node.l, spec, advanced, unsupported, lambdaVar);
      validateFilter(node.r, spec, advanced, unsupported, lambdaVar);
      return;
    case "not":
      if (!advanced) throw unsupported(firstProp(node.e));
      validateFilter(node.e, spec, advanced, unsupported, lambdaVar);
      return;
    case "cmp": {
      const op: FilterOp = node.op === "gt" ? "ge" : node.op === "lt" ? "le" : node.op;
      check(node.prop, node.op === "eq" && node.value === null ? "eq" : op);
      return;
    }
    case "in":
      check(node.prop, "in");
      return;
    case "fn":
      check(node.prop, node.fn === "startswith" ? "startsWith" : "endsWith");
      return;
    case "any":
      check(node.prop, "any");
      validateFilter(
        node.body,
        { ...spec, [node.variable]: { ops: ["eq", "ne", "startsWith", "endsWith", "in"] } },
        advanced,
        unsupported,
        node.variable,
      );
      return;
  }
}

function firstProp(node: FilterNode): string {
  switch (node.t) {
    case "and":
    case "or":
      return firstProp(node.l);
    case "not":
      return firstProp(node.e);
    case "any":
      return node.prop;
    default:
      return node.prop;
  }
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split("/")) {
    if (cur === null || typeof cur !== "object") return undefined;
    const rec = cur as Record<string, unknown>;
    const key = part in rec ? part : Object.keys(rec).find((k) => k.toLowerCase() === part.toLowerCase());
    cur = key === undefined ? undefined : rec[key];
  }
  return cur;
}

/** Directory string comparisons are case-insensitive. */
function norm(v: unknown): unknown {
  return typeof v === "string" ? v.toLowerCase() : v;
}

function compare(a: unknown, b: Literal): number {
  const x = norm(a);
  const y = norm(b);
  if (x === y) return 0;
  if (x === undefined || x === null) return -1;
  if (y === null) return 1;
  return (x as number | string) < (y as number | string) ? -1 : 1;
}

export function evaluateFilter(node: FilterNode, obj: unknown, scope: Record<string, unknown> = {}): boolean {
  const value = (prop: string): unknown => (prop in scope ? scope[prop] : getPath(obj, prop));
  switch (node.t) {
    case "and":
      return evaluateFilter(node.l, obj, scope) && evaluateFilter(node.r, obj, scope);
    case "or":
      return evaluateFilter(node.l, obj, scope) || evaluateFilter(node.r, obj, scope);
    case "not":
      return !evaluateFilter(node.e, obj, scope);
    case "cmp": {
      const v = value(node.prop);
      if (node.op === "eq")
        return node.value === null ? v === null || v === undefined : compare(v, node.value) === 0;
      if (node.op === "ne")
        return node.value === null ? !(v === null || v === undefined) : compare(v, node.value) !== 0;
      if (v === undefined || v === null) return false;
      const c = compare(v, node.value);
      return node.op === "gt" ? c > 0 : node.op === "ge" ? c >= 0 : node.op === "lt" ? c < 0 : c <= 0;
    }
    case "in": {
      const v = value(node.prop);
      return node.values.some((x) => compare(v, x) === 0);
    }
    case "fn": {
      const v = value(node.prop);
      if (typeof v !== "string" || typeof node.value !== "string") return false;
      const s = v.toLowerCase();
      const p = node.value.toLowerCase();
      return node.fn === "startswith" ? s.startsWith(p) : s.endsWith(p);
    }
    case "any": {
      const arr = value(node.prop);
      if (!Array.isArray(arr)) return false;
      return arr.some((item) => evaluateFilter(node.body, obj, { ...scope, [node.variable]: item }));
    }
  }
}
