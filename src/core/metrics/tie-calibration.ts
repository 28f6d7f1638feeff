// Pairwise accuracy as the video-evaluation papers report it (README, "Agreement with people"):
//
// - tie-calibrated accuracy, acc_eq / "acc23" of Deutsch, Foster & Freitag, "Ties Matter:
//   Meta-Evaluating Modern Metrics with Pairwise Accuracy and Tie Calibration", EMNLP 2023
//   (arXiv 2305.14324), with the tie threshold ε chosen to maximise it, computed the way
//   google-research/mt-metrics-eval's tau_optimization.tau_optimization does: thresholds start at
//   0, pairs are taken in order of their absolute metric difference and turned into metric ties,
//   all pairs with an equal difference flip together, and the first threshold with the highest
//   accuracy wins. VideoAlign and MonetBench report this as accuracy "with ties".
// - accuracy without ties, as KwaiVGI/VideoAlign's calc_accuracy.calc_accuracy_without_ties
//   computes it (MonetBench's "diff"): pairs the humans tie are dropped, and a pair the metric
//   ties counts as wrong: C / (C + D + T_metric).
//
// Pure functions over "ranked pairs": the human and metric differences of two items.

/** One compared pair: `human` and `metric` are a − b (only their signs and |metric| matter). */
export interface RankedPair {
  human: number;
  metric: number;
}

export interface TieCounts {
  concordant: number;
  discordant: number;
  /** Tied by the humans only. */
  tiedHuman: number;
  /** Tied by the metric only (|Δmetric| ≤ ε). */
  tiedMetric: number;
  tiedBoth: number;
}

export type CalibratedAccuracy =
  | { value: number; n: number; epsilon: number; pairs: TieCounts }
  | { value: null; n: number; reason: string; epsilon?: undefined; pairs?: undefined };

function countAt(pairs: readonly RankedPair[], epsilon: number): TieCounts {
  const c: TieCounts = { concordant: 0, discordant: 0, tiedHuman: 0, tiedMetric: 0, tiedBoth: 0 };
  for (const p of pairs) {
    const ht = p.human === 0;
    const mt = Math.abs(p.metric) <= epsilon;
    if (ht && mt) c.tiedBoth++;
    else if (ht) c.tiedHuman++;
    else if (mt) c.tiedMetric++;
    else if (p.human > 0 === p.metric > 0) c.concordant++;
    else c.discordant++;
  }
  return c;
}

const acc = (c: TieCounts, total: number) => (c.concordant + c.tiedBoth) / total;

/** acc_eq at a fixed threshold ε (metric differences ≤ ε are ties). */
export function accuracyWithTiesAt(pairs: readonly RankedPair[], epsilon: number, n = pairs.length): CalibratedAccuracy {
  if (pairs.length === 0) return { value: null, n, reason: 'there are no pairs to compare' };
  const counts = countAt(pairs, epsilon);
  return { value: acc(counts, pairs.length), n, epsilon, pairs: counts };
}

/**
 * acc_eq with ε chosen to maximise it (mt-metrics-eval's tau_optimization with acc_23 and
 * sample_rate 1). The reported ε is the smallest threshold that reaches the maximum.
 */
export function tieCalibratedAccuracy(pairs: readonly RankedPair[], n = pairs.length): CalibratedAccuracy {
  if (pairs.length === 0) return { value: null, n, reason: 'there are no pairs to compare' };
  // Start at ε = 0: only exact metric ties are ties (in case introducing any tie is worse).
  const start = countAt(pairs, 0);
  let correct = start.concordant + start.tiedBoth;
  const thresholds = [0];
  const corrects = [correct];
  const order = pairs.map((p) => ({ diff: Math.abs(p.metric), p })).sort((a, b) => a.diff - b.diff);
  for (const { diff, p } of order) {
    // The pair as counted at ε = 0, then as a metric tie.
    const ht = p.human === 0;
    const wasRight = ht ? p.metric === 0 : p.metric !== 0 && p.human > 0 === p.metric > 0;
    const nowRight = ht;
    correct += (nowRight ? 1 : 0) - (wasRight ? 1 : 0);
    // Every pair with the same difference flips at the same threshold: overwrite, do not add.
    if (thresholds[thresholds.length - 1] === diff) corrects[corrects.length - 1] = correct;
    else {
      thresholds.push(diff);
      corrects.push(correct);
    }
  }
  let best = 0;
  for (let i = 1; i < corrects.length; i++) if (corrects[i]! > corrects[best]!) best = i;
  const epsilon = thresholds[best]!;
  return { value: corrects[best]! / pairs.length, n, epsilon, pairs: countAt(pairs, epsilon) };
}

/**
 * Accuracy without ties (VideoAlign's calc_accuracy_without_ties): human ties dropped, metric ties
 * wrong. Null when the humans tie every pair.
 */
export function accuracyWithoutTies(
  pairs: readonly RankedPair[],
  n = pairs.length,
): { value: number; n: number; pairs: number } | { value: null; n: number; reason: string } {
  let right = 0;
  let ordered = 0;
  for (const p of pairs) {
    if (p.human === 0) continue;
    ordered++;
    if (p.metric !== 0 && p.human > 0 === p.metric > 0) right++;
  }
  if (ordered === 0) return { value: null, n, reason: pairs.length === 0 ? 'there are no pairs to compare' : 'the humans tie every pair' };
  return { value: right / ordered, n, pairs: ordered };
}

/** All n(n−1)/2 pairs of two score series; two human scores within `humanTie` are a human tie. */
export function pairsOfSeries(pred: readonly number[], human: readonly number[], humanTie = 0): RankedPair[] {
  const out: RankedPair[] = [];
  for (let i = 0; i < pred.length; i++) {
    for (let j = i + 1; j < pred.length; j++) {
      const h = human[i]! - human[j]!;
      out.push({ human: Math.abs(h) <= humanTie ? 0 : h, metric: pred[i]! - pred[j]! });
    }
  }
  return out;
}
