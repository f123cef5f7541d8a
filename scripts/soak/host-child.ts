/**
 * The soak's app host, run as a child process so the soak can kill it (SIGKILL) and start it again:
 * every function of the catalogue (HTTP, and the Service Bus consumers) on the local host, on the
 * port in SOAK_HOST_PORT, with the app settings the parent put in the environment. Timers stay off;
 * the soak runs the timers' use cases itself at known points.
 *
 * SOAK_BROKEN=overlap is the soak's own proof that it can fail: this process's booking store then
 * records every reservation as if Exchange had made it (`force`), so ONES's overlap check no longer
 * refuses anything. It exists only in this test harness; the product has no such setting.
 */
import { startHost } from "../../dev/host";
import { consoleLogger } from "../../dev/host/logger";
import { functionCatalog } from "../../functions/catalog";
import { TableBookingStore } from "../../shared/adapters/tables/table-booking-store";
import type { MailSentLog } from "../../shared/app/ports/mail-sent-log";
import { overrideServices } from "../../shared/composition";
import { getServices } from "../../shared/composition/services";

/**
 * SOAK_MAIL_CLAIM_LEASE_MS shortens how long a mail's send claim holds (the product's default is five
 * minutes), through the services override: a claim left by a killed host then lapses within the run.
 */
async function shortenMailClaims(leaseMs: number): Promise<void> {
  const log = getServices().mailSentLog;
  const shortened: MailSentLog = Object.assign(Object.create(log) as MailSentLog, {
    claim: (messageId: string, at: Date) => log.claim(messageId, at, leaseMs),
  });
  await overrideServices({ mailSentLog: shortened });
}

function breakOverlapCheck(): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with its own instance
  const reserve = TableBookingStore.prototype.reserve;
  TableBookingStore.prototype.reserve = function (this: TableBookingStore, bookingId, rooms, options) {
    // Everything else the caller asked for still happens (a new booking's document is stored).
    return reserve.call(this, bookingId, rooms, { ...options, force: true });
  };
}

async function main(): Promise<void> {
  if (process.env.SOAK_BROKEN === "overlap") breakOverlapCheck();
  const lease = Number(process.env.SOAK_MAIL_CLAIM_LEASE_MS ?? "");
  if (lease > 0) await shortenMailClaims(lease);
  const host = await startHost({
    functions: functionCatalog,
    port: Number(process.env.SOAK_HOST_PORT),
    logger: consoleLogger({ quiet: process.env.SOAK_HOST_LOG === undefined }),
    timers: false,
  });
  process.stdout.write(`soak-host ready ${host.baseUrl}\n`);
  const stop = (): void => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Never outlive the soak: a parent that died without stopping this host leaves it orphaned.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1_000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`soak-host failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
