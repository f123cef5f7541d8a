import { createHash } from "node:crypto";
import { demoTenantSeed } from "../../../dev/m365";
import { applySeed } from "../../../dev/m365/seed/tenant-seed";
import { TenantStore } from "../../../dev/m365/store/tenant-store";
import { Clock } from "../../../dev/m365/store/clock";
import { calendarsOf } from "../../../dev/m365/store/calendars";
import { seedCalendars } from "../../../dev/m365/calendar/seed";
import type { SimulatorServices } from "../../../dev/m365/services";

/** A digest of a seeded tenant's calendars: every mailbox's events with ids, iCalUIds, responses and change keys. */
class FixedClock extends Clock {
  constructor(private readonly at: number) {
    super();
  }
  override now(): number {
    return this.at;
  }
}

export function demoCalendarDigest(nowIso: string): { digest: string; events: number } {
  const clock = new FixedClock(Date.parse(nowIso));
  const seed = demoTenantSeed();
  const store = new TenantStore(clock, seed.tenantId ?? "demo");
  applySeed(store, seed);
  const sim = { store, clock } as unknown as SimulatorServices;
  seedCalendars(sim, seed);
  const h = createHash("sha256");
  let events = 0;
  const boxes = [...calendarsOf(store).mailboxes.values()].sort((a, b) =>
    a.mailboxId.localeCompare(b.mailboxId),
  );
  for (const box of boxes) {
    h.update(`box ${box.mailboxId} ${box.seq}\n`);
    const list = [...box.events.values()].sort((a, b) => a.id.localeCompare(b.id));
    for (const e of list) {
      events++;
      h.update(
        JSON.stringify([
          e.id,
          e.uid,
          e.type,
          e.seriesMasterId ?? null,
          e.startMs,
          e.endMs,
          e.subject,
          e.response,
          e.showAs,
          e.isCancelled,
          e.deleted,
          e.changeKey,
          e.changeSeq,
          e.attendees.map((a) => [a.emailAddress?.address, a.status?.response]),
          [...e.cancelledOccurrences].sort(),
          [...e.exceptions.entries()].sort(),
        ]),
      );
      h.update("\n");
    }
  }
  return { digest: h.digest("hex"), events };
}
