/**
 * List prices and allowances (USD, pay as you go, East US, list prices without discounts) and the monthly
 * Azure cost per room from a capacity model. Every figure carries the page it was read on and how far
 * that page confirms it; docs/cost.md gives the same table with dates:
 * - "confirmed": a Microsoft page read on READ_ON shows the figure;
 * - "secondary": only a third-party page that quotes Azure's price shows it;
 * - "unconfirmed": no page that could be read shows it (Azure's pricing pages fill their USD figures in
 *   with a script: the stored copies show "$-"), so it is the last known list price and must be checked
 *   on the pricing page, or with the Azure Retail Prices API, before it is quoted.
 */
import type { CapacityModel } from "./model";

export type Confirmation = "confirmed" | "secondary" | "unconfirmed";

export interface Figure {
  readonly value: number;
  readonly per: string;
  readonly confirmation: Confirmation;
  readonly source: string;
}

/** The day every source below was read. */
export const READ_ON = "2026-12-03";

const FUNCTIONS_PRICING = "https://azure.microsoft.com/pricing/details/functions/";
const TABLES_PRICING = "https://azure.microsoft.com/pricing/details/storage/tables/";
const SERVICE_BUS_PRICING = "https://azure.microsoft.com/pricing/details/service-bus/";
const WEB_PUBSUB_PRICING = "https://azure.microsoft.com/pricing/details/web-pubsub/";
const WEB_PUBSUB_BILLING = "https://learn.microsoft.com/azure/azure-web-pubsub/concept-billing-model";
const WEB_PUBSUB_SCALE = "https://learn.microsoft.com/azure/azure-web-pubsub/howto-scale-manual-scale";

/** USD list prices. */
export const PRICES = {
  functionsGbSeconds: {
    value: 0.000026,
    per: "GB-s (Flex Consumption, on demand)",
    confirmation: "secondary",
    source: `${FUNCTIONS_PRICING}, as quoted by https://modal.com/blog/azure-function-pricing-guide (2025-05-22)`,
  },
  functionsExecutions: {
    value: 0.4,
    per: "million executions (Flex Consumption, on demand)",
    confirmation: "unconfirmed",
    source: FUNCTIONS_PRICING,
  },
  tableTransactions: {
    value: 0.00036,
    per: "10,000 transactions (Table Storage, LRS)",
    confirmation: "unconfirmed",
    source: TABLES_PRICING,
  },
  tableStorageGb: {
    value: 0.045,
    per: "GB-month stored (Table Storage, LRS)",
    confirmation: "unconfirmed",
    source: TABLES_PRICING,
  },
  serviceBusBaseHour: {
    value: 0.0135,
    per: "hour (Service Bus Standard base charge, per namespace)",
    confirmation: "unconfirmed",
    source: SERVICE_BUS_PRICING,
  },
  serviceBusOperations13To100M: {
    value: 0.8,
    per: "million operations from 13 M to 100 M a month (Service Bus Standard)",
    confirmation: "unconfirmed",
    source: SERVICE_BUS_PRICING,
  },
  serviceBusOperations100To2500M: {
    value: 0.5,
    per: "million operations from 100 M to 2,500 M a month (Service Bus Standard)",
    confirmation: "unconfirmed",
    source: SERVICE_BUS_PRICING,
  },
  serviceBusOperationsOver2500M: {
    value: 0.2,
    per: "million operations over 2,500 M a month (Service Bus Standard)",
    confirmation: "unconfirmed",
    source: SERVICE_BUS_PRICING,
  },
  webPubSubUnitDay: {
    value: 1.61,
    per: "unit-day (Web PubSub Standard)",
    confirmation: "secondary",
    source: `${WEB_PUBSUB_PRICING}, as quoted ("roughly") by https://c3x.dev/resources/azure/azurerm_web_pubsub/`,
  },
  webPubSubMessages: {
    value: 1,
    per: "million messages beyond those included (Web PubSub Standard)",
    confirmation: "unconfirmed",
    source: WEB_PUBSUB_PRICING,
  },
} as const satisfies Record<string, Figure>;

