/**
 * One measurement shared by `bench:scale` and `bench:cost`: taken afresh, or read from the file a
 * previous run wrote (`BENCH_OPERATIONS=path`), so `npm run bench` measures once for both.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { measureOperations, type Measurement } from "./operations";

export const MEASUREMENT_FILE = resolve(__dirname, "../../.local/bench/operations.json");

export async function measurement(): Promise<Measurement> {
  const reuse = process.env.BENCH_OPERATIONS;
  if (reuse !== undefined && reuse !== "" && existsSync(reuse)) {
    console.log(`operation counts read from ${reuse}`);
    return JSON.parse(readFileSync(reuse, "utf8")) as Measurement;
  }
  const rooms = Number(process.env.BENCH_SCALE_ROOMS ?? 50);
  const users = Number(process.env.BENCH_SCALE_USERS ?? 1_000);
  const groups = Number(process.env.BENCH_SCALE_GROUPS ?? 100);
  const bookingsPerRoom = Number(process.env.BENCH_SCALE_BOOKINGS ?? 4);
  console.log(
    `measuring on ${rooms} rooms, ${users} users, ${groups} groups, ${bookingsPerRoom} Outlook bookings per room`,
  );
  const m = await measureOperations({
    rooms,
    users,
    groups,
    bookingsPerRoom,
    log: (l) => console.log(`  ${l}`),
  });
  mkdirSync(dirname(MEASUREMENT_FILE), { recursive: true });
  writeFileSync(MEASUREMENT_FILE, JSON.stringify(m, null, 2));
  console.log(`operation counts written to ${MEASUREMENT_FILE}`);
  return m;
}
