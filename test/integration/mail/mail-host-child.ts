/**
 * A host with only the `mail-send` consumer, run as a child process by the send-once test so that the
 * test can kill it (SIGKILL) in the middle of a send, as a worker dies in Azure. App settings come from
 * the environment; MAIL_TEST_CLAIM_LEASE_MS shortens the send claim's lease (product default five
 * minutes) and the retry policy is short, so the test runs in seconds.
 */
import { startHost } from "../../../dev/host";
import { consoleLogger } from "../../../dev/host/logger";
import { serviceBusFunction } from "../../../functions/lib/definition";
import { mailSendHandler } from "../../../functions/mail-send";
import type { MailSentLog } from "../../../shared/app/ports/mail-sent-log";
import { overrideServices } from "../../../shared/composition";
import { getServices } from "../../../shared/composition/services";

async function main(): Promise<void> {
  const leaseMs = Number(process.env.MAIL_TEST_CLAIM_LEASE_MS);
  const log = getServices().mailSentLog;
  const shortened: MailSentLog = Object.assign(Object.create(log) as MailSentLog, {
    claim: (...[messageId, at, , options]: Parameters<MailSentLog["claim"]>) =>
      log.claim(messageId, at, leaseMs, options),
  });
  await overrideServices({ mailSentLog: shortened });
  await startHost({
    functions: [
      serviceBusFunction({
        name: "mail-send",
        queueName: "mail",
        handler: mailSendHandler({ policy: { maxAttempts: 40, baseDelayMs: 200, maxDelayMs: 800 } }),
      }),
    ],
    port: 0,
    logger: consoleLogger({ quiet: process.env.MAIL_TEST_HOST_LOG === undefined }),
    timers: false,
  });
  process.stdout.write("mail-host ready\n");
  // Never outlive the test: a parent that died without stopping this host leaves it orphaned.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`mail-host failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
