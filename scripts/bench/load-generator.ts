/**
 * A load generator in a process of its own, so the client's work (building requests, parsing answers,
 * keeping the schedule) neither shares the app host's event loop nor hides in its CPU time.
 *
 * The parent starts it with `startLoadGenerator` (a `fork` of this file), then hands it lists of
 * requests with their pacing; it sends them over `node:http` with kept-alive connections to the local
 * host and answers, by IPC, each request's outcome and timing in the order the answers came.
 *
 * Pacing:
 * - closed: `concurrency` workers, each sending its next request when its last one is answered (the
 *   load follows the server: saturation). Latency is measured from the request's own start.
 * - open: requests are due at a steady rate, one every 1/rate seconds from the start, never more than
 *   `concurrency` in flight; a request due while that many are in flight waits for one to end. Latency
 *   is measured from the time it was due, so a wait for a slot or a late timer counts in it (no
 *   coordinated omission).
 */
import { fork } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";

export interface LoadRequest {
  /** Index into the bearer tokens the generator was started with. */
  readonly person: number;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
}

export type Pacing =
  | { readonly kind: "closed"; readonly concurrency: number }
  | { readonly kind: "open"; readonly concurrency: number; readonly ratePerSecond: number };

export interface LoadResult {
  /** The request's index in the list sent. */
  readonly index: number;
  /** The HTTP status; 0 when the connection failed. */
  readonly status: number;
  /** From the request's start (closed) or the time it was due (open) until its answer ended. */
  readonly ms: number;
  /** Open pacing: how long after its due time the request was sent (0 when closed). */
  readonly lateMs: number;
  /** Open pacing: whether, when due, it found `concurrency` requests in flight and waited. */
  readonly waitedForSlot: boolean;
  /** The answer's `id`, `type` and `rule` fields, when it had them. */
  readonly id?: string;
  readonly type?: string;
  readonly rule?: string;
  /** The transport error's code when the connection failed. */
  readonly error?: string;
}

export interface LoadRun {
  /** In the order answered. */
  readonly results: readonly LoadResult[];
  /** From the first request's start (or due time) until the last answer ended. */
  readonly elapsedMs: number;
}

interface Init {
  readonly kind: "init";
  readonly baseUrl: string;
  readonly tokens: readonly string[];
  readonly maxSockets: number;
}
interface Run {
  readonly kind: "run";
  readonly requests: readonly LoadRequest[];
  readonly pacing: Pacing;
  /** Print a line at each tenth sent. */
  readonly progress: boolean;
}
type ToGenerator = Init | Run | { readonly kind: "stop" };
type FromGenerator = { readonly kind: "ready" } | ({ readonly kind: "done" } & LoadRun);

export interface LoadGenerator {
  readonly pid: number;
  run(requests: readonly LoadRequest[], pacing: Pacing, progress?: boolean): Promise<LoadRun>;
  stop(): Promise<void>;
}

/** Fork the generator and connect it to the host at `baseUrl`; one run at a time. */
export async function startLoadGenerator(
  baseUrl: string,
  tokens: readonly string[],
  maxSockets: number,
): Promise<LoadGenerator> {
  const child = fork(__filename, [], { execArgv: process.execArgv });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const next = () =>
    Promise.race([
      new Promise<FromGenerator>((resolve) => child.once("message", (m) => resolve(m as FromGenerator))),
      exited.then((code) => {
        throw new Error(`the load generator ended (${code})`);
      }),
    ]);
  const send = (message: ToGenerator) => child.send(message);
  const ready = next();
  send({ kind: "init", baseUrl, tokens, maxSockets });
  await ready;
  return {
    pid: child.pid as number,
    async run(requests, pacing, progress = false) {
      const answer = next();
      send({ kind: "run", requests, pacing, progress });
      const done = await answer;
      if (done.kind !== "done") throw new Error(`the load generator answered ${done.kind}`);
      return { results: done.results, elapsedMs: done.elapsedMs };
    },
    async stop() {
      if (child.exitCode !== null || !child.connected) return;
      send({ kind: "stop" });
      await exited;
    },
  };
}

