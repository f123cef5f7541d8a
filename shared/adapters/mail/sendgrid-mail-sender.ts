import { Client } from "@sendgrid/client";
import { MailService } from "@sendgrid/mail";
import {
  handOverUnanswered,
  type MailSender,
  type OutgoingMail,
  type SendOptions,
  type SentMail,
} from "../../app/ports/mail-sender";
import { AppError } from "../../domain/errors";
import { transientNetworkCodes } from "../network-errors";

export interface SendGridOptions {
  readonly apiKey: string;
  /** The API origin; only set for the local sink (SENDGRID_BASE_URL). */
  readonly baseUrl?: string;
  readonly timeoutMs?: number;
}

/**
 * `MailSender` over the SendGrid v3 Mail Send API, with its own `@sendgrid/mail` service and client (not
 * the module singletons), so settings of one instance never leak into another.
 */
export class SendGridMailSender implements MailSender {
  readonly channel = "sendgrid" as const;
  private readonly service: MailService;

  constructor(options: SendGridOptions) {
    const client = new Client();
    client.setApiKey(options.apiKey);
    if (options.baseUrl !== undefined)
      client.setDefaultRequest("baseUrl", options.baseUrl.replace(/\/+$/, ""));
    this.service = new MailService();
    this.service.setClient(client);
    this.service.setTimeout(options.timeoutMs ?? 30_000);
  }

  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SentMail> {
    // The request is the hand-over: SendGrid has no idempotency key, so once it may have reached
    // SendGrid a missing answer leaves the mail in doubt.
    await options.beforeHandOver?.();
    try {
      const [response] = await this.service.send({
        from: { email: mail.from.email, ...(mail.from.name === undefined ? {} : { name: mail.from.name }) },
        to: { email: mail.to.email, ...(mail.to.name === undefined ? {} : { name: mail.to.name }) },
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: {
          "X-ONES-Message-Id": mail.id,
          ...(mail.attemptId === undefined ? {} : { "X-ONES-Attempt-Id": mail.attemptId }),
        },
        customArgs: {
          onesMessageId: mail.id,
          ...(mail.attemptId === undefined ? {} : { onesAttemptId: mail.attemptId }),
        },
        trackingSettings: {
          clickTracking: { enable: false, enableText: false },
          openTracking: { enable: false },
        },
      });
      const id = headerOf(response.headers, "x-message-id");
      return id === undefined ? {} : { providerMessageId: id };
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code === "string" && !neverConnected.has(code))
        throw handOverUnanswered("SendGrid did not answer the mail send request.", error);
      throw translateSendGridError(error);
    }
  }
}

/** Network failures that happen before a request can reach SendGrid: the mail surely did not go. */
const neverConnected = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
]);

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * SendGrid failures as `AppError`s with safe details: never the API key, the request (its headers hold
 * the key) or the SDK's message. SendGrid's own error fields (`personalizations.0.to.0.email`) are kept.
 */
export function translateSendGridError(error: unknown): AppError {
  const e = error as { code?: unknown; response?: { body?: unknown } };
  const status = typeof e.code === "number" ? e.code : undefined;
  if (status === undefined) {
    const code = typeof e.code === "string" ? e.code : undefined;
    const known = code !== undefined && transientNetworkCodes.has(code);
    return new AppError(
      "dependency-unavailable",
      known ? `SendGrid could not be reached (${code}).` : "SendGrid could not be reached.",
      { cause: error },
    );
  }
  if (status === 429 || status >= 500 || status === 408) {
    return new AppError("dependency-unavailable", `SendGrid is unavailable (HTTP ${status}).`, {
      cause: error,
    });
  }
  if (status === 401 || status === 403) {
    return new AppError(
      "precondition-failed",
      `SendGrid refused the API key (HTTP ${status}); check SENDGRID_API_KEY and the key's Mail Send permission.`,
      { cause: error },
    );
  }
  const fields = fieldsOf(e.response?.body);
  const badAddress = fields.some((f) => /(^|\.)(to|cc|bcc)\.\d+\.email$/.test(f) || f === "personalizations");
  const badSender = fields.some((f) => f.startsWith("from"));
  const detail = badAddress
    ? `SendGrid rejected the recipient address (HTTP ${status}${fields.length > 0 ? `: ${fields.join(", ")}` : ""}).`
    : badSender
      ? `SendGrid rejected the sender address (HTTP ${status}); it must belong to a verified sender or domain.`
      : `SendGrid refused the message (HTTP ${status}${fields.length > 0 ? `: ${fields.join(", ")}` : ""}).`;
  return new AppError(badSender ? "precondition-failed" : "validation-failed", detail, {
    cause: error,
    retryable: false,
  });
}

/** The `field` names from SendGrid's `{ errors: [{ field, message }] }`, when they look like field paths. */
function fieldsOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .map((x) => (x as { field?: unknown }).field)
    .filter((f): f is string => typeof f === "string" && /^[A-Za-z0-9_.[\]]{1,80}$/.test(f));
}
