// Agreement between model scores and human scores: the statistics that video-evaluation papers
// report (SRCC, PLCC, Kendall's tau-b, pairwise accuracy with tie calibration and without ties). Pure functions, no Node or
// VS Code APIs, so the webview can compute them as well.
//
// Every statistic is NaN-safe: pairs where either value is not a finite number are left out, and
// when what remains cannot give a number (fewer than 2 pairs, a constant series) the result is
// `value: null` with a reason a person can read, never NaN or a division by zero.

import { accuracyWithTiesAt, accuracyWithoutTies, pairsOfSeries, tieCalibratedAccuracy, type TieCounts } from './tie-calibration';

/** A statistic over `n` usable (finite) pairs. */
export type Statistic = { value: number; n: number } | { value: null; n: number; reason: string };

/** The finite pairs of two equally long series. Unequal lengths are a programming error. */
function finitePairs(x: readonly number[], y: readonly number[]): { xs: number[]; ys: number[] } {
  if (x.length !== y.length) {
    throw new RangeError(`The two series have different lengths (${x.length} and ${y.length}).`);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      xs.push(a);
      ys.push(b);
    }
  }
  return { xs, ys };
}

function tooFew(n: number): Statistic {
  return { value: null, n, reason: `needs at least 2 scored pairs, found ${n}` };
}

/** Correlations are in [-1, 1]; floating-point rounding can land a hair outside. */
function clampCorrelation(r: number): number {
  return Math.max(-1, Math.min(1, r));
}

function pearsonOf(xs: readonly number[], ys: readonly number[], constantReason: string): Statistic {
  const n = xs.length;
  if (n < 2) return tooFew(n);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) {
    return { value: null, n, reason: `${sxx === 0 ? 'the predicted' : 'the human'} ${constantReason}` };
  }
  return { value: clampCorrelation(sxy / Math.sqrt(sxx * syy)), n };
}

/** Pearson linear correlation (PLCC) of the raw values. */
export function pearson(x: readonly number[], y: readonly number[]): Statistic {
  const { xs, ys } = finitePairs(x, y);
  return pearsonOf(xs, ys, 'scores are all equal (zero variance)');
}

/**
 * 1-based ranks with ties given the average of the ranks they span ("fractional ranking"), the
 * convention of scipy.stats.rankdata(method='average') that SRCC in the literature uses:
 * [10, 20, 20, 30] → [1, 2.5, 2.5, 4].
 */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    // Positions start..end (0-based) share ranks start+1..end+1; their average:
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Spearman rank correlation (SRCC): Pearson correlation of the average ranks. */
export function spearman(x: readonly number[], y: readonly number[]): Statistic {
  const { xs, ys } = finitePairs(x, y);
  return pearsonOf(averageRanks(xs), averageRanks(ys), 'scores are all equal, so they have no ranking');
}

/** How the pairs of two series relate: the counts every pairwise statistic is built from. */
export interface PairCounts {
  /** Both series order the pair the same way. */
  concordant: number;
  /** The series order the pair in opposite ways. */
  discordant: number;
  /** Tied in x only. */
  tiedXOnly: number;
  /** Tied in y only. */
  tiedYOnly: number;
  /** Tied in both. */
  tiedBoth: number;
}

/**
 * Counts over all n(n-1)/2 pairs. Two x values are tied when they differ by at most `xTie`, two
 * y values when they differ by at most `yTie` (both 0 by default: exact equality).
 * O(n²), which is fine for the few thousand clips a workspace holds.
 */
export function countPairs(xs: readonly number[], ys: readonly number[], xTie = 0, yTie = 0): PairCounts {
  const c: PairCounts = { concordant: 0, discordant: 0, tiedXOnly: 0, tiedYOnly: 0, tiedBoth: 0 };
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      const dx = xs[i]! - xs[j]!;
      const dy = ys[i]! - ys[j]!;
      const tx = Math.abs(dx) <= xTie;
      const ty = Math.abs(dy) <= yTie;
      if (tx && ty) c.tiedBoth++;
      else if (tx) c.tiedXOnly++;
      else if (ty) c.tiedYOnly++;
      else if (Math.sign(dx) === Math.sign(dy)) c.concordant++;
      else c.discordant++;
    }
  }
  return c;
}

/**
 * Kendall's tau-b (KRCC), which corrects for ties in either series:
 * (C − D) / √((C + D + Tx)(C + D + Ty)), with Tx and Ty the pairs tied in x only and in y only.
 * (Pairs tied in both count in neither factor.) Same value as scipy.stats.kendalltau's default.
 */
