import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { CryptoProvider } from "@azure/msal-node";
import { DEMO_REDIRECT_URIS, type RunningM365Simulator } from "../../../dev/m365";
import type { UserRecord } from "../../../dev/m365/store/types";
import { msalFor } from "./helpers";

/** A delegated access token for `upn` through auth code + PKCE (the real MSAL, non-interactive sign-in). */
export async function userToken(
  sim: RunningM365Simulator,
  app: { clientId: string; secret: string },
  upn: string,
  scopes: string[],
): Promise<string> {
  const cca = msalFor(sim, app.clientId, app.secret);
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const redirectUri = DEMO_REDIRECT_URIS[0] as string;
  const url = await cca.getAuthCodeUrl({
    scopes,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
  });
  const code = new URL(await sim.control.signIn(url, upn)).searchParams.get("code") as string;
  const r = await cca.acquireTokenByCode({ code, scopes, redirectUri, codeVerifier: verifier });
  return r.accessToken;
}

/** The tenant's people (not room mailboxes) whose UPN is at `domain`, in store order. */
export function peopleAt(sim: RunningM365Simulator, domain: string): UserRecord[] {
  return [...sim.control.store.users.values()].filter(
    (u) => !u.isRoomMailbox && u.data.userPrincipalName.endsWith(`@${domain}`),
  );
}

/** An instant `days` ahead at `hour`:`minute` UTC, as Graph's local dateTime string (no zone). */
export function utcAt(sim: RunningM365Simulator, days: number, hour: number, minute = 0): string {
  const now = new Date(sim.control.clock.now());
  const d = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, hour, minute),
  );
  return d.toISOString().slice(0, 19);
}

export interface ReceivedPost {
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
  json?: { value: Array<Record<string, unknown>> };
}

export type ValidationMode = "echo" | "encoded" | "status500" | "json" | "slow";

/**
 * A webhook receiver on 127.0.0.1 (node:http), as ONES' notification endpoint would be: answers the
 * validation handshake (configurable to misbehave), records notifications, answers them with
 * `status` after `delayMs`.
 */
export class WebhookReceiver {
  private server: Server | undefined;
  readonly validations: ReceivedPost[] = [];
  readonly notifications: ReceivedPost[] = [];
  validation: ValidationMode = "echo";
  validationDelayMs = 0;
  /** Status for notification POSTs (a queue: the first entries are used first, then `status`). */
  statusQueue: number[] = [];
  status = 202;
  delayMs = 0;
  /**
   * Hold validation requests or notification POSTs without answering until `release()`: the caller's
   * timeout then fires whatever the machine's speed (no race between two wall-time delays).
   */
  holdValidation = false;
  holdNotifications = false;
  private held: Array<() => void> = [];
  url = "";

  /** Answers every held request (after the caller has stopped waiting, in a timeout test). */
  release(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  private hold(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", () => r()));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** All change/lifecycle notifications received on a path, flattened. */
  items(path = "/notify"): Array<Record<string, unknown>> {
    return this.notifications.filter((n) => n.path === path).flatMap((n) => n.json?.value ?? []);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://x");
    const post: ReceivedPost = {
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers["content-type"] ?? "",
      body: Buffer.concat(chunks).toString("utf8"),
    };
    const token = url.searchParams.get("validationToken");
    if (token !== null) {
      this.validations.push(post);
      if (this.holdValidation) await this.hold();
      if (this.validationDelayMs > 0) await new Promise((r) => setTimeout(r, this.validationDelayMs));
      if (this.validation === "status500") return void res.writeHead(500).end();
      if (this.validation === "json")
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(token));
      const raw = /validationToken=([^&]*)/.exec(req.url ?? "")?.[1] ?? "";
      res.writeHead(200, { "content-type": "text/plain" }).end(this.validation === "encoded" ? raw : token);
      return;
    }
    post.json = JSON.parse(post.body) as ReceivedPost["json"];
    this.notifications.push(post);
    if (this.holdNotifications) await this.hold();
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    res.writeHead(this.statusQueue.shift() ?? this.status).end();
  }
}

/**
 * Cancels, as their organizers, the meetings in a room's calendar: the demo tenant's generated week
 * (dev/m365/calendar/seed.ts), which otherwise lies across "now" or not depending on the weekday and
 * hour the test runs at. Answers how many meetings were cancelled.
 */
export function cancelRoomMeetings(sim: RunningM365Simulator, room: string): number {
  const calendar = sim.control.calendar;
  const copies = calendar.events(room) as {
    iCalUId: string;
    isCancelled?: boolean;
    organizer?: { emailAddress?: { address?: string } };
  }[];
  let cancelled = 0;
  for (const copy of copies) {
    const organizer = copy.organizer?.emailAddress?.address;
    if (copy.isCancelled === true || organizer === undefined) continue;
    const own = (calendar.events(organizer) as { id: string; iCalUId: string }[]).find(
      (e) => e.iCalUId === copy.iCalUId,
    );
    if (own === undefined) continue;
    calendar.cancelMeeting(organizer, own.id);
    cancelled++;
  }
  return cancelled;
}
