/** The simulator's clock: real time plus an offset that tests can advance (token and delta expiry). */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves simulated time forward (never backward). */
  advance(ms: number): void {
    if (ms < 0) throw new Error("the clock only moves forward");
    this.offsetMs += ms;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }
}
