import { InvocationContext, type Timer } from "@azure/functions";
import { afterEach, describe, expect, inject, it } from "vitest";
import { housekeepingHandler } from "../../../functions/housekeeping";
import { TableDeadLetterReplayLog } from "../../../shared/adapters/tables/table-dead-letter-replay-log";
import { TableMailSentLog } from "../../../shared/adapters/tables/table-mail-sent-log";
import {
  TableSessionStore,
  TableSignInRequestStore,
} from "../../../shared/adapters/tables/table-session-store";
import { parseSettings } from "../../../shared/config";
import { sessionAbsoluteMs, signInRequestMs, type Principal } from "../../../shared/domain/auth/principal";
import { tableServiceFromSettings } from "../../../shared/composition/adapters";
import { resetServices, servicesWith } from "../../support/services";

/**
 * The daily `housekeeping` timer against Azurite, with an injected clock: exactly the expired rows go
 * (sign-ins past their lifetime, sessions past their absolute expiry, sent-mail ids and replay records
 * older than 30 days), everything else stays; the log carries counts only.
 */
const NOW = new Date("2025-06-15T03:30:00Z");
const minute = 60_000;
const day = 86_400_000;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: "", next: "", lastUpdated: "" },
};

const principal: Principal = {
  userId: "u-1",
  tenantId: "t-1",
  objectId: "u-1",
  email: "pat@contoso.example",
  name: "Pat",
  roles: [],
  groups: [],
  isAdmin: false,
};

afterEach(resetServices);

describe("housekeeping timer", () => {
  it("deletes exactly the expired rows and keeps the rest", { timeout: 60_000 }, async () => {
    const settings = parseSettings({
      TABLES_CONNECTION_STRING: inject("tablesConnectionString"),
      SERVICEBUS: "unused",
      TABLE_PREFIX: `hk${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    });
    const tables = tableServiceFromSettings(settings);
    const signIns = new TableSignInRequestStore(tables);
    const sessions = new TableSessionStore(tables);
    const mailSent = new TableMailSentLog(tables);
    const replays = new TableDeadLetterReplayLog(tables);

    await signIns.markUsed("sign-in-expired", ago(1));
    await signIns.markUsed("sign-in-long-expired", ago(2 * day));
    await signIns.markUsed("sign-in-live", new Date(NOW.getTime() + signInRequestMs));

    const session = (createdAt: Date) => ({ principal, createdAt, lastSeenAt: createdAt });
    await sessions.create("session-expired", session(ago(sessionAbsoluteMs + minute)));
    await sessions.create("session-live", session(ago(sessionAbsoluteMs - minute)));

    // Old mail ids, spread over many partitions; and some within the 30 days (sent or still claimed).
    const oldMail = Array.from({ length: 40 }, (_, n) => `mail-old-${n}`);
    for (const id of oldMail) await mailSent.markSent(id, ago(31 * day));
    await mailSent.claim("mail-old-claim", ago(45 * day), 60_000);
    await mailSent.markSent("mail-recent", ago(29 * day));
    await mailSent.claim("mail-claimed-now", ago(minute), 60_000);

    // More than one entity-group transaction's worth in one partition.
    const oldReplays = Array.from({ length: 130 }, (_, n) => `store:mail:old${n}`);
    for (const id of oldReplays) await replays.recordReplayed(id, ago(31 * day));
    await replays.recordReplayed("bus:mail:7", ago(day));

    const logs: string[] = [];
    const context = new InvocationContext({
      functionName: "housekeeping",
      logHandler: (_level, ...args) => logs.push(args.map(String).join(" ")),
    });
    await servicesWith({ settings, now: () => NOW });
    const handler = housekeepingHandler;
    await handler(timer, context);

    expect(logs).toEqual([
      `housekeeping: deleted signInRequests=2 sessions=1 mailSent=${oldMail.length + 1} deadLetterReplays=${oldReplays.length}`,
    ]);

    expect(await signIns.used("sign-in-expired")).toBe(false);
    expect(await signIns.used("sign-in-long-expired")).toBe(false);
    expect(await signIns.used("sign-in-live")).toBe(true);
    expect(await sessions.get("session-expired")).toBeUndefined();
    expect(await sessions.get("session-live")).toMatchObject({ principal: { userId: "u-1" } });

    // A purged id could be claimed afresh; the kept ones are still remembered.
    expect(await mailSent.claim("mail-old-0", NOW, 60_000)).toMatchObject({ state: "claimed" });
    expect(await mailSent.claim("mail-old-claim", NOW, 60_000)).toMatchObject({ state: "claimed" });
    expect(await mailSent.claim("mail-recent", NOW, 60_000)).toEqual({ state: "sent" });
    expect(await mailSent.claim("mail-claimed-now", NOW, 10 * minute)).toEqual({ state: "busy" });

    expect(await replays.replayedAt(oldReplays[0]!)).toBeUndefined();
    expect(await replays.replayedAt(oldReplays.at(-1)!)).toBeUndefined();
    expect(await replays.replayedAt("bus:mail:7")).toEqual(ago(day));

    // A second run finds nothing left to do.
    logs.length = 0;
    await handler(timer, context);
    expect(logs).toEqual([
      "housekeeping: deleted signInRequests=0 sessions=0 mailSent=0 deadLetterReplays=0",
    ]);
  });
});