/** What the meters include or how they count: quantities, not prices. */
export const ALLOWANCES = {
  functionsFreeGbSeconds: {
    value: 100_000,
    per: "GB-s a month per subscription (Flex Consumption on demand free grant)",
    confirmation: "unconfirmed",
    source: `${FUNCTIONS_PRICING} (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan confirms a monthly on-demand grant of GB-s and of executions, without the amounts)`,
  },
  functionsFreeExecutions: {
    value: 250_000,
    per: "executions a month per subscription (Flex Consumption on demand free grant)",
    confirmation: "unconfirmed",
    source: FUNCTIONS_PRICING,
  },
  serviceBusIncludedOperations: {
    value: 13_000_000,
    per: "operations a month included in the Standard base charge",
    confirmation: "confirmed",
    source:
      'https://azure.microsoft.com/en-in/pricing/details/service-bus/ (tiers 13 M–100 M, 100 M–2,500 M, over 2,500 M; its USD figures read "$-")',
  },
  webPubSubConnectionsPerUnit: {
    value: 1_000,
    per: "concurrent connections per unit",
    confirmation: "confirmed",
    source: WEB_PUBSUB_BILLING,
  },
  webPubSubMessagesPerUnitDay: {
    value: 1_000_000,
    per: "messages included per Standard unit per day (outbound traffic counted in 2 KB messages)",
    confirmation: "confirmed",
    source: WEB_PUBSUB_BILLING,
  },
  webPubSubPlannedUtilisation: {
    value: 0.8,
    per: "share of a unit's connections to plan for at most before adding units",
    confirmation: "confirmed",
    source: WEB_PUBSUB_BILLING,
  },
} as const satisfies Record<string, Figure>;

/** Unit counts one Web PubSub Standard or Premium_P1 instance can be scaled to (WEB_PUBSUB_SCALE). */
export const WEB_PUBSUB_UNIT_STEPS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
];
export const WEB_PUBSUB_UNIT_STEPS_SOURCE = WEB_PUBSUB_SCALE;
/** Web PubSub counts outbound traffic in messages of this many bytes (WEB_PUBSUB_BILLING). */
export const WEB_PUBSUB_MESSAGE_BYTES = 2_048;

/** Instance memory the app runs with (infra: instanceMemoryMB 2,048); Flex bills the instance's memory. */
export const INSTANCE_GB = 2;
/** Days in a billed month (730 hours). */
export const DAYS_PER_MONTH = 730 / 24;
/** Service Bus operations per message: send, receive, complete. */
export const OPERATIONS_PER_MESSAGE = 3;
/** Table rows a room keeps (bookings, slots, links, its records), about 1 KiB each: modelled. */
export const STORED_KIB_PER_ROOM = 20 * 4 * 365;
/**
 * Bytes of one room's schedule snapshot (today and tomorrow) at a number of bookings a day: about 300
 * for the envelope and 250 per meeting (id, times, title, organizer, actions). Modelled, not measured.
 */
export const snapshotBytes = (bookingsPerDay: number): number => 300 + 2 * bookingsPerDay * 250;

export interface CostLine {
  readonly item: string;
  readonly perRoomMonth: number;
  readonly basis: string;
}

export interface CostOptions {
  /** Share of a unit's connections planned for use; Microsoft's guidance is at most 80%. */
  readonly webPubSubUtilisation?: number;
  /**
   * Web PubSub instances the displays are spread over, each rounded up to a unit count it can take.
   * Unset: the layout infra deploys (`webPubSubDeployedUnits`).
   */
  readonly webPubSubInstances?: number;
  /** Whether the subscription's monthly Functions free grant goes to this deployment alone. */
  readonly functionsFreeGrant?: boolean;
}

