// `finger compare <folder>`: models compared on the same prompts (README, "Comparing models").
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ConfigError } from '../core/errors';
import { writeTextAtomic } from '../core/store';
import { compareModels, isMetric, METRICS, type CompareReport, type Metric } from '../core/workbench/compare';
import { loadGrouping } from '../core/workbench/load';
import { bestOfN } from '../core/workbench/best-of-n';
import { clipsSection, compareSection, htmlDocument } from '../core/workbench/html';
import type { Protocol } from '../core/types';

export type CompareFormat = 'table' | 'csv' | 'json' | 'html';

const num = (x: number | null | undefined, digits = 3) => (x === null || x === undefined ? '—' : x.toFixed(digits));
const pValue = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function formatCompareTable(r: CompareReport): string {
  const pct = Math.round(r.level * 100);
  const out: string[] = [];
  out.push(
    `${r.models.length} models on ${r.promptsCompared} prompts (grouped by ${r.method}); ${pct} % intervals from ${r.resamples} bootstrap resamples of the prompts, seed ${r.seed}; ranked by ${r.metric}`,
    '',
  );
  out.push(
    table(
      ['model', 'rank', 'clips', ...METRICS.map((m) => (m === 'overall' ? `overall [${pct}% CI]` : m))],
      r.leaderboard.map((s) => [
        s.model,
        String(s.rank),
        String(s.clips),
        ...METRICS.map((m) => {
          const x = s.metrics[m];
          return m === 'overall' && x.interval ? `${num(x.mean)} [${num(x.interval.low)}, ${num(x.interval.high)}]` : num(x.mean);
        }),
      ]),
    ),
  );
  out.push('', `Pairs (${r.metric}; p from the ${r.test}; difference interval from a paired bootstrap)`);
  out.push(
    table(
      ['a vs b', 'win', 'tie', 'loss', 'p', `mean a−b [${pct}% CI]`],
      r.pairs.map((p) => [
        `${p.a} vs ${p.b}`,
        String(p.wins),
        String(p.ties),
        String(p.losses),
        pValue(p.p),
        `${num(p.meanDifference)} [${num(p.interval.low)}, ${num(p.interval.high)}]`,
      ]),
    ),
  );
  out.push('', `Per prompt (${r.metric})`);
  out.push(
    table(
      ['prompt', ...r.models],
      r.prompts.map((row) => [row.key + (row.complete ? '' : ' (left out)'), ...r.models.map((m) => num(row.models[m]?.scores[r.metric]))]),
    ),
  );
  return out.join('\n') + '\n';
}

/** The leaderboard as CSV (one row per model), then a blank line and one row per prompt. */
export function formatCompareCsv(r: CompareReport): string {
  const board = stringify(
    r.leaderboard.map((s) => ({
      model: s.model,
      rank: s.rank,
      clips: s.clips,
      ...Object.fromEntries(
        METRICS.flatMap((m) => [
          [m, s.metrics[m].mean ?? ''],
          [`${m}_low`, s.metrics[m].interval?.low ?? ''],
          [`${m}_high`, s.metrics[m].interval?.high ?? ''],
        ]),
      ),
    })),
    { header: true },
  );
  const pairs = stringify(
    r.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      n: p.n,
      wins: p.wins,
      ties: p.ties,
      losses: p.losses,
      p: p.p,
      mean_difference: p.meanDifference,
      low: p.interval.low,
      high: p.interval.high,
    })),
    { header: true },
  );
  const prompts = stringify(
    r.prompts.flatMap((row) =>
      r.models.map((m) => ({
        prompt_key: row.key,
        model: m,
        compared: row.complete,
        clips: row.models[m]?.clips.join(' ') ?? '',
        ...Object.fromEntries(METRICS.map((k) => [k, row.models[m]?.scores[k] ?? ''])),
      })),
    ),
    { header: true },
  );
  return `${board}\n${pairs}\n${prompts}`;
}

export async function runCompare(
  folder: string,
  flags: {
    workspace: string;
    format: CompareFormat;
    metric?: string;
    protocol?: Protocol;
    out?: string;
    resamples?: string;
    seed?: string;
  },
): Promise<number> {
  const workspace = path.resolve(flags.workspace);
  const metric = parseMetric(flags.metric);
  const resamples = positiveInt(flags.resamples ?? '2000', '--resamples');
  const seed = positiveInt(flags.seed ?? '1', '--seed', true);
  const { grouping, broken } = await loadGrouping(workspace, folder, flags.protocol);
  for (const b of broken) process.stderr.write(`finger: ${b.error} (left out of the comparison)\n`);
  const report = compareModels(grouping, { metric, resamples, seed });
  for (const i of report.incomplete)
    process.stderr.write(`finger: prompt ${i.key} has no scored clip of ${i.missing.join(', ')}; left out of the comparison\n`);
  let text: string;
  if (flags.format === 'json') text = JSON.stringify(report, null, 2) + '\n';
  else if (flags.format === 'csv') text = formatCompareCsv(report);
  else if (flags.format === 'html') {
    const picks = bestOfN(grouping, { metric, scope: 'all' });
    const clips = grouping.prompts.flatMap((g) => g.clips.map((c) => ({ video: c.video, model: c.model, result: c.result })));
    const title = `FingER: ${report.models.join(' vs ')}`;
    text = htmlDocument(title, compareSection(report, picks) + (await clipsSection(clips, { workspace, title })));
  } else text = formatCompareTable(report);
  await emit(text, flags.out);
  return broken.length > 0 ? 1 : 0;
}

export function parseMetric(m: string | undefined): Metric {
  if (m === undefined) return 'overall';
  if (!isMetric(m)) throw new ConfigError(`--metric must be one of ${METRICS.join(', ')}; got "${m}".`);
  return m;
}

export function positiveInt(v: string, flag: string, allowZero = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new ConfigError(`${flag} must be a whole number${allowZero ? '' : ' above 0'}; got "${v}".`);
  return n;
}

/** Writes to `out` atomically, or to stdout. */
export async function emit(text: string, out: string | undefined): Promise<void> {
  if (out) {
    await writeTextAtomic(path.resolve(out), text);
    process.stderr.write(`finger: wrote ${out}\n`);
  } else process.stdout.write(text);
}
