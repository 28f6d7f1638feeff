// `finger best-of-n <folder>`: the best of each prompt's N clips, with the margin over the
// runner-up (README, "Comparing models").
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { bestOfN, type BestOfNReport, type BestOfNScope } from '../core/workbench/best-of-n';
import { loadGrouping } from '../core/workbench/load';
import type { Protocol } from '../core/types';
import { emit, parseMetric } from './compare';

export function formatPicksCsv(r: BestOfNReport): string {
  return stringify(
    r.picks.map((p) => ({
      prompt_key: p.promptKey,
      model: p.model,
      n: p.n,
      metric: r.metric,
      best_video: p.best.video,
      best_model: p.best.model,
      best_score: p.best.score,
      runner_up_video: p.runnerUp?.video ?? '',
      runner_up_score: p.runnerUp?.score ?? '',
      margin: p.margin ?? '',
      worst_video: p.worst?.video ?? '',
      worst_score: p.worst?.score ?? '',
      prompt: p.prompt,
    })),
    { header: true },
  );
}

export async function runBestOfN(
  folder: string,
  flags: { workspace: string; metric?: string; across?: boolean; out?: string; json?: boolean; protocol?: Protocol },
): Promise<number> {
  const workspace = path.resolve(flags.workspace);
  const metric = parseMetric(flags.metric);
  const scope: BestOfNScope = flags.across ? 'all' : 'model';
  const { grouping, broken } = await loadGrouping(workspace, folder, flags.protocol);
  for (const b of broken) process.stderr.write(`finger: ${b.error} (left out of the picks)\n`);
  const report = bestOfN(grouping, { metric, scope });
  for (const u of report.unscored)
    process.stderr.write(
      `finger: no clip of prompt ${u.promptKey}${u.model === '*' ? '' : ` by ${u.model}`} has a ${metric} score (${u.videos.join(', ')}); no pick\n`,
    );
  const single = report.picks.filter((p) => p.n === 1).length;
  if (single > 0 && single === report.picks.length) {
    process.stderr.write(
      `finger: every prompt has only one scored clip${scope === 'model' ? ' per model' : ''}, so each pick is the only clip (no margins). Generate several samples per prompt${scope === 'model' ? ', or pick across models with --across' : ''}.\n`,
    );
  }
  await emit(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatPicksCsv(report), flags.out);
  return broken.length > 0 ? 1 : 0;
}