/**
 * Units to hold `connections` at `utilisation`, spread over `instances` (more when one would need over
 * 100 units), each instance rounded up to a unit count it can be scaled to.
 */
export function webPubSubUnits(
  connections: number,
  utilisation: number,
  instances = 1,
): { instances: number; unitsPerInstance: number; units: number } {
  const needed = connections / ALLOWANCES.webPubSubConnectionsPerUnit.value / utilisation;
  const largest = WEB_PUBSUB_UNIT_STEPS[WEB_PUBSUB_UNIT_STEPS.length - 1] ?? 1;
  const n = Math.max(instances, Math.ceil(needed / largest - 1e-9));
  const unitsPerInstance = WEB_PUBSUB_UNIT_STEPS.find((s) => s >= needed / n - 1e-9) ?? largest;
  return { instances: n, unitsPerInstance, units: unitsPerInstance * n };
}

/** The most units an instance takes in steps of one (1 to 10; then 20, 30, … 100). */
export const WEB_PUBSUB_UNITS_IN_STEPS_OF_ONE = 10;

/**
 * The layout infra/main.bicep deploys for `connections` displays: the units they need at `utilisation`,
 * rounded up, split evenly over as few instances of at most 10 units as hold them (10,000 displays at
 * 80%: 13 units, 2 instances of 7).
 */
export function webPubSubDeployedUnits(
  connections: number,
  utilisation: number,
): { instances: number; unitsPerInstance: number; units: number } {
  const needed = Math.max(
    1,
    Math.ceil(connections / ALLOWANCES.webPubSubConnectionsPerUnit.value / utilisation - 1e-9),
  );
  const instances = Math.ceil(needed / WEB_PUBSUB_UNITS_IN_STEPS_OF_ONE);
  const unitsPerInstance = Math.ceil(needed / instances);
  return { instances, unitsPerInstance, units: unitsPerInstance * instances };
}

/** USD for a month's Service Bus Standard operations, by its tiers (the first 13 M are included). */
export function serviceBusOperationsUsd(operations: number): number {
  const tiers = [
    { upTo: ALLOWANCES.serviceBusIncludedOperations.value, usd: 0 },
    { upTo: 100e6, usd: PRICES.serviceBusOperations13To100M.value },
    { upTo: 2_500e6, usd: PRICES.serviceBusOperations100To2500M.value },
    { upTo: Number.POSITIVE_INFINITY, usd: PRICES.serviceBusOperationsOver2500M.value },
  ];
  let from = 0;
  let usd = 0;
  for (const tier of tiers) {
    usd += (Math.max(0, Math.min(operations, tier.upTo) - from) / 1e6) * tier.usd;
    from = tier.upTo;
  }
  return usd;
}

/**
 * The deployment's monthly cost divided by its rooms. Everything is priced for the whole deployment
 * first, so that allowances given per subscription, namespace or unit (free grants, included operations
 * and messages) are taken once and not once per room.
 */