/** The generator's side: serve runs until told to stop or the parent goes. */
function serve(): void {
  let agent: Agent | undefined;
  let target: URL | undefined;
  let tokens: readonly string[] = [];
  const reply = (message: FromGenerator) => process.send?.(message);

  const call = (req: LoadRequest) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
      const out = httpRequest(
        {
          agent,
          host: target?.hostname,
          port: target?.port,
          method: req.method,
          path: req.path,
          headers: {
            authorization: `Bearer ${tokens[req.person] ?? ""}`,
            ...(payload === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
        },
      );
      out.on("error", reject);
      out.end(payload);
    });

  /** Send one request; `from` is when its latency starts (its start, or its due time). */
  const measure = async (index: number, req: LoadRequest, from: number, late: number, waited: boolean) => {
    const timing = { index, lateMs: late, waitedForSlot: waited };
    try {
      const res = await call(req);
      const ms = performance.now() - from;
      let body: { id?: unknown; type?: unknown; rule?: unknown } = {};
      try {
        body = res.text === "" ? {} : (JSON.parse(res.text) as typeof body);
      } catch {
        body = {};
      }
      const field = (v: unknown) => (typeof v === "string" ? v : undefined);
      const id = field(body.id);
      const type = field(body.type);
      const rule = field(body.rule);
      return {
        ...timing,
        status: res.status,
        ms,
        ...(id === undefined ? {} : { id }),
        ...(type === undefined ? {} : { type }),
        ...(rule === undefined ? {} : { rule }),
      };
    } catch (error) {
      // Counted, not retried: a POST whose connection broke may or may not have been taken.
      const code = (error as { code?: string }).code ?? "unknown";
      return { ...timing, status: 0, ms: performance.now() - from, error: code };
    }
  };

  const run = async ({ requests, pacing, progress }: Run): Promise<LoadRun> => {
    const results: LoadResult[] = [];
    const tenth = Math.max(1, Math.floor(requests.length / 10));
    let sent = 0;
    const sending = () => {
      sent++;
      if (progress && sent % tenth === 0) console.log(`  … ${sent} of ${requests.length} sent`);
    };
    const started = performance.now();
    if (pacing.kind === "closed") {
      let next = 0;
      await Promise.all(
        Array.from({ length: pacing.concurrency }, async () => {
          while (next < requests.length) {
            const index = next++;
            sending();
            results.push(await measure(index, requests[index] as LoadRequest, performance.now(), 0, false));
          }
        }),
      );
      return { results, elapsedMs: performance.now() - started };
    }
    // Open: request i is due at started + i / rate. A timer wakes at the next due time and sends every
    // request due by then while fewer than `concurrency` are in flight; an answer frees a slot for the
    // oldest due request still waiting.
    const interval = 1000 / pacing.ratePerSecond;
    const due = (i: number) => started + i * interval;
    let next = 0;
    let inFlight = 0;
    /** Index of the first request found due while every slot was taken (it and those after it wait). */
    let blockedFrom = Number.POSITIVE_INFINITY;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((finish) => {
      const dispatch = () => {
        const now = performance.now();
        while (next < requests.length && due(next) <= now) {
          if (inFlight >= pacing.concurrency) {
            blockedFrom = Math.min(blockedFrom, next);
            break;
          }
          const index = next++;
          const scheduled = due(index);
          inFlight++;
          sending();
          void measure(
            index,
            requests[index] as LoadRequest,
            scheduled,
            now - scheduled,
            index >= blockedFrom,
          ).then((result) => {
            results.push(result);
            inFlight--;
            if (results.length === requests.length) {
              finish();
              return;
            }
            dispatch();
          });
        }
        // A free slot here means nothing due is waiting.
        if (inFlight < pacing.concurrency) blockedFrom = Number.POSITIVE_INFINITY;
        clearTimeout(timer);
        timer = undefined;
        if (next < requests.length && inFlight < pacing.concurrency)
          timer = setTimeout(dispatch, Math.max(0, due(next) - performance.now()));
      };
      dispatch();
    });
    clearTimeout(timer);
    return { results, elapsedMs: performance.now() - started };
  };

  process.on("message", (message: ToGenerator) => {
    if (message.kind === "init") {
      target = new URL(message.baseUrl);
      tokens = message.tokens;
      agent = new Agent({ keepAlive: true, maxSockets: message.maxSockets });
      reply({ kind: "ready" });
    } else if (message.kind === "run") {
      run(message).then(
        (done) => reply({ kind: "done", ...done }),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    } else {
      agent?.destroy();
      process.exit(0);
    }
  });
  process.on("disconnect", () => process.exit(0));
}

if (require.main === module) serve();
