// `finger agreement`: how well the scores agree with human judgements (SRCC, PLCC, Kendall's tau-b
// and pairwise accuracy with ties), over the videos that have both.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError, FingerError } from '../core/errors';
import { agreement, type Agreement } from '../core/metrics';
import { listResults } from '../core/store';
import { protocolResultsDir } from '../core/protocols';
import { DIMENSIONS, type Dimension, type Protocol } from '../core/types';

/** Human scores by video, from `video,score` CSV (also `mos`/`human` columns) or JSON
 *  (`{"clip.mp4": 4.5}` or `[{"video": …, "score": …}]`). */
export async function readHumanScores(file: string): Promise<Map<string, number>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FingerError('could not be read.', { file, hint: 'Pass a CSV (video,score) or JSON file of human scores with --human.' });
  }
  const scores = new Map<string, number>();
  const add = (video: unknown, score: unknown, where: string) => {
    const n = typeof score === 'number' ? score : Number(String(score).trim());
    if (typeof video !== 'string' || !video.trim() || !Number.isFinite(n)) {
      throw new FingerError(`has no usable video and score at ${where}.`, { file, hint: 'Each row needs a video path and a numeric score.' });
    }
    scores.set(video.trim().replace(/\\/g, '/'), n);
  };
  if (file.toLowerCase().endsWith('.json')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new FingerError(`is not valid JSON (${(e as Error).message}).`, { file });
    }
    if (Array.isArray(data)) data.forEach((row: Record<string, unknown>, i) => add(row?.video ?? row?.file, row?.score ?? row?.mos ?? row?.human, `item ${i + 1}`));
    else if (data && typeof data === 'object') for (const [k, v] of Object.entries(data)) add(k, v, `key "${k}"`);
    else throw new FingerError('must be an object or an array.', { file });
  } else {
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
    } catch (e) {
      throw new FingerError(`is not valid CSV (${(e as Error).message}).`, { file });
    }
    rows.forEach((row, i) => add(row.video ?? row.file ?? row.path, row.score ?? row.mos ?? row.human, `line ${i + 2}`));
  }
  return scores;
}

export interface AgreementReport {
  target: 'overall' | Dimension;
  agreement: Agreement;
  /** Human-scored videos without a result, and results without a human score. */
  unmatched: { noResult: string[]; noHuman: string[] };
}

export async function computeAgreement(
  workspace: string,
  human: Map<string, number>,
  o: { protocol?: Protocol; dimension?: Dimension } = {},
): Promise<AgreementReport> {
  const listed = await listResults(workspace, protocolResultsDir(o.protocol ?? 'finger'));
  const byBase = new Map<string, string[]>();
  for (const k of human.keys()) byBase.set(path.posix.basename(k), [...(byBase.get(path.posix.basename(k)) ?? []), k]);
  const used = new Set<string>();
  const rows: { pred: number; human: number }[] = [];
  const noHuman: string[] = [];
  for (const item of listed) {
    if (!item.result) continue;
    const pred = o.dimension ? item.result.dimensions[o.dimension]?.score ?? null : item.result.overall;
    if (pred === null) continue;
    // Exact relative path first; a bare file name only when it is unambiguous.
    const candidates = byBase.get(path.posix.basename(item.videoRelPath)) ?? [];
    const key = human.has(item.videoRelPath) ? item.videoRelPath : candidates.length === 1 ? candidates[0]! : undefined;
    if (key === undefined) {
      noHuman.push(item.videoRelPath);
      continue;
    }
    used.add(key);
    rows.push({ pred, human: human.get(key)! });
  }
  return {
    target: o.dimension ?? 'overall',
    agreement: agreement(rows),
    unmatched: { noResult: [...human.keys()].filter((k) => !used.has(k)), noHuman },
  };
}

const stat = (s: { value: number | null; reason?: string }) => (s.value === null ? `— (${s.reason})` : s.value.toFixed(4));

export async function runAgreement(flags: { workspace: string; human: string; protocol?: Protocol; dimension?: string; json?: boolean }): Promise<number> {
  if (flags.dimension && !(DIMENSIONS as readonly string[]).includes(flags.dimension)) {
    throw new ConfigError(`--dimension must be one of ${DIMENSIONS.join(', ')}; got "${flags.dimension}".`);
  }
  const human = await readHumanScores(path.resolve(flags.human));
  const report = await computeAgreement(path.resolve(flags.workspace), human, {
    ...(flags.protocol ? { protocol: flags.protocol } : {}),
    ...(flags.dimension ? { dimension: flags.dimension as Dimension } : {}),
  });
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const a = report.agreement;
    process.stdout.write(
      [
        `Agreement of ${report.target} scores with human scores over ${a.n} videos`,
        `  SRCC (Spearman)          ${stat(a.srcc)}`,
        `  PLCC (Pearson)           ${stat(a.plcc)}`,
        `  KRCC (Kendall tau-b)     ${stat(a.krcc)}`,
        `  pairwise accuracy (ties) ${stat(a.pairwiseAccuracy)}`,
        '',
      ].join('\n'),
    );
  }
  for (const v of report.unmatched.noResult) process.stderr.write(`finger: no result for ${v} (score it first)\n`);
  return report.agreement.n >= 2 ? 0 : 1;
}
