// `finger compare`: models compared on the same prompts (README, "Comparing models").
// Per model: mean overall and per-dimension scores over the prompts every model has, with a 95 %
// bootstrap percentile interval over prompts (seeded), and the rank. Per pair of models: win, tie
// and loss counts over prompts, the exact two-sided sign test, and the mean difference with its
// paired bootstrap interval (the same resamples of prompts for both models). Pure.
import { FingerError } from '../errors';
import { DIMENSIONS, type Dimension } from '../types';
import type { GroupedClip, Grouping, GroupingMethod } from './grouping';
import { listFiles } from './grouping';
import { bootstrapIndices, bootstrapMeanInterval, mean, signTestP, type Interval } from './stats';

export type Metric = 'overall' | Dimension;
export const METRICS: readonly Metric[] = ['overall', ...DIMENSIONS];

export function isMetric(x: string): x is Metric {
  return (METRICS as readonly string[]).includes(x);
}

/** A clip's value of `metric`, or null when it has none. */
export function clipMetric(clip: Pick<GroupedClip, 'result'>, metric: Metric): number | null {
  return metric === 'overall' ? clip.result.overall : (clip.result.dimensions[metric]?.score ?? null);
}

export interface CompareOptions {
  /** The metric that ranks the models and that the pairwise tests are about (default overall). */
  metric?: Metric;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Seed of the bootstrap (default 1). */
  seed?: number;
  /** Interval level (default 0.95). */
  level?: number;
}

export interface MetricSummary {
  /** Prompts the mean is over. */
  n: number;
  mean: number | null;
  interval: Interval | null;
}

export interface ModelSummary {
  model: string;
  /** 1 = best by the ranking metric; models with equal means share a rank. */
  rank: number;
  clips: number;
  metrics: Record<Metric, MetricSummary>;
}

export interface PairComparison {
  a: string;
  b: string;
  /** Prompts compared. */
  n: number;
  /** Prompts where a scores higher / the same / lower than b. */
  wins: number;
  ties: number;
  losses: number;
  /** Exact two-sided sign test over the untied prompts. */
  p: number;
  /** Mean over prompts of a − b, with its paired bootstrap interval. */
  meanDifference: number;
  interval: Interval;
}

export interface PromptRow {
  key: string;
  prompt: string;
  /** Per model: its clips of this prompt and their mean scores; absent when the model has none. */
  models: Record<string, { clips: string[]; scores: Record<Metric, number | null> }>;
  /** Whether every model has a score of the ranking metric here (only such prompts are compared). */
  complete: boolean;
}

export interface CompareReport {
  method: GroupingMethod;
  root: string;
  metric: Metric;
  resamples: number;
  seed: number;
  level: number;
  test: 'sign test (exact, two-sided)';
  models: string[];
  /** Prompts every model has, which all statistics are over. */
  promptsCompared: number;
  /** Prompts left out because some model has no scored clip of them. */
  incomplete: { key: string; missing: string[] }[];
  leaderboard: ModelSummary[];
  pairs: PairComparison[];
  prompts: PromptRow[];
}

/** Scores of the same prompt are ties when they agree to 1e-9 (floating-point noise, not skill). */
const TIE = 1e-9;

function meanOrNull(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : mean(xs);
}

