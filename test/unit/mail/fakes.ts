import type { MailSender, OutgoingMail, SentMail } from "../../../shared/app/ports/mail-sender";
import type { MailClaim, MailSentLog } from "../../../shared/app/ports/mail-sent-log";
import type { MailSettings, MailSettingsStore } from "../../../shared/app/ports/mail-settings-store";
import type { QueueName, QueuedWork, WorkQueue } from "../../../shared/app/ports/work-queue";

export class MemorySentLog implements MailSentLog {
  readonly rows = new Map<string, { state: "sending" | "sent"; at: number; token: string }>();
  failMarks = 0;
  private seq = 0;

  claim(id: string, at: Date, leaseMs: number): Promise<MailClaim> {
    const row = this.rows.get(id);
    if (row?.state === "sent") return Promise.resolve({ state: "sent" });
    if (row !== undefined && row.at + leaseMs > at.getTime()) return Promise.resolve({ state: "busy" });
    const token = String(++this.seq);
    this.rows.set(id, { state: "sending", at: at.getTime(), token });
    return Promise.resolve({ state: "claimed", token });
  }
  markSent(id: string, at: Date): Promise<void> {
    if (this.failMarks > 0) {
      this.failMarks--;
      return Promise.reject(new Error("table down"));
    }
    this.rows.set(id, { state: "sent", at: at.getTime(), token: "" });
    return Promise.resolve();
  }
  release(id: string, token: string): Promise<void> {
    if (this.rows.get(id)?.token === token) this.rows.delete(id);
    return Promise.resolve();
  }
}

export class RecordingSender implements MailSender {
  readonly channel = "smtp" as const;
  readonly sent: OutgoingMail[] = [];
  fail: ((mail: OutgoingMail) => Error | undefined) | undefined;
  send(mail: OutgoingMail): Promise<SentMail> {
    const error = this.fail?.(mail);
    if (error !== undefined) return Promise.reject(error);
    this.sent.push(mail);
    return Promise.resolve({ providerMessageId: `p${this.sent.length}` });
  }
}

export class MemoryMailSettings implements MailSettingsStore {
  constructor(private settings: MailSettings = {}) {}
  get(): Promise<MailSettings> {
    return Promise.resolve(this.settings);
  }
  save(settings: MailSettings): Promise<void> {
    this.settings = { ...this.settings, ...settings };
    return Promise.resolve();
  }
}

export class MemoryWorkQueue implements WorkQueue {
  readonly items: { queue: QueueName; work: QueuedWork }[] = [];
  enqueue(queue: QueueName, work: QueuedWork | readonly QueuedWork[]): Promise<void> {
    for (const w of Array.isArray(work) ? (work as readonly QueuedWork[]) : [work as QueuedWork])
      this.items.push({ queue, work: w });
    return Promise.resolve();
  }
}
