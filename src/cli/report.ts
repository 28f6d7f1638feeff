// `finger report`: one row per scored video. A broken result file is reported by name on stderr
// and the other rows are still printed.
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { listResults, partitionListed } from '../core/store';
import { protocolResultsDir } from '../core/protocols';
import { DIMENSIONS, type Dimension, type Protocol } from '../core/types';
import { describeError, FingerError } from '../core/errors';
import { bestOfN } from '../core/workbench/best-of-n';
import { compareModels } from '../core/workbench/compare';
import { groupClips } from '../core/workbench/grouping';
import { clipsSection, compareSection, escapeHtml, htmlDocument } from '../core/workbench/html';
import { commonFolder, loadClips } from '../core/workbench/load';
import { emit } from './compare';
import { FINGER_PATHS } from '../shared/model';

export interface ReportRow {
  video: string;
  protocol: string;
  model: string;
  overall: number | null;
  dimensions: Partial<Record<Dimension, number | null>>;
  questions: number;
  failed: number;
  createdAt: string;
}

export async function reportRows(
  workspace: string,
  protocol: Protocol = 'finger',
): Promise<{ rows: ReportRow[]; errors: { file: string; error: string }[] }> {
  const { read, broken } = partitionListed(await listResults(workspace, protocolResultsDir(protocol)));
  const rows: ReportRow[] = [];
  for (const item of read) {
    const r = item.result;
    rows.push({
      video: item.videoRelPath,
      protocol: r.protocol,
      model: r.endpoint.model,
      overall: r.overall,
      dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, r.dimensions[d]?.score ?? null])),
      questions: r.questions.length,
      failed: r.questions.filter((q) => q.error !== null).length,
      createdAt: r.createdAt,
    });
  }
  return { rows, errors: broken };
}

const num = (x: number | null | undefined) => (x === null || x === undefined ? '' : x.toFixed(3));

export function formatTable(rows: ReportRow[]): string {
  const header = ['video', 'overall', ...DIMENSIONS, 'questions', 'failed'];
  const body = rows.map((r) => [
    r.video,
    num(r.overall),
    ...DIMENSIONS.map((d) => num(r.dimensions[d])),
    String(r.questions),
    String(r.failed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

export function formatCsv(rows: ReportRow[]): string {
  return stringify(
    rows.map((r) => ({
      video: r.video,
      model: r.model,
      overall: r.overall ?? '',
      ...Object.fromEntries(DIMENSIONS.map((d) => [d, r.dimensions[d] ?? ''])),
      questions: r.questions,
      failed: r.failed,
      createdAt: r.createdAt,
    })),
    { header: true },
  );
}

/** The whole workspace as one self-contained HTML file: the leaderboard when the clips come from
 *  two or more models (README, "Comparing models"), then every clip. */
export async function reportHtml(workspace: string, protocol: Protocol = 'finger'): Promise<string> {
  const { clips } = await loadClips(workspace, '.', protocol);
  if (clips.length === 0) {
    throw new FingerError(`has no results to report.`, {
      file: path.join(workspace, protocolResultsDir(protocol)),
      hint: 'Score videos first: finger score <folder>',
    });
  }
  let leaderboard: string;
  let models = new Map<string, string>();
  try {
    const grouping = groupClips(clips, commonFolder(clips.map((c) => c.video)));
    models = new Map(grouping.prompts.flatMap((g) => g.clips.map((c) => [c.video, c.model] as const)));
    if (grouping.models.length >= 2) leaderboard = compareSection(compareModels(grouping), bestOfN(grouping, { scope: 'all' }));
    else
      leaderboard = `<section id="leaderboard"><h2>Leaderboard</h2><p class="note">All clips come from one model (${escapeHtml(grouping.models[0] ?? '')}), so there is nothing to rank. Put each model's clips in its own folder to compare them.</p></section>`;
  } catch (e) {
    leaderboard = `<section id="leaderboard"><h2>Leaderboard</h2><p class="note">No leaderboard: ${escapeHtml(describeError(e))}</p></section>`;
  }
  const title = `FingER report: ${path.basename(workspace)}`;
  const listed = clips.map((c) => ({ video: c.video, result: c.result, ...(models.has(c.video) ? { model: models.get(c.video)! } : {}) }));
  return htmlDocument(title, leaderboard + (await clipsSection(listed, { workspace, title })));
}

export async function runReport(flags: {
  workspace: string;
  format: 'table' | 'csv' | 'json' | 'html';
  protocol?: Protocol;
  out?: string;
}): Promise<number> {
  const workspace = path.resolve(flags.workspace);
  const { rows, errors } = await reportRows(workspace, flags.protocol);
  for (const e of errors) process.stderr.write(`finger: ${e.error}\n`);
  if (flags.format === 'html') await emit(await reportHtml(workspace, flags.protocol), flags.out);
  else if (flags.format === 'json') process.stdout.write(JSON.stringify({ rows, errors }, null, 2) + '\n');
  else if (flags.format === 'csv') process.stdout.write(formatCsv(rows));
  else if (rows.length === 0)
    process.stderr.write(`No results under ${path.join(workspace, FINGER_PATHS.results)}. Score videos with: finger score <folder>\n`);
  else process.stdout.write(formatTable(rows));
  return errors.length > 0 ? 1 : 0;
}
