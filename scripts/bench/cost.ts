/**
 * List prices (USD, pay as you go) and the monthly Azure cost per room from a capacity model. Every price
 * is written down with its source and the date it was read in docs/cost.md; `checked: false` marks a
 * figure that could not be confirmed from a published page that day and must be checked before quoting.
 */
import type { CapacityModel } from "./model";

export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly checked: boolean;
}

export const PRICES = {
  functionsExecutions: { usd: 0.4, per: "million executions (Flex Consumption, on demand)", checked: false },
  functionsGbSeconds: { usd: 0.000026, per: "GB-s (Flex Consumption, on demand)", checked: true },
  tableTransactions: { usd: 0.00036, per: "10,000 transactions (Table Storage, LRS)", checked: false },
  tableStorageGb: { usd: 0.045, per: "GB-month (Table Storage, LRS)", checked: false },
  serviceBusBase: { usd: 0.0135, per: "hour (Service Bus Standard base charge)", checked: false },
  serviceBusOperations: {
    usd: 0.8,
    per: "million operations beyond 13 M a month (Service Bus Standard)",
    checked: false,
  },
  webPubSubUnitDay: {
    usd: 1.61,
    per: "unit-day (Web PubSub Standard, 1,000 connections and 1 M messages a day included)",
    checked: true,
  },
  webPubSubMessages: {
    usd: 1,
    per: "million messages beyond the included (Web PubSub Standard)",
    checked: false,
  },
} as const satisfies Record<string, Price>;

/** Instance memory the app runs with (Flex Consumption: 2,048 MB is the default size). */
export const INSTANCE_GB = 2;
export const DAYS_PER_MONTH = 30.4;
/** Service Bus operations per message: send, receive, complete. */
export const OPERATIONS_PER_MESSAGE = 3;
/** Table rows a room keeps (bookings, slots, links, its records), about 1 KiB each: modelled. */
export const STORED_KIB_PER_ROOM = 20 * 4 * 365;

export interface CostLine {
  readonly item: string;
  readonly perRoomMonth: number;
  readonly basis: string;
}

/**
 * `webPubSubUtilisation`: the share of a unit's 1,000 connections planned for use (Microsoft's guidance
 * is at most 80% before adding units).
 */
export function monthlyCostPerRoom(
  model: CapacityModel,
  webPubSubUtilisation = 0.8,
): { lines: CostLine[]; total: number } {
  const t = model.totals.application;
  const R = model.load.rooms;
  const month = DAYS_PER_MONTH;
  const lines: CostLine[] = [];
  const push = (item: string, perRoomMonth: number, basis: string) =>
    lines.push({ item, perRoomMonth, basis });

  push(
    "Functions executions",
    ((t.executions * month) / 1e6) * PRICES.functionsExecutions.usd,
    `${fmtN(t.executions * month)} executions per room per month`,
  );
  const seconds = Math.max(t.executionSeconds, model.instanceFloorSecondsPerRoom);
  push(
    "Functions execution time",
    seconds * INSTANCE_GB * month * PRICES.functionsGbSeconds.usd,
    `${fmtN(seconds * month)} instance-s × ${INSTANCE_GB} GB per room per month (work ${fmtN(t.executionSeconds * month)} s at typical latencies, overlapped; floor of an instance kept busy by heartbeats ${fmtN(model.instanceFloorSecondsPerRoom * month)} s)`,
  );
  push(
    "Table transactions",
    ((t.tableRequests * month) / 10_000) * PRICES.tableTransactions.usd,
    `${fmtN(t.tableRequests * month)} requests per room per month (a transaction of up to 100 entities is one)`,
  );
  push(
    "Table storage",
    (STORED_KIB_PER_ROOM / 1024 / 1024) * PRICES.tableStorageGb.usd,
    `a year of bookings kept: ${fmtN(STORED_KIB_PER_ROOM / 1024)} MiB per room (modelled)`,
  );
  const operations = t.queueMessages * OPERATIONS_PER_MESSAGE * month * R;
  const billable = Math.max(0, operations - 13e6);
  push(
    "Service Bus Standard (base + operations)",
    (PRICES.serviceBusBase.usd * 24 * month + (billable / 1e6) * PRICES.serviceBusOperations.usd) / R,
    `${fmtN(operations / 1e6)} M operations a month for ${fmtN(R)} rooms, 13 M included`,
  );
  // One display per room holds one connection; units are sized for 80% use.
  const units = Math.ceil(R / 1_000 / webPubSubUtilisation);
  const messagesPerDay = t.publishes * R;
  const extra = Math.max(0, messagesPerDay - units * 1e6);
  push(
    "Web PubSub Standard (units + messages)",
    ((units * PRICES.webPubSubUnitDay.usd + (extra / 1e6) * PRICES.webPubSubMessages.usd) * month) / R,
    `${units} units for ${fmtN(R)} displays at ${Math.round(webPubSubUtilisation * 100)}%; ${fmtN(messagesPerDay)} messages a day`,
  );
  return { lines, total: lines.reduce((n, l) => n + l.perRoomMonth, 0) };
}

function fmtN(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
}
