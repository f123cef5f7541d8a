import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SMTPServer } from "smtp-server";
import { emptyFaults, type HoldStage } from "./faults";
import { renderMailboxPage } from "./page";
import { handleSendGrid } from "./sendgrid-api";
import { createSmtpSink } from "./smtp-sink";
import { MessageStore, type SinkMessage } from "./store";
import { selfSignedCertificate } from "./tls";

export type { SinkMessage } from "./store";
export type { HoldStage } from "./faults";

export interface MailSinkOptions {
  /** SMTP port (plain, with STARTTLS when `tls`); 0 or unset picks a free one. */
  readonly smtpPort?: number;
  /** HTTP port of the SendGrid API and the mailbox page; 0 or unset picks a free one. */
  readonly httpPort?: number;
  /** Also listen with implicit TLS (port 465 style); 0 picks a free port. Needs `tls`. */
  readonly smtpsPort?: number;
  /** Make a self-signed certificate and offer STARTTLS (and implicit TLS on `smtpsPort`). */
  readonly tls?: boolean;
  /** The key the SendGrid API accepts as `Authorization: Bearer …`. */
  readonly sendGridApiKey?: string;
  /** When set, SMTP AUTH is required with these credentials. */
  readonly smtpAuth?: { readonly user: string; readonly pass: string };
}

export type MailChannelName = "smtp" | "sendgrid";

export interface MailSinkFaults {
  /**
   * Outage: SMTP stops listening (ECONNREFUSED); SendGrid API connections are dropped without an
   * answer. Lasts until `restore()`.
   */
  refuseConnections(channel?: MailChannelName | "all"): Promise<void>;
  /**
   * Temporary failures: SMTP answers the greeting with 421 (or `status`), SendGrid with 503 (or e.g.
   * 429), for the next `count` connections/requests (default: until restore()).
   */
  failTemporarily(channel: MailChannelName, options?: { count?: number; status?: number }): void;
  /** Rejects addresses for good: SMTP 550 5.1.1 at RCPT TO, SendGrid 400 "Does not contain a valid address." */
  rejectAddress(...emails: string[]): void;
  /**
   * Holds sessions at a stage until the returned function is called (or `restore()`): `recipient`
   * (SMTP only) before answering RCPT TO, so nothing has been handed over; `answer` after the mail is
   * accepted and kept, before the SMTP 250 / SendGrid 202, so the client cannot know it was accepted.
   * Tests use it to stop a sender at a known point (and kill it there).
   */
  hold(stage: HoldStage): () => void;
  /** Sessions waiting at a held stage now. */
  waitingAt(stage: HoldStage): number;
  /** Ends every fault and hold, and listens again. */
  restore(): Promise<void>;
}

export interface RunningMailSink {
  /** Give this to the SendGrid client as `baseUrl` (SENDGRID_BASE_URL). */
  readonly sendGridBaseUrl: string;
  readonly sendGridApiKey: string;
  /** The mailbox page (GET /), messages as JSON (GET /messages). */
  readonly pageUrl: string;
  readonly smtpHost: "127.0.0.1";
  readonly smtpPort: number;
  readonly smtpsPort?: number;
  /** The self-signed certificate (PEM) clients must trust for STARTTLS / implicit TLS. */
  readonly tlsCertificate?: string;
  messages(): SinkMessage[];
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  clear(): void;
  readonly faults: MailSinkFaults;
  pageHtml(): string;
  stop(): Promise<void>;
}

const host = "127.0.0.1";

/**
 * The local stand-in for SendGrid and an SMTP server: keeps every mail in memory and shows them on a
 * dev page. Listens on loopback only.
 */
