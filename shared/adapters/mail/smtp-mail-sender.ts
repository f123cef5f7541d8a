import { Readable } from "node:stream";
import { createTransport, type Transporter } from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import {
  handOverUnanswered,
  type MailSender,
  type OutgoingMail,
  type SendOptions,
  type SentMail,
} from "../../app/ports/mail-sender";
import { AppError, isAppError } from "../../domain/errors";
import { transientNetworkCodes } from "../network-errors";

export interface SmtpOptions {
  readonly host: string;
  /** 25, 465 (implicit TLS) or 587 (STARTTLS); any port for the local sink. */
  readonly port: number;
  /** `starttls`: upgrade required; `tls`: implicit TLS from the first byte; `none`: plain (local only). */
  readonly security: "starttls" | "tls" | "none";
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Extra trusted CA certificates (PEM): the local sink's self-signed certificate in tests. */
  readonly ca?: string;
  readonly connectionTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
}

/**
 * `MailSender` over SMTP with nodemailer: one connection per mail (nothing left open between function
 * invocations). The Message-ID is derived from our stable message id, so a duplicate is recognisable.
 * The terminating "." (the server's moment of acceptance) is written only after `beforeHandOver`.
 */
export class SmtpMailSender implements MailSender {
  readonly channel = "smtp" as const;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly options: SmtpOptions) {
    const transportOptions: SMTPTransport.Options = {
      host: options.host,
      port: options.port,
      secure: options.security === "tls",
      requireTLS: options.security === "starttls",
      ignoreTLS: options.security === "none",
      connectionTimeout: options.connectionTimeoutMs ?? 15_000,
      greetingTimeout: options.connectionTimeoutMs ?? 15_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      disableFileAccess: true,
      disableUrlAccess: true,
      ...(options.auth === undefined ? {} : { auth: { user: options.auth.user, pass: options.auth.pass } }),
      ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
    };
    this.transport = createTransport(transportOptions);
    // The server accepts the mail on the "." that ends it, which nodemailer writes when the message
    // stream ends: that stream ends only after the send's hand-over has been recorded.
    this.transport.use("stream", (mail, done) => {
      const handOver = (mail.data as Record<string, unknown>)[handOverKey] as HandOver | undefined;
      const run = handOver?.run;
      if (run !== undefined) mail.message.processFunc((input) => endOnlyAfter(input, run));
      done();
    });
  }

  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SentMail> {
    const domain = mail.from.email.split("@")[1] ?? "ones.invalid";
    const handOver: HandOver = { handedOver: false };
    const before = options.beforeHandOver;
    if (before !== undefined)
      handOver.run = async () => {
        try {
          await before();
        } catch (error) {
          // Kept aside: nodemailer stamps its own code on the error that breaks the stream.
          handOver.failure = error;
          throw new Error("the hand-over was refused", { cause: error });
        }
        handOver.handedOver = true;
      };
    try {
      const info = await this.transport.sendMail({
        from: { address: mail.from.email, name: mail.from.name ?? "" },
        to: { address: mail.to.email, name: mail.to.name ?? "" },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${encodeURIComponent(mail.id).replace(/%/g, "=")}@${domain}>`,
        headers: {
          "X-ONES-Message-Id": mail.id,
          ...(mail.attemptId === undefined ? {} : { "X-ONES-Attempt-Id": mail.attemptId }),
          "Auto-Submitted": "auto-generated",
        },
        [handOverKey]: handOver,
      } as Mail.Options);
      if (info.rejected.length > 0) {
        throw new AppError("validation-failed", "The mail server rejected the recipient address.", {
          retryable: false,
        });
      }
      const queued = /queued as ([A-Za-z0-9._-]{1,80})/i.exec(info.response ?? "")?.[1];
      return queued === undefined ? {} : { providerMessageId: queued };
    } catch (error) {
      if (handOver.failure instanceof Error) throw handOver.failure;
      // After the "." only a reply code is an answer; a dropped connection or a timeout is none.
      const reply = (error as { responseCode?: unknown } | null)?.responseCode;
      if (handOver.handedOver && reply === undefined && !isAppError(error))
        throw handOverUnanswered("The SMTP server did not answer the end of the mail.", error);
      throw translateSmtpError(error);
    }
  }

  /** Opens a connection and says EHLO (and logs in), as a health check would. */
  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (error) {
      throw translateSmtpError(error);
    }
  }

  close(): void {
    this.transport.close();
  }

  get describe(): string {
    return `${this.options.host}:${this.options.port} (${this.options.security})`;
  }
}

/** A send's hand-over step, carried to the stream plugin in the mail's options. */
interface HandOver {
  run?: () => Promise<void>;
  handedOver: boolean;
  failure?: unknown;
}

const handOverKey = "onesHandOver";

/**
 * The message as nodemailer pipes it into DATA, read only as the connection asks for it (a
 * high-water mark of 0: nothing is pulled ahead), with `beforeEnd` awaited before the end. A failure
 * of `beforeEnd` breaks the stream, so the server never sees the "." and keeps nothing.
 */
function endOnlyAfter(input: Readable, beforeEnd: () => Promise<void>): Readable {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new Readable({
    highWaterMark: 0,
    read() {
      chunks
        .next()
        .then(async (next) => {
          if (next.done !== true) {
            this.push(next.value);
            return;
          }
          await beforeEnd();
          this.push(null);
        })
        .catch((error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))));
    },
  });
}

/**
 * nodemailer failures as `AppError`s. SMTP reply codes decide: 4xx transient, 5xx permanent (a rejected
 * recipient is `validation-failed`, a refused sender `precondition-failed`). Failures with no reply
 * (refused connection, timeout, TLS) are transient. Details carry codes only, never the server's text.
 */
export function translateSmtpError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; command?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  const reply = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const command = typeof e.command === "string" ? e.command.toUpperCase() : undefined;

  if (code === "EAUTH" || code === "ENOAUTH") {
    return new AppError(
      "precondition-failed",
      `The SMTP server refused the login${reply === undefined ? "" : ` (${reply})`}; check SMTP_USER and SMTP_PASSWORD.`,
      { cause: error, retryable: reply !== undefined && reply >= 400 && reply < 500 },
    );
  }
  if (reply !== undefined && reply >= 400 && reply < 500) {
    return new AppError("dependency-unavailable", `The SMTP server deferred the mail (${reply}).`, {
      cause: error,
    });
  }
  if (reply !== undefined && reply >= 500 && reply !== 503) {
    if (command?.startsWith("RCPT") === true) {
      return new AppError("validation-failed", `The SMTP server rejected the recipient address (${reply}).`, {
        cause: error,
        retryable: false,
      });
    }
    if (command?.startsWith("MAIL") === true) {
      return new AppError(
        "precondition-failed",
        `The SMTP server refused the sender address (${reply}); it must be allowed to send from this server.`,
        { cause: error, retryable: false },
      );
    }
    return new AppError("validation-failed", `The SMTP server refused the message (${reply}).`, {
      cause: error,
      retryable: false,
    });
  }
  if (code === "EENVELOPE" && reply === undefined) {
    // Refused by nodemailer before any server saw it: a malformed address.
    return new AppError("validation-failed", "The recipient or sender address is not valid.", {
      cause: error,
      retryable: false,
    });
  }
  if (code === "ECONFIG" || code === "EREQUIRETLS") {
    return new AppError("precondition-failed", `The SMTP settings do not work with this server (${code}).`, {
      cause: error,
      retryable: false,
    });
  }
  const known = code !== undefined && transientNetworkCodes.has(code);
  return new AppError(
    "dependency-unavailable",
    known ? `The SMTP server could not be reached (${code}).` : "The SMTP server could not be reached.",
    { cause: error },
  );
}
