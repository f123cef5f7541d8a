import { z } from "zod";
import { secretSetting } from "../secret-setting";

/**
 * System mail: SendGrid or any SMTP server. None of the Graph permission sets includes Mail.Send.
 *
 * An unresolved Key Vault reference for the mail secrets is not a configuration error. Bicep sets both
 * references whatever the channel, and the admin creates the secret only for the channel in use, so
 * failing on it would stop every function (sign-in, bookings, displays) over one optional dependency.
 * Instead the secret counts as unset: mail waits on the queue unsent (replayable once the secret is
 * readable), `/api/health` reports `mail` down with reason `key-vault-reference-unresolved` and lists
 * the key among its configuration warnings. What never happens is sending the reference as the key.
 */
export const mailSettings = {
  /** Which channel sends system mail; `none` keeps mail queued but unsent, and health reports it. */
  MAIL_CHANNEL: z.enum(["none", "sendgrid", "smtp"]).default("none"),
  /** Display name system mail is sent under. */
  MAIL_FROM_NAME: z.string().min(1).default("ONES"),
  /** SendGrid API key (a Key Vault reference in Azure). */
  SENDGRID_API_KEY: secretSetting(z.string().min(1), {
    onUnresolved: "unset",
    usedWhen: (raw) => raw.MAIL_CHANNEL === "sendgrid",
  }),
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
  SMTP_PASSWORD: secretSetting(z.string().min(1), {
    onUnresolved: "unset",
    usedWhen: (raw) => raw.MAIL_CHANNEL === "smtp" && raw.SMTP_USER !== undefined,
  }),
  /** When the `secret-expiry` timer checks the client secret's expiry (six-field NCRONTAB; daily at 07:00 UTC). */
  SECRET_EXPIRY_SCHEDULE: z
    .string()
    .trim()
    .refine((v) => v.split(/\s+/).length === 6, "a six-field NCRONTAB expression")
    .default("0 0 7 * * *"),
} as const;