export function kendallTau(x: readonly number[], y: readonly number[]): Statistic {
  const { xs, ys } = finitePairs(x, y);
  const n = xs.length;
  if (n < 2) return tooFew(n);
  const c = countPairs(xs, ys);
  const px = c.concordant + c.discordant + c.tiedXOnly;
  const py = c.concordant + c.discordant + c.tiedYOnly;
  if (px === 0 || py === 0) {
    // px counts the pairs not tied in y: zero means the human scores are all equal.
    return { value: null, n, reason: `${py === 0 ? 'the predicted' : 'the human'} scores are all equal, so they have no ranking` };
  }
  return { value: clampCorrelation((c.concordant - c.discordant) / Math.sqrt(px * py)), n };
}

export interface PairwiseAccuracyOptions {
  /**
   * A fixed tie threshold ε: two predictions that differ by at most this much are a predicted tie.
   * Without it (the default) ε is calibrated: chosen to maximise the accuracy, as Deutsch et al.
   * and mt-metrics-eval do (see tie-calibration.ts), and reported as `epsilon`.
   */
  tieThreshold?: number;
  /** Two human scores that differ by at most this much are a human tie (default 0: equal scores). */
  humanTieThreshold?: number;
}

export type PairwiseAccuracy = Statistic & { epsilon?: number; pairs?: TieCounts };

/**
 * Pairwise accuracy with ties, acc_eq of Deutsch, Foster & Freitag, "Ties Matter: Meta-Evaluating
 * Modern Metrics with Pairwise Accuracy and Tie Calibration", EMNLP 2023 (arXiv 2305.14324):
 *
 *   acc_eq = (C + T_both) / (C + D + T_human_only + T_pred_only + T_both)
 *
 * over all n(n−1)/2 pairs, where a pair the humans tie is right when the prediction ties it too
 * (|Δpred| ≤ ε), and a pair the humans order is right when the prediction orders it the same way
 * by more than ε. ε is tie-calibrated (chosen to maximise acc_eq, the number papers report as
 * "accuracy with ties") unless `tieThreshold` fixes it.
 */
export function pairwiseAccuracy(
  pred: readonly number[],
  human: readonly number[],
  options: PairwiseAccuracyOptions = {},
): PairwiseAccuracy {
  const { xs, ys } = finitePairs(pred, human);
  const n = xs.length;
  if (n < 2) return tooFew(n);
  const pairs = pairsOfSeries(xs, ys, nonNegative(options.humanTieThreshold));
  const r =
    options.tieThreshold === undefined ? tieCalibratedAccuracy(pairs, n) : accuracyWithTiesAt(pairs, nonNegative(options.tieThreshold), n);
  return r.value === null ? { value: null, n, reason: r.reason } : { value: r.value, n, epsilon: r.epsilon, pairs: r.pairs };
}

/**
 * Pairwise accuracy without ties (VideoAlign's calc_accuracy_without_ties, MonetBench's "diff"):
 * pairs the humans tie are left out; a pair the prediction ties counts as wrong.
 */
export function pairwiseAccuracyWithoutTies(
  pred: readonly number[],
  human: readonly number[],
  options: Pick<PairwiseAccuracyOptions, 'humanTieThreshold'> = {},
): Statistic {
  const { xs, ys } = finitePairs(pred, human);
  const n = xs.length;
  if (n < 2) return tooFew(n);
  const r = accuracyWithoutTies(pairsOfSeries(xs, ys, nonNegative(options.humanTieThreshold)), n);
  return r.value === null ? { value: null, n, reason: r.reason } : { value: r.value, n };
}

function nonNegative(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : 0;
}

export interface AgreementRow {
  pred: number;
  human: number;
}

export interface Agreement {
  /** Rows with both values finite (the others are left out of every statistic). */
  n: number;
  srcc: Statistic;
  plcc: Statistic;
  krcc: Statistic;
  pairwiseAccuracy: PairwiseAccuracy;
  pairwiseAccuracyWithoutTies: Statistic;
}

/** All four statistics for one set of (prediction, human score) rows. */
export function agreement(rows: readonly AgreementRow[], options: PairwiseAccuracyOptions = {}): Agreement {
  const pred = rows.map((r) => r.pred);
  const human = rows.map((r) => r.human);
  const { xs } = finitePairs(pred, human);
  return {
    n: xs.length,
    srcc: spearman(pred, human),
    plcc: pearson(pred, human),
    krcc: kendallTau(pred, human),
    pairwiseAccuracy: pairwiseAccuracy(pred, human, options),
    pairwiseAccuracyWithoutTies: pairwiseAccuracyWithoutTies(pred, human, options),
  };
}