export async function startMailSink(options: MailSinkOptions = {}): Promise<RunningMailSink> {
  const store = new MessageStore();
  const faults = emptyFaults();
  const apiKey = options.sendGridApiKey ?? "SG.local-mail-sink";
  const certificate = options.tls === true ? selfSignedCertificate() : undefined;
  if (options.tls === true && certificate === undefined)
    throw new Error("openssl is needed for the mail sink's TLS certificate");

  const smtpBase = {
    store,
    faults,
    ...(certificate === undefined ? {} : { certificate }),
    ...(options.smtpAuth === undefined ? {} : { auth: options.smtpAuth }),
  };
  const smtp = createSmtpSink({ ...smtpBase, implicitTls: false });
  const smtpPort = await listenSmtp(smtp, options.smtpPort ?? 0);
  let smtps: SMTPServer | undefined;
  let smtpsPort: number | undefined;
  if (options.smtpsPort !== undefined) {
    if (certificate === undefined) throw new Error("smtpsPort needs tls: true");
    smtps = createSmtpSink({ ...smtpBase, implicitTls: true });
    smtpsPort = await listenSmtp(smtps, options.smtpsPort);
  }

  const http = createServer((req, res) => {
    void route(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname.startsWith("/v3/")) {
      if (faults.refused.has("sendgrid")) {
        req.socket.destroy();
        return;
      }
      if (req.method === "POST" && url.pathname === "/v3/mail/send") {
        await handleSendGrid(req, res, { apiKey, store, faults });
        return;
      }
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ errors: [{ message: "Not Found", field: null, help: null }] }));
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      res
        .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
        .end(page());
      return;
    }
    if (req.method === "GET" && url.pathname === "/messages") {
      res
        .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
        .end(JSON.stringify(store.all()));
      return;
    }
    if (
      (req.method === "POST" && url.pathname === "/messages/clear") ||
      (req.method === "DELETE" && url.pathname === "/messages")
    ) {
      store.clear();
      res.writeHead(req.method === "POST" ? 303 : 204, req.method === "POST" ? { location: "/" } : {}).end();
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  }
  const httpPort = await listenHttp(http, options.httpPort ?? 0);
  const page = (): string => renderMailboxPage(store.all());

  const smtpListening = async (on: boolean): Promise<void> => {
    for (const [server, port] of [
      [smtp, smtpPort],
      [smtps, smtpsPort],
    ] as const) {
      if (server === undefined || port === undefined) continue;
      if (on && !server.server.listening) await listenSmtp(server, port);
      if (!on && server.server.listening)
        await new Promise<void>((resolve) => server.server.close(() => resolve()));
    }
  };

  const sinkFaults: MailSinkFaults = {
    async refuseConnections(channel = "all") {
      if (channel !== "smtp") faults.refused.add("sendgrid");
      if (channel !== "sendgrid") {
        faults.refused.add("smtp");
        await smtpListening(false);
      }
    },
    failTemporarily(channel, o = {}) {
      faults.temporary.set(channel, {
        remaining: o.count ?? Infinity,
        status: o.status ?? (channel === "smtp" ? 421 : 503),
      });
    },
    rejectAddress(...emails) {
      for (const e of emails) faults.rejected.add(e.toLowerCase());
    },
    hold(stage) {
      const existing = faults.holds.get(stage);
      if (existing !== undefined) return existing.release;
      let open = (): void => undefined;
      const released = new Promise<void>((resolve) => (open = resolve));
      const release = (): void => {
        if (faults.holds.get(stage)?.released === released) faults.holds.delete(stage);
        open();
      };
      faults.holds.set(stage, { waiting: 0, released, release });
      return release;
    },
    waitingAt(stage) {
      return faults.holds.get(stage)?.waiting ?? 0;
    },
    async restore() {
      for (const hold of [...faults.holds.values()]) hold.release();
      faults.refused.clear();
      faults.temporary.clear();
      faults.rejected.clear();
      await smtpListening(true);
    },
  };

  return {
    sendGridBaseUrl: `http://${host}:${httpPort}`,
    sendGridApiKey: apiKey,
    pageUrl: `http://${host}:${httpPort}/`,
    smtpHost: host,
    smtpPort,
    ...(smtpsPort === undefined ? {} : { smtpsPort }),
    ...(certificate === undefined ? {} : { tlsCertificate: certificate.cert }),
    messages: () => store.all(),
    waitFor: (count, timeoutMs) => store.waitFor(count, timeoutMs),
    clear: () => store.clear(),
    faults: sinkFaults,
    pageHtml: page,
    stop: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
        closeSmtp(smtp),
        smtps === undefined ? Promise.resolve() : closeSmtp(smtps),
      ]);
    },
  };
}

function listenSmtp(server: SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, host, () => {
      server.server.off("error", reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

function listenHttp(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeSmtp(server: SMTPServer): Promise<void> {
  // Also when the listener is already down (an outage): close() still ends the open sessions.
  return new Promise((resolve) => server.close(() => resolve()));
}
