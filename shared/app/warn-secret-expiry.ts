import { dueSecretWarning, type SecretWarningDays } from "../domain/mail/secret-expiry";
import type { IntegrationSecretInfo } from "./ports/integration-secret-info";
import type { MailWarningLog } from "./ports/mail-warning-log";
import type { WorkQueue } from "./ports/work-queue";
import { sendMail } from "./send-mail";

export interface WarnSecretExpiryDependencies {
  readonly secretInfo: IntegrationSecretInfo;
  readonly warnings: MailWarningLog;
  readonly workQueue: WorkQueue;
  readonly now: () => Date;
}

export type SecretExpiryOutcome =
  | { readonly outcome: "warned"; readonly warningDays: SecretWarningDays; readonly recipients: number }
  | {
      readonly outcome: "nothing-due" | "already-warned" | "no-secret" | "no-admins";
      readonly warningDays?: SecretWarningDays;
    };

/**
 * Mails the admins 30, 7 and 1 days before the client secret expires, each warning once. The warning
 * is recorded after it is enqueued; if recording fails, the next run enqueues the same message ids again
 * and the mail consumer's idempotency keeps it from being sent twice.
 */
export async function warnSecretExpiry(deps: WarnSecretExpiryDependencies): Promise<SecretExpiryOutcome> {
  const info = await deps.secretInfo.get();
  const expiresAt = info.clientSecretExpiresAt;
  if (expiresAt === undefined) return { outcome: "no-secret" };
  const now = deps.now();
  const warningDays = dueSecretWarning(expiresAt, now);
  if (warningDays === undefined) return { outcome: "nothing-due" };

  // A new secret has a new expiry, so its warnings are a new series.
  const series = expiresAt
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  const step = String(warningDays);
  if (await deps.warnings.has(series, step)) return { outcome: "already-warned", warningDays };
  const admins = [...new Set(info.adminEmails.map((e) => e.trim()).filter((e) => e !== ""))];
  if (admins.length === 0) return { outcome: "no-admins", warningDays };

  await sendMail(deps, {
    key: `secret-expiry:${series}:${step}`,
    to: admins.map((email) => ({ email })),
    template: {
      kind: "client-secret-expiring",
      expiresAt: expiresAt.toISOString(),
      warningDays,
      ...(info.clientId === undefined ? {} : { clientId: info.clientId }),
    },
  });
  await deps.warnings.record(series, step, now);
  return { outcome: "warned", warningDays, recipients: admins.length };
}