export function compareModels(grouping: Grouping, o: CompareOptions = {}): CompareReport {
  const metric = o.metric ?? 'overall';
  const resamples = o.resamples ?? 2000;
  const seed = o.seed ?? 1;
  const level = o.level ?? 0.95;
  const models = grouping.models;
  if (models.length < 2) {
    throw new FingerError(
      `only one model (${models[0] ?? 'none'}) was found under ${grouping.root || 'the workspace'}: comparing needs two or more.`,
      {
        hint: "Put each model's clips in its own folder <folder>/<model>/ with the same file names, or give the prompt manifest a model column.",
      },
    );
  }

  // A model's score on a prompt is the mean over its clips of that prompt (several samples each).
  const rows: PromptRow[] = grouping.prompts.map((g) => {
    const perModel: PromptRow['models'] = {};
    for (const m of g.models) {
      const clips = g.clips.filter((c) => c.model === m);
      const scores = Object.fromEntries(
        METRICS.map((k) => [k, meanOrNull(clips.map((c) => clipMetric(c, k)).filter((v): v is number => v !== null))]),
      ) as Record<Metric, number | null>;
      perModel[m] = { clips: clips.map((c) => c.video), scores };
    }
    const complete = models.every((m) => perModel[m] !== undefined && perModel[m].scores[metric] !== null);
    return { key: g.key, prompt: g.prompt, models: perModel, complete };
  });
  const compared = rows.filter((r) => r.complete);
  const incomplete = rows
    .filter((r) => !r.complete)
    .map((r) => ({ key: r.key, missing: models.filter((m) => r.models[m]?.scores[metric] == null) }));
  if (compared.length === 0) {
    const examples = incomplete.slice(0, 8).map((i) => `${i.key} (no ${i.missing.join(', ')})`);
    throw new FingerError(
      `no prompt has a scored clip of every model (${models.join(', ')}), so there is nothing to compare: ${listFiles(examples)}.`,
      {
        hint: "Score every model's clip of the same prompts, and keep the same relative paths under each model folder (or the same prompt_id in the manifest).",
      },
    );
  }

  // The same resamples for every model and metric over the same prompts (and drawn once).
  const drawn = new Map<number, Uint32Array[]>();
  const indicesFor = (n: number) => drawn.get(n) ?? drawn.set(n, bootstrapIndices(n, resamples, seed)).get(n)!;
  const summaries = models.map((m): Omit<ModelSummary, 'rank'> => {
    const metrics = {} as Record<Metric, MetricSummary>;
    for (const k of METRICS) {
      // Over the compared prompts where every model has this metric, so the means stay paired.
      const usable = compared.filter((r) => models.every((x) => r.models[x]!.scores[k] !== null));
      const values = usable.map((r) => r.models[m]!.scores[k]!);
      metrics[k] =
        values.length === 0
          ? { n: 0, mean: null, interval: null }
          : { n: values.length, mean: mean(values), interval: bootstrapMeanInterval(values, indicesFor(values.length), level) };
    }
    const clips = grouping.prompts.reduce((s, g) => s + g.clips.filter((c) => c.model === m).length, 0);
    return { model: m, clips, metrics };
  });
  const sorted = [...summaries].sort(
    (x, y) => (y.metrics[metric].mean ?? -Infinity) - (x.metrics[metric].mean ?? -Infinity) || (x.model < y.model ? -1 : 1),
  );
  const leaderboard: ModelSummary[] = sorted.map((s) => ({
    ...s,
    rank: 1 + sorted.filter((t) => (t.metrics[metric].mean ?? -Infinity) > (s.metrics[metric].mean ?? -Infinity)).length,
  }));

  const indices = indicesFor(compared.length);
  const pairs: PairComparison[] = [];
  for (let i = 0; i < leaderboard.length; i++) {
    for (let j = i + 1; j < leaderboard.length; j++) {
      const a = leaderboard[i]!.model;
      const b = leaderboard[j]!.model;
      const diffs = compared.map((r) => r.models[a]!.scores[metric]! - r.models[b]!.scores[metric]!);
      const wins = diffs.filter((d) => d > TIE).length;
      const losses = diffs.filter((d) => d < -TIE).length;
      pairs.push({
        a,
        b,
        n: diffs.length,
        wins,
        ties: diffs.length - wins - losses,
        losses,
        p: signTestP(wins, losses),
        meanDifference: mean(diffs),
        interval: bootstrapMeanInterval(diffs, indices, level),
      });
    }
  }
  return {
    method: grouping.method,
    root: grouping.root,
    metric,
    resamples,
    seed,
    level,
    test: 'sign test (exact, two-sided)',
    models,
    promptsCompared: compared.length,
    incomplete,
    leaderboard,
    pairs,
    prompts: rows,
  };
}
