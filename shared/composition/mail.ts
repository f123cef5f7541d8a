import {
  deliverMail as deliverMailUseCase,
  type DeliverMailDependencies,
  type DeliveryOutcome,
} from "../app/send-mail";
import {
  warnSecretExpiry as warnSecretExpiryUseCase,
  type SecretExpiryOutcome,
  type WarnSecretExpiryDependencies,
} from "../app/warn-secret-expiry";
import type { QueuedMail } from "../domain/mail/queued-mail";
import { perWorker } from "./services";

/** System mail: the `mail` queue's delivery and the client-secret expiry warnings. */

const mailDeps = perWorker((s): DeliverMailDependencies => ({
  sender: s.mailSender,
  mailSettings: s.mailSettings,
  sentLog: s.mailSentLog,
  now: s.now,
  appBaseUrl: s.settings.APP_BASE_URL,
  fromName: s.settings.MAIL_FROM_NAME,
}));

const secretExpiryDeps = perWorker((s): WarnSecretExpiryDependencies => ({
  secretInfo: s.integrationSecretInfo,
  warnings: s.mailWarnings,
  workQueue: s.workQueue,
  now: s.now,
}));

/** Sends one queued mail, once per message id. */
export const deliverMail = (
  messageId: string,
  mail: QueuedMail,
  options: { readonly replay?: boolean; readonly log?: (message: string) => void } = {},
): Promise<DeliveryOutcome> =>
  deliverMailUseCase(
    { ...mailDeps(), ...(options.log === undefined ? {} : { log: options.log }) },
    messageId,
    mail,
    { replay: options.replay === true },
  );

/** Mails the admins 30, 7 and 1 days before the client secret expires (once each). */
export const warnSecretExpiry = (): Promise<SecretExpiryOutcome> =>
  warnSecretExpiryUseCase(secretExpiryDeps());
