/**
 * Cost model: the monthly Azure cost per room at 10,000 rooms and 20 bookings per room per day, from the
 * operation counts bench:scale measures (the same module) and the list prices in scripts/bench/cost.ts
 * (sources and dates in docs/cost.md). Target: ≤ $0.10 per room per month.
 * Run: npm run bench:cost   (BENCH_OPERATIONS=file reuses a bench:scale measurement)
 */
import { measurement } from "./bench/measured";
import { monthlyCostPerRoom, PRICES } from "./bench/cost";
import { capacityModel, DEFAULT_LOAD, SCHEDULE } from "./bench/model";
import { printBenchResult } from "./bench/result";

const TARGET_USD = 0.1;

async function main(): Promise<void> {
  const m = await measurement();
  const model = capacityModel(m, DEFAULT_LOAD);
  const cost = monthlyCostPerRoom(model);
  console.log(
    `\nMonthly Azure cost per room at ${model.load.rooms.toLocaleString("en-US")} rooms (application modes):\n`,
  );
  console.log("| item | USD per room per month | basis |");
  console.log("|---|---|---|");
  for (const l of cost.lines) console.log(`| ${l.item} | ${l.perRoomMonth.toFixed(4)} | ${l.basis} |`);
  console.log(`| **total** | **${cost.total.toFixed(4)}** | target ≤ ${TARGET_USD.toFixed(2)} |`);
  // What the design choices cost: the same counts under other schedules.
  const options = [
    { name: "as built (heartbeat every 5 min, reconcile every 15 min)", schedule: SCHEDULE, use: 0.8 },
    {
      name: "heartbeat every 30 s (before this change)",
      schedule: { ...SCHEDULE, displayHeartbeatSeconds: 30 },
      use: 0.8,
    },
    {
      name: "reconcile hourly instead of every 15 min",
      schedule: { ...SCHEDULE, reconcileMinutes: 60 },
      use: 0.8,
    },
    { name: "Web PubSub units sized at 100% of connections", schedule: SCHEDULE, use: 1 },
  ];
  console.log("\n| design option | USD per room per month |");
  console.log("|---|---|");
  for (const o of options)
    console.log(
      `| ${o.name} | ${monthlyCostPerRoom(capacityModel(m, DEFAULT_LOAD, o.schedule), o.use).total.toFixed(4)} |`,
    );
  const unchecked = Object.entries(PRICES)
    .filter(([, p]) => !p.checked)
    .map(([k]) => k);
  if (unchecked.length > 0)
    console.log(`\nprices still to check against the published page: ${unchecked.join(", ")}`);
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
    notes: [`list prices not yet confirmed: ${unchecked.join(", ") || "none"}`],
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
