import { randomBytes } from "node:crypto";

/** One mail the sink received, by either channel. */
export interface SinkMessage {
  /** The sink's own id (SendGrid's x-message-id, or the SMTP queue id). */
  readonly id: string;
  readonly via: "sendgrid" | "smtp";
  readonly receivedAt: Date;
  readonly from: { readonly email: string; readonly name?: string };
  readonly to: readonly { readonly email: string; readonly name?: string }[];
  /** SMTP envelope recipients (RCPT TO); for SendGrid the personalization addresses. */
  readonly envelopeTo: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Message-ID header (SMTP), or undefined. */
  readonly messageId?: string;
  /** SendGrid custom_args, or {}. */
  readonly customArgs: Readonly<Record<string, string>>;
}

export class MessageStore {
  private readonly items: SinkMessage[] = [];
  private readonly waiters = new Set<() => void>();

  add(message: SinkMessage): void {
    this.items.push(message);
    for (const wake of [...this.waiters]) wake();
  }

  all(): SinkMessage[] {
    return [...this.items];
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Resolves once at least `count` messages are held (tests), or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 10_000): Promise<SinkMessage[]> {
    if (this.items.length >= count) return Promise.resolve(this.all());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`the mail sink holds ${this.items.length} messages, expected ${count}`));
      }, timeoutMs);
      const check = (): void => {
        if (this.items.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.all());
      };
      this.waiters.add(check);
    });
  }
}

/** A SendGrid-like message id: 22 URL-safe characters. */
export function newMessageId(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}
