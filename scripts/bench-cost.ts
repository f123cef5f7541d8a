/**
 * Cost model: the monthly Azure cost per room at 10,000 rooms and 20 bookings per room per day, from the
 * operation counts bench:scale measures (the same module) and the list prices in scripts/bench/cost.ts
 * (sources and dates in docs/cost.md). Target: ≤ $0.10 per room per month.
 * Run: npm run bench:cost   (BENCH_OPERATIONS=file reuses a bench:scale measurement)
 */
import { measurement } from "./bench/measured";
import {
  ALLOWANCES,
  type CostOptions,
  monthlyCostPerRoom,
  PRICES,
  READ_ON,
  unconfirmedFigures,
  webPubSubDeployedUnits,
  webPubSubUnits,
} from "./bench/cost";
import { capacityModel, DEFAULT_LOAD, SCHEDULE, type Schedule } from "./bench/model";
import { printBenchResult } from "./bench/result";

const TARGET_USD = 0.1;

async function main(): Promise<void> {
  const m = await measurement();
  const model = capacityModel(m, DEFAULT_LOAD);
  const cost = monthlyCostPerRoom(model);
  console.log(
    `\nMonthly Azure cost per room at ${model.load.rooms.toLocaleString("en-US")} rooms (application modes; USD list prices, East US, pay as you go):\n`,
  );
  console.log("| item | USD per room per month | basis |");
  console.log("|---|---|---|");
  for (const l of cost.lines) console.log(`| ${l.item} | ${l.perRoomMonth.toFixed(4)} | ${l.basis} |`);
  console.log(`| **total** | **${cost.total.toFixed(4)}** | target ≤ ${TARGET_USD.toFixed(2)} |`);

  // What the design choices cost: the same counts under other schedules and Web PubSub layouts.
  const rooms = model.load.rooms;
  const planned = ALLOWANCES.webPubSubPlannedUtilisation.value;
  const deployed = webPubSubDeployedUnits(rooms, planned);
  const options: { name: string; schedule?: Schedule; cost?: CostOptions }[] = [
    {
      name: `as built (heartbeat every 5 min, reconcile every 15 min, displays spread over ${deployed.instances} Web PubSub instance${deployed.instances === 1 ? "" : "s"} of ${deployed.unitsPerInstance} units)`,
    },
    {
      name: "heartbeat every 30 s (before it was 5 min)",
      schedule: { ...SCHEDULE, displayHeartbeatSeconds: 30 },
    },
    { name: "reconcile hourly instead of every 15 min", schedule: { ...SCHEDULE, reconcileMinutes: 60 } },
    {
      name: `Web PubSub at 100% of the displays' connections (${webPubSubDeployedUnits(rooms, 1).units} units, no margin: one connection more is refused)`,
      cost: { webPubSubUtilisation: 1 },
    },
    {
      name: `one Web PubSub instance for every display (${webPubSubUnits(rooms, planned, 1).units} units: past 10 an instance takes only 20, 30, …; before the displays were spread)`,
      cost: { webPubSubInstances: 1 },
    },
    {
      name: "without the Functions free grant (a subscription shared with other apps)",
      cost: { functionsFreeGrant: false },
    },
  ];
  console.log("\n| design option | USD per room per month |");
  console.log("|---|---|");
  for (const o of options)
    console.log(
      `| ${o.name} | ${monthlyCostPerRoom(capacityModel(m, DEFAULT_LOAD, o.schedule ?? SCHEDULE), o.cost).total.toFixed(4)} |`,
    );

  console.log(`\nPrices and allowances used (read ${READ_ON}; sources in docs/cost.md):\n`);
  console.log("| figure | value | per | confirmed |");
  console.log("|---|---|---|---|");
  for (const [name, f] of Object.entries({ ...PRICES, ...ALLOWANCES }))
    console.log(`| ${name} | ${f.value} | ${f.per} | ${f.confirmation} |`);
  const open = unconfirmedFigures();
  const notes = [
    `figures a Microsoft page does not show, to check before quoting: ${open.unconfirmed.join(", ") || "none"}`,
    `figures seen only on a third-party page quoting Azure's price: ${open.secondary.join(", ") || "none"}`,
  ];
  for (const n of notes) console.log(`\n${n}`);
  printBenchResult({
    bench: "cost",
    figures: [
      {
        name: "Azure cost per room per month",
        value: Number(cost.total.toFixed(4)),
        unit: "USD",
        target: `≤ ${TARGET_USD.toFixed(2)}`,
        met: cost.total <= TARGET_USD,
      },
      ...cost.lines.map((l) => ({
        name: l.item,
        value: Number(l.perRoomMonth.toFixed(4)),
        unit: "USD/room/month",
      })),
    ],
    notes,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
