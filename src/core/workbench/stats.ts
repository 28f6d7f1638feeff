// Statistics of model comparisons (README, "Comparing models"): a seeded random source, bootstrap
// percentile intervals over prompts, and the exact two-sided sign test. Pure functions.

/**
 * mulberry32, a small 32-bit generator with a published definition (Tommy Ettinger's), so that a
 * bootstrap with a given seed draws the same resamples on every machine and in every language.
 * Returns numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` with linear interpolation between order statistics,
 * numpy.quantile's default ("linear", Hyndman & Fan type 7).
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * Bootstrap resamples of n items: `resamples` arrays of n indices drawn with replacement, index
 * k of resample b being ⌊rng() · n⌋ for the (b·n + k)-th number of mulberry32(seed). The same
 * resamples serve every model, so the intervals of a difference are paired.
 */
export function bootstrapIndices(n: number, resamples: number, seed: number): Uint32Array[] {
  const rng = mulberry32(seed);
  const out: Uint32Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx = new Uint32Array(n);
    for (let k = 0; k < n; k++) idx[k] = Math.floor(rng() * n);
    out.push(idx);
  }
  return out;
}

export interface Interval {
  low: number;
  high: number;
}

/** The (1 − level) / 2 and (1 + level) / 2 percentiles of the resampled means of `values`. */
export function bootstrapMeanInterval(values: readonly number[], indices: readonly Uint32Array[], level = 0.95): Interval {
  const means = indices.map((idx) => {
    let s = 0;
    for (const i of idx) s += values[i]!;
    return s / idx.length;
  });
  return { low: quantile(means, (1 - level) / 2), high: quantile(means, (1 + level) / 2) };
}

/** log of n choose k, exact enough for n up to many thousands. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact two-sided sign test: under "neither model is better", wins ~ Binomial(wins + losses, ½);
 * ties are left out. p = min(1, 2 · P(X ≤ min(wins, losses))), scipy.stats.binomtest's
 * two-sided p-value for p = ½. Returns 1 when there is nothing to test (no untied prompt).
 */
export function signTestP(wins: number, losses: number): number {
  const n = wins + losses;
  if (n === 0) return 1;
  const k = Math.min(wins, losses);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}
