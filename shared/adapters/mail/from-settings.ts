import type { MailSender } from "../../app/ports/mail-sender";
import { settingWarnings, type Settings } from "../../config";
import { NoMailSender } from "./no-mail-sender";
import { SendGridMailSender } from "./sendgrid-mail-sender";
import { SmtpMailSender } from "./smtp-mail-sender";

/**
 * The secret setting that keeps MAIL_CHANNEL's channel from working: it is set (the schema requires the
 * SendGrid key, and SMTP_USER asks for a password) but its Key Vault reference is unresolved, so the
 * schema parsed it as unset (shared/config/sections/mail.ts). Undefined when mail can be sent.
 */
export function unreadableMailSecret(settings: Settings): "SENDGRID_API_KEY" | "SMTP_PASSWORD" | undefined {
  const unresolved = new Set(settingWarnings(settings).map((w) => w.key));
  if (settings.MAIL_CHANNEL === "sendgrid" && unresolved.has("SENDGRID_API_KEY")) return "SENDGRID_API_KEY";
  if (settings.MAIL_CHANNEL === "smtp" && settings.SMTP_USER !== undefined && unresolved.has("SMTP_PASSWORD"))
    return "SMTP_PASSWORD";
  return undefined;
}

/** The mail sender MAIL_CHANNEL chooses. The schema already requires the key or host of the channel. */
export function mailSenderFromSettings(settings: Settings): MailSender {
  const unreadable = unreadableMailSecret(settings);
  if (unreadable !== undefined)
    return new NoMailSender(`${unreadable}: Key Vault reference not resolved; mail waits until it is.`);
  switch (settings.MAIL_CHANNEL) {
    case "sendgrid":
      if (settings.SENDGRID_API_KEY === undefined) throw new Error("SENDGRID_API_KEY must be set");
      return new SendGridMailSender({
        apiKey: settings.SENDGRID_API_KEY,
        ...(settings.SENDGRID_BASE_URL === undefined ? {} : { baseUrl: settings.SENDGRID_BASE_URL }),
      });
    case "smtp":
      if (settings.SMTP_HOST === undefined) throw new Error("SMTP_HOST must be set");
      return new SmtpMailSender({
        host: settings.SMTP_HOST,
        port: settings.SMTP_PORT,
        security: settings.SMTP_SECURITY,
        ...(settings.SMTP_USER === undefined
          ? {}
          : { auth: { user: settings.SMTP_USER, pass: settings.SMTP_PASSWORD ?? "" } }),
      });
    case "none":
      return new NoMailSender();
  }
}
