import { mailRecipientSchema } from "../../domain/mail/queued-mail";
import { mailTemplateKinds } from "../../domain/mail/templates";
import type { QueueName } from "../ports/work-queue";

/** What an admin may see of a dead letter's body: never the body itself (it can hold personal data). */
export type DeadLetterSummary =
  { readonly recipient: string; readonly template: string } | { readonly kind: string } | undefined;

/**
 * The safe part of a message body. Mail: the recipient's address and the template kind, nothing of
 * the template data (other addresses, subjects, links). Other queues: the message kind when it has a
 * short, plain one. Anything else: nothing.
 */
export function summarizeBody(queue: QueueName, body: unknown): DeadLetterSummary {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (queue === "mail") {
    const to = mailRecipientSchema.safeParse(record.to);
    const template = record.template as Record<string, unknown> | null | undefined;
    const kind = typeof template === "object" && template !== null ? template.kind : undefined;
    if (!to.success || typeof kind !== "string" || !(mailTemplateKinds as readonly string[]).includes(kind))
      return undefined;
    return { recipient: to.data.email, template: kind };
  }
  const kind = record.kind ?? record.type;
  return typeof kind === "string" && /^[A-Za-z][A-Za-z0-9._-]{0,39}$/.test(kind) ? { kind } : undefined;
}