export function monthlyCostPerRoom(
  model: CapacityModel,
  options: CostOptions = {},
): { lines: CostLine[]; total: number } {
  const utilisation = options.webPubSubUtilisation ?? ALLOWANCES.webPubSubPlannedUtilisation.value;
  const grant = options.functionsFreeGrant ?? true;
  const t = model.totals.application;
  const R = model.load.rooms;
  const month = DAYS_PER_MONTH;
  const lines: CostLine[] = [];
  const push = (item: string, deploymentMonth: number, basis: string) =>
    lines.push({ item, perRoomMonth: deploymentMonth / R, basis });

  const executions = t.executions * R * month;
  const freeExecutions = grant ? ALLOWANCES.functionsFreeExecutions.value : 0;
  push(
    "Functions executions",
    (Math.max(0, executions - freeExecutions) / 1e6) * PRICES.functionsExecutions.value,
    `${fmtN(executions / 1e6)} M executions a month for ${fmtN(R)} rooms${grant ? `, ${fmtN(freeExecutions / 1e3)} k free` : ""}`,
  );
  const seconds = Math.max(t.executionSeconds, model.instanceFloorSecondsPerRoom);
  const gbSeconds = seconds * INSTANCE_GB * R * month;
  const freeGbSeconds = grant ? ALLOWANCES.functionsFreeGbSeconds.value : 0;
  push(
    "Functions execution time",
    Math.max(0, gbSeconds - freeGbSeconds) * PRICES.functionsGbSeconds.value,
    `${fmtN(seconds * month)} instance-s × ${INSTANCE_GB} GB per room per month (work ${fmtN(t.executionSeconds * month)} s at typical latencies, overlapped; floor of an instance kept busy by heartbeats ${fmtN(model.instanceFloorSecondsPerRoom * month)} s); ${fmtN(gbSeconds / 1e6)} M GB-s${grant ? `, ${fmtN(freeGbSeconds / 1e3)} k free` : ""}`,
  );
  const requests = t.tableRequests * R * month;
  push(
    "Table transactions",
    (requests / 10_000) * PRICES.tableTransactions.value,
    `${fmtN(t.tableRequests * month)} requests per room per month (a transaction of up to 100 entities is one)`,
  );
  const storedGb = (STORED_KIB_PER_ROOM * R) / 1024 / 1024;
  push(
    "Table storage",
    storedGb * PRICES.tableStorageGb.value,
    `a year of bookings kept: ${fmtN(STORED_KIB_PER_ROOM / 1024)} MiB per room (modelled)`,
  );
  const operations = t.queueMessages * OPERATIONS_PER_MESSAGE * R * month;
  push(
    "Service Bus Standard (base + operations)",
    PRICES.serviceBusBaseHour.value * 24 * month + serviceBusOperationsUsd(operations),
    `one namespace; ${fmtN(operations / 1e6)} M operations a month for ${fmtN(R)} rooms, 13 M included`,
  );
  // One display per room holds one connection; each snapshot reaches it as 2 KB messages.
  const u =
    options.webPubSubInstances === undefined
      ? webPubSubDeployedUnits(R, utilisation)
      : webPubSubUnits(R, utilisation, options.webPubSubInstances);
  const perSnapshot = Math.ceil(snapshotBytes(model.load.bookingsPerRoomDay) / WEB_PUBSUB_MESSAGE_BYTES);
  const messagesPerDay = t.publishes * R * perSnapshot;
  const included = u.units * ALLOWANCES.webPubSubMessagesPerUnitDay.value;
  const extra = Math.max(0, messagesPerDay - included);
  push(
    "Web PubSub Standard (units + messages)",
    (u.units * PRICES.webPubSubUnitDay.value + (extra / 1e6) * PRICES.webPubSubMessages.value) * month,
    `${u.units} units (${u.instances === 1 ? "one instance" : `${u.instances} instances of ${u.unitsPerInstance}`}) for ${fmtN(R)} displays: ${Math.round((R / (u.units * ALLOWANCES.webPubSubConnectionsPerUnit.value)) * 100)}% of their connections, planned at ≤ ${Math.round(utilisation * 100)}%; ${fmtN(messagesPerDay / 1e6)} M messages a day (${perSnapshot} per snapshot), ${fmtN(included / 1e6)} M included`,
  );
  return { lines, total: lines.reduce((n, l) => n + l.perRoomMonth, 0) };
}

/** The names of the figures a Microsoft page does not confirm, by how far they are confirmed. */
export function unconfirmedFigures(): { secondary: string[]; unconfirmed: string[] } {
  const all: Record<string, Figure> = { ...PRICES, ...ALLOWANCES };
  const named = (c: Confirmation) =>
    Object.entries(all)
      .filter(([, f]) => f.confirmation === c)
      .map(([k]) => k);
  return { secondary: named("secondary"), unconfirmed: named("unconfirmed") };
}

function fmtN(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
}
