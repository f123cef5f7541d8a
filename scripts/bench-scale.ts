/**
 * Capacity model: what each timer and consumer costs per room per day in Graph requests and table
 * operations, measured on a small generated tenant through the real use cases and SDKs (see
 * scripts/bench/operations.ts), scaled to 10,000 rooms and 200,000 users, and compared with Graph's and
 * Table Storage's documented limits as headroom ratios (target: ≥ 2× everywhere).
 * Run: npm run bench:scale   (env: BENCH_SCALE_ROOMS, _USERS, _GROUPS, _BOOKINGS; BENCH_OPERATIONS=file to reuse)
 */
import { measurement } from "./bench/measured";
import { capacityModel, DEFAULT_LOAD, fmt, renewalsPerRoomDay } from "./bench/model";
import { printBenchResult } from "./bench/result";

const TARGET = 2;

async function main(): Promise<void> {
  const m = await measurement();
  const model = capacityModel(m, DEFAULT_LOAD);
  const load = model.load;
  console.log(
    `\nPer room per day at ${load.rooms.toLocaleString("en-US")} rooms, ${load.users.toLocaleString("en-US")} users, ` +
      `${load.bookingsPerRoomDay} bookings per room per day (measured on ${m.tenant.rooms} rooms; ` +
      `${renewalsPerRoomDay().toFixed(2)} renewals per room per day):\n`,
  );
  const rows = [...model.lines, model.totals.application, model.totals.delegated];
  console.log(
    "| work | Graph requests | table requests | table entities | queue messages | publishes | executions |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const l of rows)
    console.log(
      `| ${l.name} | ${fmt(l.graph, 2)} | ${fmt(l.tableRequests, 2)} | ${fmt(l.tableEntities, 2)} | ${fmt(l.queueMessages, 2)} | ${fmt(l.publishes, 2)} | ${fmt(l.executions, 2)} |`,
    );
  console.log(`\nHeadroom at ${load.rooms.toLocaleString("en-US")} rooms (target ≥ ${TARGET}×):\n`);
  console.log("| limit | demand | limit value | headroom | basis |");
  console.log("|---|---|---|---|---|");
  for (const h of model.headroom)
    console.log(
      `| ${h.limit} | ${fmt(h.demand)} ${h.unit} | ${fmt(h.capacity)} | ${fmt(h.ratio)}× ${h.ratio >= TARGET ? "" : "(below target)"} | ${h.note} |`,
    );
  const least = [...model.headroom].sort((a, b) => a.ratio - b.ratio)[0];
  printBenchResult({
    bench: "scale",
    figures: [
      ...model.headroom.map((h) => ({
        name: `headroom: ${h.limit}`,
        value: Number(h.ratio.toFixed(1)),
        unit: "×",
        target: `≥ ${TARGET}×`,
        met: h.ratio >= TARGET,
      })),
      {
        name: "Graph requests per room per day (application modes)",
        value: Number(model.totals.application.graph.toFixed(1)),
      },
      {
        name: "table entities per room per day (application modes)",
        value: Number(model.totals.application.tableEntities.toFixed(1)),
      },
      ...(least === undefined
        ? []
        : [
            {
              name: `least headroom (${least.limit})`,
              value: Number(least.ratio.toFixed(1)),
              unit: "×",
              target: `≥ ${TARGET}×`,
              met: least.ratio >= TARGET,
            },
          ]),
    ],
    notes: [
      `measured on ${m.tenant.rooms} rooms / ${m.tenant.users} users / ${m.bookingsMeasured} Outlook bookings, scaled to ${load.rooms} rooms / ${load.users} users`,
      "delegated polling (calendar-poll) is modelled from the design, not measured",
    ],
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
