// `finger report`: one row per scored video. A broken result file is reported by name on stderr
// and the other rows are still printed.
import * as path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { listResults } from '../core/store';
import { protocolResultsDir } from '../core/protocols';
import { DIMENSIONS, type Dimension, type Protocol } from '../core/types';
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
  const listed = await listResults(workspace, protocolResultsDir(protocol));
  const rows: ReportRow[] = [];
  const errors: { file: string; error: string }[] = [];
  for (const item of listed) {
    if (!item.result) {
      errors.push({ file: item.file, error: item.error ?? 'unreadable' });
      continue;
    }
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
  return { rows, errors };
}

const num = (x: number | null | undefined) => (x === null || x === undefined ? '' : x.toFixed(3));

export function formatTable(rows: ReportRow[]): string {
  const header = ['video', 'overall', ...DIMENSIONS, 'questions', 'failed'];
  const body = rows.map((r) => [r.video, num(r.overall), ...DIMENSIONS.map((d) => num(r.dimensions[d])), String(r.questions), String(r.failed)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

export function formatCsv(rows: ReportRow[]): string {
  return stringify(
    rows.map((r) => ({ video: r.video, model: r.model, overall: r.overall ?? '', ...Object.fromEntries(DIMENSIONS.map((d) => [d, r.dimensions[d] ?? ''])), questions: r.questions, failed: r.failed, createdAt: r.createdAt })),
    { header: true },
  );
}

export async function runReport(flags: { workspace: string; format: 'table' | 'csv' | 'json'; protocol?: Protocol }): Promise<number> {
  const workspace = path.resolve(flags.workspace);
  const { rows, errors } = await reportRows(workspace, flags.protocol);
  for (const e of errors) process.stderr.write(`finger: ${e.error}\n`);
  if (flags.format === 'json') process.stdout.write(JSON.stringify({ rows, errors }, null, 2) + '\n');
  else if (flags.format === 'csv') process.stdout.write(formatCsv(rows));
  else if (rows.length === 0) process.stderr.write(`No results under ${path.join(workspace, FINGER_PATHS.results)}. Score videos with: finger score <folder>\n`);
  else process.stdout.write(formatTable(rows));
  return errors.length > 0 ? 1 : 0;
}
