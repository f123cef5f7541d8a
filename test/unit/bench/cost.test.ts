import { describe, expect, it } from "vitest";
import {
  ALLOWANCES,
  monthlyCostPerRoom,
  PRICES,
  serviceBusOperationsUsd,
  unconfirmedFigures,
  webPubSubDeployedUnits,
  webPubSubUnits,
} from "../../../scripts/bench/cost";
import { type CapacityModel, type DailyLine, DEFAULT_LOAD, line } from "../../../scripts/bench/model";

/** A capacity model with chosen daily figures per room, for the arithmetic of the prices alone. */
function model(rooms: number, perRoomDay: Partial<DailyLine>, floorSecondsPerRoom = 0): CapacityModel {
  const total: DailyLine = { ...line("total", true), ...perRoomDay };
  return {
    load: { ...DEFAULT_LOAD, rooms },
    lines: [total],
    totals: { application: total, delegated: total },
    headroom: [],
    instanceFloorSecondsPerRoom: floorSecondsPerRoom,
  };
}

const item = (cost: ReturnType<typeof monthlyCostPerRoom>, name: string): number =>
  cost.lines.find((l) => l.item === name)?.perRoomMonth ?? Number.NaN;

describe("the cost model", () => {
  it("sizes Web PubSub in the unit counts an instance can take", () => {
    // 10,000 displays at 80% need 12.5 units; one instance goes 10, 20, 30…: 20.
    expect(webPubSubUnits(10_000, 0.8)).toEqual({ instances: 1, unitsPerInstance: 20, units: 20 });
    expect(webPubSubUnits(10_000, 1)).toEqual({ instances: 1, unitsPerInstance: 10, units: 10 });
    expect(webPubSubUnits(10_000, 0.8, 2)).toEqual({ instances: 2, unitsPerInstance: 7, units: 14 });
    expect(webPubSubUnits(5_000, 0.8)).toEqual({ instances: 1, unitsPerInstance: 7, units: 7 });
    expect(webPubSubUnits(800, 0.8)).toEqual({ instances: 1, unitsPerInstance: 1, units: 1 });
    // Over 100 units the displays need more than one instance.
    expect(webPubSubUnits(150_000, 0.8)).toEqual({ instances: 2, unitsPerInstance: 100, units: 200 });
  });

  it("sizes Web PubSub as infra deploys it: units at 80%, over instances of at most 10 units", () => {
    expect(webPubSubDeployedUnits(10_000, 0.8)).toEqual({ instances: 2, unitsPerInstance: 7, units: 14 });
    expect(webPubSubDeployedUnits(8_000, 0.8)).toEqual({ instances: 1, unitsPerInstance: 10, units: 10 });
    expect(webPubSubDeployedUnits(8_001, 0.8)).toEqual({ instances: 2, unitsPerInstance: 6, units: 12 });
    expect(webPubSubDeployedUnits(800, 0.8)).toEqual({ instances: 1, unitsPerInstance: 1, units: 1 });
    expect(webPubSubDeployedUnits(1, 0.8)).toEqual({ instances: 1, unitsPerInstance: 1, units: 1 });
    expect(webPubSubDeployedUnits(50_000, 0.8)).toEqual({ instances: 7, unitsPerInstance: 9, units: 63 });
  });

  it("prices Service Bus operations by their tiers, the first 13 M included", () => {
    expect(serviceBusOperationsUsd(12_000_000)).toBe(0);
    expect(serviceBusOperationsUsd(50_000_000)).toBeCloseTo(37 * 0.8, 9);
    expect(serviceBusOperationsUsd(200_000_000)).toBeCloseTo(87 * 0.8 + 100 * 0.5, 9);
    expect(serviceBusOperationsUsd(3_000_000_000)).toBeCloseTo(87 * 0.8 + 2_400 * 0.5 + 500 * 0.2, 9);
  });

  it("prices a month of the deployment and divides it by the rooms", () => {
    const day = model(10_000, {
      executions: 10,
      executionSeconds: 1,
      tableRequests: 100,
      queueMessages: 1,
      publishes: 2,
    });
    const cost = monthlyCostPerRoom(day);
    // 3,041,667 executions a month less 250,000 free, at $0.40 per million, over 10,000 rooms.
    expect(item(cost, "Functions executions")).toBeCloseTo(0.000111667, 9);
    // 1 s × 2 GB × 10,000 rooms × 30.42 days = 608,333 GB-s less 100,000 free, at $0.000026.
    expect(item(cost, "Functions execution time")).toBeCloseTo(0.001321667, 9);
    // 30,416,667 requests a month at $0.00036 per 10,000.
    expect(item(cost, "Table transactions")).toBeCloseTo(0.0001095, 9);
    // 28.5 MiB per room: 278.5 GiB at $0.045.
    expect(item(cost, "Table storage")).toBeCloseTo(0.001253128, 9);
    // 730 hours of the base charge; 912,500 operations are within the 13 M included.
    expect(item(cost, "Service Bus Standard (base + operations)")).toBeCloseTo(0.0009855, 9);
    // 2 instances of 7 units all month at $1.61 a unit-day; 120,000 messages a day are within the
    // 14 M included.
    expect(item(cost, "Web PubSub Standard (units + messages)")).toBeCloseTo(0.068559167, 9);
    expect(cost.total).toBeCloseTo(0.0723405, 6);
    // The same displays on one instance: 20 units.
    const single = monthlyCostPerRoom(day, { webPubSubInstances: 1 });
    expect(item(single, "Web PubSub Standard (units + messages)")).toBeCloseTo(0.097941667, 9);
  });

  it("takes the Functions free grant once for the deployment, not once per room", () => {
    // 100 rooms × 10 executions a day: 30,417 a month, within the 250,000 free.
    const small = monthlyCostPerRoom(model(100, { executions: 10 }));
    expect(item(small, "Functions executions")).toBe(0);
    const noGrant = monthlyCostPerRoom(model(100, { executions: 10 }), { functionsFreeGrant: false });
    expect(item(noGrant, "Functions executions")).toBeCloseTo((10 * (730 / 24) * 0.4) / 1e6, 12);
  });

  it("bills execution time at least for an instance kept busy all day", () => {
    const cost = monthlyCostPerRoom(model(10_000, { executionSeconds: 1 }, 5), { functionsFreeGrant: false });
    expect(item(cost, "Functions execution time")).toBeCloseTo(5 * 2 * (730 / 24) * 0.000026, 12);
  });

  it("bills Web PubSub messages beyond the units' daily allowance", () => {
    // 1,000 rooms: 2 units, 2 M messages included a day; 1,000 publishes a room a day of 6 messages each.
    const cost = monthlyCostPerRoom(model(1_000, { publishes: 1_000 }));
    const units = 2 * PRICES.webPubSubUnitDay.value;
    const extra = ((6_000_000 - 2 * ALLOWANCES.webPubSubMessagesPerUnitDay.value) / 1e6) * 1;
    expect(item(cost, "Web PubSub Standard (units + messages)")).toBeCloseTo(
      ((units + extra) * (730 / 24)) / 1_000,
      12,
    );
  });

  it("names a page for every figure and lists the ones Microsoft's pages do not show", () => {
    for (const f of Object.values({ ...PRICES, ...ALLOWANCES })) expect(f.source).toMatch(/^https:\/\//);
    const open = unconfirmedFigures();
    expect(open.secondary).toEqual(["functionsGbSeconds", "webPubSubUnitDay"]);
    expect(open.unconfirmed).toContain("functionsExecutions");
    expect(open.unconfirmed).not.toContain("webPubSubMessagesPerUnitDay");
  });
});
