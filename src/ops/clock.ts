/**
 * Time as the scheduler sees it. Injected, so a test can move a manual clock to 08:55 JST and
 * watch a job fire without waiting — while croner still does all the calendar arithmetic.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn after ms (or at once if ms ≤ 0); returns a handle for `clear`. */
  setTimer(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

// setTimeout overflows past 2^31-1 ms (24.8 days) and then fires at once; re-arm instead.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock: Date.now and setTimeout (delays capped at 24.8 days; callers re-arm).
 * @example const c = systemClock; c.setTimer(() => console.log('tick'), 1000);
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * A clock that moves only when told to; timers fire in due order while it advances.
 * @example const c = new ManualClock('2025-01-22T23:54:00Z'); await c.advanceTo('2025-01-22T23:55:00Z');
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Map<number, { due: number; fn: () => void }>();

  constructor(start: string | number | Date) {
    this.t = new Date(start).getTime();
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { due: this.t + Math.max(0, ms), fn });
    return id;
  }

  clear(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Number of armed timers (a stopped scheduler leaves none). */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves to `to`, firing every timer due on the way (in order), letting promises settle between. */
  async advanceTo(to: string | number | Date): Promise<void> {
    const target = new Date(to).getTime();
    for (;;) {
      const next = [...this.timers.entries()].filter(([, x]) => x.due <= target).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].due);
      next[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = Math.max(this.t, target);
  }

  /** Moves forward by ms. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }
}
