/**
 * A small seeded pseudo-random generator (mulberry32), so every generated benchmark file is the
 * same bytes on every machine: figures from two runs compare the same input.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /**
   * A float in [0, 1).
   * @example new SeededRandom(1).float() < 1
   */
  float(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * An integer in [0, n).
   * @example new SeededRandom(1).int(10) // 0…9
   */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /**
   * A standard normal deviate (Box–Muller).
   * @example new SeededRandom(1).normal()
   */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Picks an item with the given weights.
   * @example new SeededRandom(1).weighted([['a', 1], ['b', 3]])
   */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.float() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1]![0];
  }
}

/**
 * Shuffles a copy of an array with a seeded generator (Fisher–Yates).
 * @example shuffled([1, 2, 3], new SeededRandom(7))
 */
export function shuffled<T>(items: readonly T[], rng: SeededRandom): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * The per-cell change probability that changes `target` of all observations of a row whose
 * 12 monthly cells are each changed with that probability and whose year cell changes whenever
 * a month does (13 observations per measure). Found by bisection.
 * @example monthChangeProbability(0.01) // ≈ 0.0055
 */
export function monthChangeProbability(target: number): number {
  let lo = 0;
  let hi = target;
  for (let i = 0; i < 60; i++) {
    const p = (lo + hi) / 2;
    const share = (12 * p + (1 - (1 - p) ** 12)) / 13;
    if (share < target) lo = p; else hi = p;
  }
  return (lo + hi) / 2;
}
