import type { SoakReport } from "./run";

/** The soak's figures as text (the console, and the benchmark report). */
export function formatSoakReport(report: SoakReport): string[] {
  const lines: string[] = [];
  const inv = report.invariants;
  lines.push(
    `seed ${report.seed}: ${report.operationsRun} operations in ${report.operationSeconds} s (${report.seconds} s in all, with start, settling, reconcile and checks)`,
  );
  lines.push("operations by kind:");
  for (const [kind, outcomes] of Object.entries(report.operations).sort()) {
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
    const detail = Object.entries(outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([o, n]) => `${o} ${n}`)
      .join(", ");
    lines.push(`  ${kind.padEnd(26)} ${String(total).padStart(5)}  (${detail})`);
  }
  lines.push("faults by kind:");
  for (const [kind, n] of Object.entries(report.faults).sort())
    lines.push(`  ${kind.padEnd(26)} ${String(n).padStart(5)}`);
  lines.push(
    `Graph: ${report.graph.requests} requests, ${report.graph.tokenRequests} token requests to Entra; error answers:`,
  );
  for (const [answer, n] of Object.entries(report.graph.errors).sort((a, b) => b[1] - a[1]))
    lines.push(`  ${answer.padEnd(40)} ${String(n).padStart(5)}`);
  lines.push(
    `bookings in ONES: ${Object.entries(inv.bookings)
      .sort()
      .map(([s, n]) => `${s} ${n}`)
      .join(", ")}`,
  );
  lines.push(`mails sent: ${inv.mails}`);
  lines.push(`quiescence reached: ${report.quiescent ? "yes" : "no"}`);
  lines.push(`divergences before reconcile: ${report.divergencesBeforeReconcile}`);
  if (report.reconcile !== undefined)
    lines.push(
      `reconcile: ${report.reconcile.rooms} rooms, drift found ${report.reconcile.driftFound}, repaired ${report.reconcile.driftRepaired}, failed ${report.reconcile.failed}`,
    );
  lines.push(`divergences after reconcile: ${inv.divergences.length}`);
  lines.push(`lost bookings: ${inv.lost.length}`);
  lines.push(`duplicate Graph events: ${inv.duplicateEvents.length}`);
  lines.push(`duplicate mails: ${inv.duplicateMails.length}`);
  lines.push(`double-booked: ${inv.doubleBooked.length}`);
  for (const [name, list] of [
    ["divergence", inv.divergences],
    ["lost", inv.lost],
    ["duplicate event", inv.duplicateEvents],
    ["duplicate mail", inv.duplicateMails],
    ["double booking", inv.doubleBooked],
  ] as const)
    for (const item of list.slice(0, name === "divergence" ? 40 : 10)) lines.push(`  ${name}: ${item}`);
  lines.push(report.failed.length === 0 ? "every invariant holds" : `FAILED: ${report.failed.join("; ")}`);
  return lines;
}
