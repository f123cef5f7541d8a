import { simpleParser, type AddressObject } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { passHold, takeTemporary, type FaultState } from "./faults";
import { newMessageId, type MessageStore } from "./store";
import type { SelfSignedCertificate } from "./tls";

export interface SmtpSinkOptions {
  readonly store: MessageStore;
  readonly faults: FaultState;
  /** Implicit TLS from the first byte (port 465 style); otherwise plain with STARTTLS when a cert is given. */
  readonly implicitTls: boolean;
  readonly certificate?: SelfSignedCertificate;
  /** When set, AUTH is required and must match; otherwise AUTH is optional and any login is accepted. */
  readonly auth?: { readonly user: string; readonly pass: string };
}

const smtpError = (code: number, message: string): Error =>
  Object.assign(new Error(message), { responseCode: code });

/** An SMTP server that accepts mail into the store, parsing each message with mailparser. */
export function createSmtpSink(options: SmtpSinkOptions): SMTPServer {
  const { store, faults } = options;
  const config: SMTPServerOptions = {
    secure: options.implicitTls,
    ...(options.certificate === undefined
      ? {}
      : { key: options.certificate.key, cert: options.certificate.cert }),
    disabledCommands: options.certificate === undefined ? ["STARTTLS"] : [],
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    banner: "ONES local mail sink",
    size: 30 * 1024 * 1024,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 1_000,
    onConnect(_session, callback) {
      const temporary = takeTemporary(faults, "smtp");
      if (temporary !== undefined)
        return callback(smtpError(temporary, "Service temporarily unavailable, try again later"));
      callback();
    },
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected !== undefined && (auth.username !== expected.user || auth.password !== expected.pass)) {
        return callback(smtpError(535, "5.7.8 Authentication credentials invalid"));
      }
      callback(null, { user: auth.username ?? "anonymous" });
    },
    onRcptTo(address, _session, callback) {
      if (faults.rejected.has(address.address.toLowerCase())) {
        return callback(smtpError(550, "5.1.1 Recipient address rejected: mailbox unavailable"));
      }
      void passHold(faults, "recipient").then(() => callback());
    },
    onData(stream, session, callback) {
      const id = newMessageId();
      simpleParser(stream)
        .then((parsed) => {
          if (stream.sizeExceeded) return callback(smtpError(552, "5.3.4 Message too big"));
          const from = addresses(parsed.from)[0] ?? {
            email: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          };
          const headers: Record<string, string> = {};
          for (const line of parsed.headerLines)
            headers[line.key] = line.line.slice(line.line.indexOf(":") + 1).trim();
          store.add({
            id,
            via: "smtp",
            receivedAt: new Date(),
            from,
            to: addresses(parsed.to),
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? "",
            ...(parsed.text === undefined ? {} : { text: parsed.text }),
            ...(typeof parsed.html === "string" ? { html: parsed.html } : {}),
            headers,
            ...(parsed.messageId === undefined ? {} : { messageId: parsed.messageId }),
            customArgs: {},
          });
          return passHold(faults, "answer").then(() => callback(null, `Ok: queued as ${id}`));
        })
        .catch(() => callback(smtpError(451, "4.3.0 Could not read the message")));
    },
  };
  const server = new SMTPServer(config);
  // A client that dies mid-session (a host killed with SIGKILL) resets its connection: that ends the
  // session, never the sink.
  server.on("error", () => undefined);
  return server;
}

function addresses(value: AddressObject | AddressObject[] | undefined): { email: string; name?: string }[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((o) =>
    o.value.map((a) => ({
      email: a.address ?? "",
      ...(a.name === undefined || a.name === "" ? {} : { name: a.name }),
    })),
  );
}
