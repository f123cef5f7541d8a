import { z } from "zod";

/** System mail: SendGrid or any SMTP server. None of the Graph permission sets includes Mail.Send. */
export const mailSettings = {
  /** Which channel sends system mail; `none` keeps mail queued but unsent, and health reports it. */
  MAIL_CHANNEL: z.enum(["none", "sendgrid", "smtp"]).default("none"),
  /** Display name system mail is sent under. */
  MAIL_FROM_NAME: z.string().min(1).default("ONES"),
  /** SendGrid API key (a Key Vault reference in Azure). */
  SENDGRID_API_KEY: z.string().min(1).optional(),
  /** Overrides the SendGrid API origin (the local mail sink). Unset in production. */
  SENDGRID_BASE_URL: z.url().optional(),
  /** SMTP server host name. */
  SMTP_HOST: z.string().min(1).optional(),
  /** SMTP port: 25, 465 (implicit TLS) or 587 (STARTTLS). */
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** `starttls` (upgrade required), `tls` (implicit TLS, port 465) or `none` (plain, local sink only). */
  SMTP_SECURITY: z.enum(["starttls", "tls", "none"]).default("starttls"),
  /** SMTP user name, when the server wants authentication. */
  SMTP_USER: z.string().min(1).optional(),
  /** SMTP password (a Key Vault reference in Azure). */
  SMTP_PASSWORD: z.string().min(1).optional(),
  /** When the `secret-expiry` timer checks the client secret's expiry (six-field NCRONTAB; daily at 07:00 UTC). */
  SECRET_EXPIRY_SCHEDULE: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default("0 0 7 * * *"),
} as const;
