import { z } from "zod";
import { mailTemplateSchema } from "./templates";

/** One recipient of a system mail. */
export const mailRecipientSchema = z.object({
  email: z.string().trim().max(254).pipe(z.email()),
  name: z.string().trim().min(1).max(256).optional(),
});

/**
 * The body of a message on the `mail` queue: one recipient and the template data. Rendering happens
 * in the consumer, so the queue holds no markup and a replayed dead letter renders with current code.
 */
export const queuedMailSchema = z.object({
  to: mailRecipientSchema,
  template: mailTemplateSchema,
});

export type MailRecipient = z.output<typeof mailRecipientSchema>;
export type QueuedMail = z.output<typeof queuedMailSchema>;
