// `finger agreement`: how well the scores agree with people (README, "Agreement with people"):
// with human scores (SRCC, PLCC, Kendall's tau-b, tie-calibrated pairwise accuracy and accuracy
// without ties), with pairwise preferences (the two accuracies over those pairs), and with the
// answers people corrected in .finger/labels/ (the judge's answer accuracy per dimension).
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, FingerError } from '../core/errors';
import { agreement, type Agreement, type Statistic } from '../core/metrics';
import { listResults, readLabels } from '../core/store';
import { protocolResultsDir } from '../core/protocols';
import { DIMENSIONS, type Dimension, type Protocol, type Result } from '../core/types';
import {
  labelAgreement,
  matchVideos,
  parseHumanScores,
  parsePreferencePairs,
  preferenceAgreement,
  resultWeights,
  type LabelAgreement,
  type LabelledClip,
  type PreferenceAgreement,
  type VideoMatch,
} from '../core/workbench/agreement';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    throw new FingerError('could not be read.', { file, hint: `Pass ${what}.` });
  }
}

/** Human scores by video, read strictly (see parseHumanScores). */
export async function readHumanScores(file: string): Promise<Map<string, number>> {
  return parseHumanScores(await readText(file, 'a CSV (video,score) or JSON file of human scores with --human'), file);
}

export interface AgreementReport {
  target: 'overall' | Dimension;
  /** With --human. */
  agreement?: Agreement;
  /** Human-scored videos without a result, results without a human score, and bare names that fit several results. */
  unmatched?: { noResult: string[]; noHuman: string[]; ambiguous: VideoMatch['ambiguous'] };
  /** With --pairs. */
  pairs?: Omit<PreferenceAgreement, 'unscored'> & {
    unscored: { a: string; b: string; line?: number }[];
    ambiguous: VideoMatch['ambiguous'];
  };
  /** With --labels. */
  labels?: LabelAgreement;
}

const valueOf = (r: Result, target: 'overall' | Dimension) => (target === 'overall' ? r.overall : (r.dimensions[target]?.score ?? null));

async function scoredResults(workspace: string, protocol?: Protocol): Promise<Map<string, Result>> {
  const listed = await listResults(workspace, protocolResultsDir(protocol ?? 'finger'));
  for (const l of listed) if (!l.result) process.stderr.write(`finger: ${l.error ?? `${l.file} could not be read`} (left out)\n`);
  return new Map(listed.filter((l) => l.result).map((l) => [l.videoRelPath, l.result!]));
}

const stat = (s: { value: number | null; reason?: string }) => (s.value === null ? `— (${s.reason})` : s.value.toFixed(4));

function unmatchedLines(u: NonNullable<AgreementReport['unmatched']>): string[] {
  const out: string[] = [];
  if (u.noResult.length) out.push(`  human scores without a result (${u.noResult.length}): ${u.noResult.join(', ')}`);
  if (u.noHuman.length) out.push(`  results without a human score (${u.noHuman.length}): ${u.noHuman.join(', ')}`);
  for (const a of u.ambiguous)
    out.push(`  "${a.key}" fits ${a.candidates.length} results (${a.candidates.join(', ')}); not used: write its path`);
  return out;
}

export function formatAgreement(r: AgreementReport): string {
  const lines: string[] = [];
  if (r.agreement) {
    const a = r.agreement;
    const eps = a.pairwiseAccuracy.epsilon;
    lines.push(
      `Agreement of ${r.target} scores with human scores over ${a.n} videos`,
      `  SRCC (Spearman)                      ${stat(a.srcc)}`,
      `  PLCC (Pearson)                       ${stat(a.plcc)}`,
      `  KRCC (Kendall tau-b)                 ${stat(a.krcc)}`,
      `  pairwise accuracy, tie-calibrated    ${stat(a.pairwiseAccuracy)}${eps !== undefined ? `  (epsilon ${eps.toPrecision(4)})` : ''}`,
      `  pairwise accuracy without ties       ${stat(a.pairwiseAccuracyWithoutTies)}`,
      ...unmatchedLines(r.unmatched!),
    );
  }
  if (r.pairs) {
    const p = r.pairs;
    if (lines.length) lines.push('');
    lines.push(
      `Agreement of ${r.target} scores with ${p.n} pairwise human preferences`,
      `  pairwise accuracy, tie-calibrated    ${stat(p.pairwiseAccuracy)}${p.pairwiseAccuracy.epsilon !== undefined ? `  (epsilon ${p.pairwiseAccuracy.epsilon.toPrecision(4)})` : ''}`,
      `  pairwise accuracy without ties       ${stat(p.pairwiseAccuracyWithoutTies)}`,
    );
    if (p.unscored.length)
      lines.push(`  pairs left out, a video has no result (${p.unscored.length}): ${p.unscored.map((x) => `${x.a} / ${x.b}`).join(', ')}`);
    for (const a of p.ambiguous)
      lines.push(`  "${a.key}" fits ${a.candidates.length} results (${a.candidates.join(', ')}); not used: write its path`);
  }
  if (r.labels) {
    const l = r.labels;
    if (lines.length) lines.push('');
    lines.push(`Judge answers against the answers people corrected (${l.clips} labelled videos)`);
    for (const d of [...DIMENSIONS, 'all'] as const) {
      const a = l.accuracy[d];
      lines.push(`  Acc ${d.padEnd(22)} ${a.value === null ? '—' : a.value.toFixed(4)}  (${a.agree} of ${a.labelled})`);
    }
    lines.push('  SRCC / PLCC with human scores         without corrections   with corrections');
    for (const t of [...DIMENSIONS, 'overall'] as const) {
      const c = l.correlation[t];
      const pair = (s: { srcc: Statistic; plcc: Statistic }) =>
        `${s.srcc.value === null ? '—' : s.srcc.value.toFixed(3)} / ${s.plcc.value === null ? '—' : s.plcc.value.toFixed(3)}`;
      lines.push(`  ${t.padEnd(22)} n=${String(c.n).padEnd(5)} ${pair(c.without).padEnd(21)} ${pair(c.with)}`);
    }
    if (l.correlation.overall.n === 0)
      lines.push('  (no human scores: pass --human, or set "mos" in the labels files, for the correlations)');
  }
  return lines.join('\n') + '\n';
}

