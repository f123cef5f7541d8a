import type { MailSender } from "../../app/ports/mail-sender";
import type { Settings } from "../../config";
import { NoMailSender } from "./no-mail-sender";
import { SendGridMailSender } from "./sendgrid-mail-sender";
import { SmtpMailSender } from "./smtp-mail-sender";

/** The mail sender MAIL_CHANNEL chooses. The schema already requires the key or host of the channel. */
export function mailSenderFromSettings(settings: Settings): MailSender {
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
