// `finger best-of-n`: for each prompt, the best of its N clips by a metric, per model or across
// models, with the margin over the runner-up (README, "Comparing models"). Pure.
import type { Grouping, GroupedClip } from './grouping';
import { clipMetric, type Metric } from './compare';

export type BestOfNScope = 'model' | 'all';

export interface Pick {
  promptKey: string;
  prompt: string;
  /** The model the pick is among ('*' across models). */
  model: string;
  /** Clips with a score of the metric. */
  n: number;
  best: { video: string; model: string; score: number };
  /** The second best, when there are two or more scored clips. */
  runnerUp: { video: string; model: string; score: number } | null;
  /** best − runner-up (null with one clip). */
  margin: number | null;
  /** The lowest scored clip, the "rejected" side of a preference pair (null with one clip). */
  worst: { video: string; model: string; score: number } | null;
}

export interface BestOfNReport {
  metric: Metric;
  scope: BestOfNScope;
  picks: Pick[];
  /** Prompt (and model) groups with no clip scored on the metric. */
  unscored: { promptKey: string; model: string; videos: string[] }[];
}

export function bestOfN(grouping: Grouping, o: { metric?: Metric; scope?: BestOfNScope } = {}): BestOfNReport {
  const metric = o.metric ?? 'overall';
  const scope = o.scope ?? 'model';
  const picks: Pick[] = [];
  const unscored: BestOfNReport['unscored'] = [];
  for (const g of grouping.prompts) {
    const sets: [string, GroupedClip[]][] =
      scope === 'all' ? [['*', g.clips]] : g.models.map((m) => [m, g.clips.filter((c) => c.model === m)]);
    for (const [model, clips] of sets) {
      const scored = clips
        .map((c) => ({ video: c.video, model: c.model, score: clipMetric(c, metric) }))
        .filter((c): c is { video: string; model: string; score: number } => c.score !== null)
        // Best first; equal scores by path, so the pick does not depend on file-system order.
        .sort((x, y) => y.score - x.score || (x.video < y.video ? -1 : 1));
      if (scored.length === 0) {
        unscored.push({ promptKey: g.key, model, videos: clips.map((c) => c.video) });
        continue;
      }
      const runnerUp = scored[1] ?? null;
      picks.push({
        promptKey: g.key,
        prompt: g.prompt,
        model,
        n: scored.length,
        best: scored[0]!,
        runnerUp,
        margin: runnerUp ? scored[0]!.score - runnerUp.score : null,
        worst: scored.length > 1 ? scored[scored.length - 1]! : null,
      });
    }
  }
  return { metric, scope, picks, unscored };
}