export async function runAgreement(flags: {
  workspace: string;
  human?: string;
  pairs?: string;
  labels?: boolean;
  protocol?: Protocol;
  dimension?: string;
  json?: boolean;
}): Promise<number> {
  if (flags.dimension && !(DIMENSIONS as readonly string[]).includes(flags.dimension)) {
    throw new ConfigError(`--dimension must be one of ${DIMENSIONS.join(', ')}; got "${flags.dimension}".`);
  }
  if (!flags.human && !flags.pairs && !flags.labels) {
    throw new ConfigError(
      'say what to compare with: --human FILE (scores), --pairs FILE (pairwise preferences) and/or --labels (the answers corrected in .finger/labels/).',
    );
  }
  const workspace = path.resolve(flags.workspace);
  const target = (flags.dimension as Dimension | undefined) ?? 'overall';
  const report: AgreementReport = { target };
  const human = flags.human ? await readHumanScores(path.resolve(flags.human)) : undefined;
  const pairsIn = flags.pairs
    ? parsePreferencePairs(
        await readText(path.resolve(flags.pairs), 'a CSV video_a,video_b,preference with --pairs'),
        path.resolve(flags.pairs),
      )
    : undefined;
  const results = await scoredResults(workspace, flags.protocol);
  if (human) {
    const match = matchVideos(human.keys(), [...results.keys()]);
    const rows: { pred: number; human: number }[] = [];
    for (const [key, video] of match.matched) {
      const pred = valueOf(results.get(video)!, target);
      if (pred !== null) rows.push({ pred, human: human.get(key)! });
    }
    report.agreement = agreement(rows);
    report.unmatched = { noResult: match.noResult, noHuman: match.noHuman, ambiguous: match.ambiguous };
  }
  if (pairsIn) {
    const keys = new Set(pairsIn.flatMap((p) => [p.a, p.b]));
    const match = matchVideos(keys, [...results.keys()]);
    const scores = new Map<string, number>();
    for (const [key, video] of match.matched) {
      const v = valueOf(results.get(video)!, target);
      if (v !== null) scores.set(key, v);
    }
    const pa = preferenceAgreement(pairsIn, scores);
    report.pairs = {
      ...pa,
      unscored: pa.unscored.map((p) => ({ a: p.a, b: p.b, ...(p.line ? { line: p.line } : {}) })),
      ambiguous: match.ambiguous,
    };
  }
  if (flags.labels) {
    const clips: LabelledClip[] = [];
    const humanMatch = human ? matchVideos(human.keys(), [...results.keys()]) : undefined;
    const humanOf = new Map([...(humanMatch?.matched ?? [])].map(([key, video]) => [video, human!.get(key)!]));
    for (const [video, result] of results) {
      const labels = await readLabels(workspace, path.join(workspace, video)).catch((e: unknown) => {
        process.stderr.write(`finger: ${e instanceof Error ? e.message : String(e)} (labels left out)\n`);
        return null;
      });
      if (!labels || labels.overrides.length === 0) continue;
      const h = humanOf.get(video) ?? labels.mos;
      clips.push({ video, result, labels, ...(h !== undefined ? { human: h } : {}) });
    }
    if (clips.length === 0)
      process.stderr.write(
        `finger: no corrected answers under ${path.join(workspace, '.finger/labels')}; correct answers in the results panel first\n`,
      );
    report.labels = labelAgreement(clips, resultWeights(results.values()));
  }
  process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatAgreement(report));
  if (report.unmatched) for (const v of report.unmatched.noResult) process.stderr.write(`finger: no result for ${v} (score it first)\n`);
  const enough = (report.agreement?.n ?? 2) >= 2 && (report.pairs?.n ?? 1) >= 1 && (report.labels?.accuracy.all.labelled ?? 1) >= 1;
  return enough ? 0 : 1;
}

/** The dimension weights the results were scored with, so corrected scores use the same ones. */
