import type { MailSender, OutgoingMail, SendOptions, SentMail } from "../../../shared/app/ports/mail-sender";
import type { ClaimOptions, MailClaim, MailSentLog } from "../../../shared/app/ports/mail-sent-log";
import type { MailSettings, MailSettingsStore } from "../../../shared/app/ports/mail-settings-store";
import type { QueueName, QueuedWork, WorkQueue } from "../../../shared/app/ports/work-queue";

export class MemorySentLog implements MailSentLog {
  readonly rows = new Map<
    string,
    { state: "sending" | "handing-over" | "sent" | "in-doubt"; at: number; token: string; attemptId: string }
  >();
  failMarks = 0;
  private seq = 0;

  claim(id: string, at: Date, leaseMs: number, options: ClaimOptions = {}): Promise<MailClaim> {
    const row = this.rows.get(id);
    if (row?.state === "sent") return Promise.resolve({ state: "sent" });
    if (row?.state === "in-doubt" && options.resendInDoubt !== true)
      return Promise.resolve({ state: "in-doubt", attemptId: row.attemptId });
    if (row !== undefined && row.state !== "in-doubt" && row.at + leaseMs > at.getTime())
      return Promise.resolve({ state: "busy" });
    if (row?.state === "handing-over" && options.resendInDoubt !== true) {
      this.rows.set(id, { ...row, state: "in-doubt" });
      return Promise.resolve({ state: "in-doubt", attemptId: row.attemptId });
    }
    const token = String(++this.seq);
    const attemptId = `attempt-${this.seq}`;
    this.rows.set(id, { state: "sending", at: at.getTime(), token, attemptId });
    return Promise.resolve({ state: "claimed", token, attemptId });
  }
  markHandingOver(id: string, token: string, at: Date): Promise<string> {
    const row = this.rows.get(id);
    if (row?.token !== token) return Promise.reject(new Error("claim taken over"));
    const next = String(++this.seq);
    this.rows.set(id, { ...row, state: "handing-over", at: at.getTime(), token: next });
    return Promise.resolve(next);
  }
  markSent(id: string, at: Date): Promise<void> {
    if (this.failMarks > 0) {
      this.failMarks--;
      return Promise.reject(new Error("table down"));
    }
    const attemptId = this.rows.get(id)?.attemptId ?? "";
    this.rows.set(id, { state: "sent", at: at.getTime(), token: "", attemptId });
    return Promise.resolve();
  }
  markInDoubt(id: string, token: string, at: Date): Promise<void> {
    const row = this.rows.get(id);
    if (row?.token === token) this.rows.set(id, { ...row, state: "in-doubt", at: at.getTime() });
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
  /** Fails before the hand-over. */
  fail: ((mail: OutgoingMail) => Error | undefined) | undefined;
  /** Fails after the hand-over (the service may have the mail). */
  unanswered: ((mail: OutgoingMail) => Error | undefined) | undefined;
  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SentMail> {
    const error = this.fail?.(mail);
    if (error !== undefined) throw error;
    await options.beforeHandOver?.();
    const unanswered = this.unanswered?.(mail);
    if (unanswered !== undefined) throw unanswered;
    this.sent.push(mail);
    return { providerMessageId: `p${this.sent.length}` };
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
