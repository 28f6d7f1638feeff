// Human judgements for `finger agreement` (README, "Agreement with people"): strict readers of
// human scores and pairwise preferences, matching their video names to scored clips, agreement over
// preference pairs, and the judge's answer accuracy against the answers people corrected.
// Parsing and statistics are pure (text in, numbers out).
import * as path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { FingerError } from '../errors';
import { pearson, spearman, type Statistic } from '../metrics';
import { accuracyWithoutTies, tieCalibratedAccuracy, type CalibratedAccuracy, type RankedPair } from '../metrics/tie-calibration';
import { parseJsonText, positionToLineColumn, scanTopLevelJson, stripBom } from '../json';
import { applyOverrides, scoreDimensions } from '../scoring/finger';
import { DIMENSIONS, type Dimension, type Labels, type Result } from '../types';

const VIDEO_COLUMNS = ['video', 'file', 'path', 'name'];
const SCORE_COLUMNS = ['score', 'mos', 'human'];
const SCORES_HINT =
  'Human scores are a CSV with a header row "video,score" and one row per video, or JSON {"clip.mp4": 4.5} or [{"video": "clip.mp4", "score": 4.5}].';

/** Forward slashes, no leading "./": how video keys of human files are compared. */
export function normaliseVideoKey(key: string): string {
  let k = key.trim().replace(/\\/g, '/');
  while (k.startsWith('./')) k = k.slice(2);
  return k;
}

function scoreOf(value: unknown, file: string, where: string, video: string): number {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
    throw new FingerError(`${where}: the score of ${JSON.stringify(video)} is empty.`, {
      file,
      hint: 'Give every video a numeric score, or remove its row (an empty cell is not 0).',
    });
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n))
    throw new FingerError(`${where}: the score of ${JSON.stringify(video)} is not a number (${JSON.stringify(value)}).`, {
      file,
      hint: SCORES_HINT,
    });
  return n;
}

function csvRows(text: string, file: string): { cells: string[]; line: number }[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsv(stripBom(text).replace(/\r\n?/g, '\n'), {
      skip_empty_lines: true,
      info: true,
      relax_column_count: true,
    }) as unknown as typeof rows;
  } catch (e) {
    throw new FingerError(`is not valid CSV (${(e as Error).message}).`, { file });
  }
  return rows.map((r) => ({ cells: r.record, line: r.info.lines }));
}

const columnOf = (header: string[], names: readonly string[]) => names.map((n) => header.indexOf(n)).find((i) => i >= 0);

/** Human scores by (normalised) video key. Empty cells, duplicate videos and a CSV without a
 *  header row are errors that name the file and the line. A BOM is accepted in CSV and JSON. */
export function parseHumanScores(text: string, file: string): Map<string, number> {
  const scores = new Map<string, number>();
  const where = new Map<string, string>();
  const add = (video: unknown, value: unknown, at: string) => {
    if (typeof video !== 'string' || video.trim() === '')
      throw new FingerError(`${at}: the video name is empty.`, { file, hint: SCORES_HINT });
    const key = normaliseVideoKey(video);
    const first = where.get(key);
    if (first !== undefined)
      throw new FingerError(`${at}: ${JSON.stringify(video)} is listed twice (also at ${first}).`, {
        file,
        hint: 'Keep one score per video (average the raters first).',
      });
    scores.set(key, scoreOf(value, file, at, video));
    where.set(key, at);
  };
  if (file.toLowerCase().endsWith('.json')) {
    const body = stripBom(text);
    const data = parseJsonText(body, file, SCORES_HINT);
    const layout = scanTopLevelJson(body);
    const lineAt = (offset: number | undefined) => `line ${offset === undefined ? 1 : positionToLineColumn(body, offset).line}`;
    if (Array.isArray(data) && layout.kind === 'array') {
      data.forEach((row: unknown, i) => {
        const r = (row ?? {}) as Record<string, unknown>;
        add(r.video ?? r.file ?? r.path, r.score ?? r.mos ?? r.human, `${lineAt(layout.elements[i]?.offset)} (item ${i + 1})`);
      });
    } else if (data !== null && typeof data === 'object' && layout.kind === 'object') {
      // The layout keeps every key as written; JSON.parse keeps only the last of duplicates.
      for (const { key, offset } of layout.keys) add(key, (data as Record<string, unknown>)[key], lineAt(offset));
    } else throw new FingerError('must be a JSON object or array of human scores.', { file, hint: SCORES_HINT });
    return scores;
  }
  const rows = csvRows(text, file);
  const [header, ...records] = rows;
  if (!header) throw new FingerError('is empty.', { file, hint: SCORES_HINT });
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const v = columnOf(names, VIDEO_COLUMNS);
  const s = columnOf(names, SCORE_COLUMNS);
  if (v === undefined || s === undefined) {
    const looksLikeData = header.cells.length >= 2 && Number.isFinite(Number(header.cells[1]!.trim())) && header.cells[1]!.trim() !== '';
    throw new FingerError(
      looksLikeData
        ? `has no header row (line 1 is ${JSON.stringify(header.cells.join(','))}); it needs one naming the columns.`
        : `line 1: the header (${header.cells.join(', ')}) needs a video column (${VIDEO_COLUMNS.join('/')}) and a score column (${SCORE_COLUMNS.join('/')}).`,
      { file, line: 1, hint: 'Make the first line "video,score".' },
    );
  }
  for (const r of records) add(r.cells[v] ?? '', r.cells[s] ?? '', `line ${r.line}`);
  return scores;
}

export type Preference = 'a' | 'b' | 'tie';

export interface PreferencePair {
  a: string;
  b: string;
  preference: Preference;
  /** 1-based line in the file. */
  line?: number;
}

const PREFERENCES: Record<string, Preference> = {
  a: 'a',
  video_a: 'a',
  video1: 'a',
  '1': 'a',
  b: 'b',
  video_b: 'b',
  video2: 'b',
  '2': 'b',
  tie: 'tie',
  same: 'tie',
  equal: 'tie',
  '=': 'tie',
  '0': 'tie',
};
const PAIRS_HINT =
  'Pairwise preferences are a CSV with the header "video_a,video_b,preference" and preference a, b or tie (also A/B/same or video1/video2/tie).';

/** Pairwise human preferences from `video_a,video_b,preference` CSV (also `video1,video2` and
 *  `path_A,path_B`, with values a|b|tie, A|B|same, video1|video2|tie). Strict like the scores. */
export function parsePreferencePairs(text: string, file: string): PreferencePair[] {
  const rows = csvRows(text, file);
  const [header, ...records] = rows;
  if (!header) throw new FingerError('is empty.', { file, hint: PAIRS_HINT });
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const ca = columnOf(names, ['video_a', 'video1', 'path_a', 'a']);
  const cb = columnOf(names, ['video_b', 'video2', 'path_b', 'b']);
  const cp = columnOf(names, ['preference', 'label', 'choice', 'winner']);
  if (ca === undefined || cb === undefined || cp === undefined) {
    throw new FingerError(
      `line 1: the header (${header.cells.join(', ')}) needs the columns video_a, video_b and preference; a file without a header row cannot be read.`,
      {
        file,
        line: 1,
        hint: PAIRS_HINT,
      },
    );
  }
  const seen = new Map<string, number>();
  return records.map(({ cells, line }) => {
    const a = (cells[ca] ?? '').trim();
    const b = (cells[cb] ?? '').trim();
    const raw = (cells[cp] ?? '').trim();
    if (a === '' || b === '' || raw === '') throw new FingerError(`line ${line}: a cell is empty.`, { file, line, hint: PAIRS_HINT });
    const preference = PREFERENCES[raw.toLowerCase()];
    if (!preference)
      throw new FingerError(`line ${line}: the preference ${JSON.stringify(raw)} is not a, b or tie.`, { file, line, hint: PAIRS_HINT });
    const ka = normaliseVideoKey(a);
    const kb = normaliseVideoKey(b);
    if (ka === kb) throw new FingerError(`line ${line}: compares ${JSON.stringify(a)} with itself.`, { file, line, hint: PAIRS_HINT });
    const key = ka < kb ? `${ka}\n${kb}` : `${kb}\n${ka}`;
    const first = seen.get(key);
    if (first !== undefined)
      throw new FingerError(`line ${line}: the pair ${a} / ${b} is listed twice (also line ${first}).`, {
        file,
        line,
        hint: 'Keep one judgement per pair (take the majority of the raters first).',
      });
    seen.set(key, line);
    return { a: ka, b: kb, preference, line };
  });
}

export interface VideoMatch {
  /** Human key → the scored clip (workspace-relative) it is matched to. */
  matched: Map<string, string>;
  /** Human keys with no scored clip. */
  noResult: string[];
  /** Bare names that fit several scored clips: reported, not used. */
  ambiguous: { key: string; candidates: string[] }[];
  /** Scored clips no human key names. */
  noHuman: string[];
}

/** A key that is a path must equal a clip's workspace-relative path; a bare file name matches the
 *  one clip of that name, and is reported, not used, when several clips have it. */
export function matchVideos(keys: Iterable<string>, clips: readonly string[]): VideoMatch {
  const exact = new Set(clips);
  const byName = new Map<string, string[]>();
  for (const c of clips) byName.set(path.posix.basename(c), [...(byName.get(path.posix.basename(c)) ?? []), c]);
  const matched = new Map<string, string>();
  const noResult: string[] = [];
  const ambiguous: VideoMatch['ambiguous'] = [];
  for (const key of keys) {
    if (exact.has(key)) matched.set(key, key);
    else if (!key.includes('/') && (byName.get(key)?.length ?? 0) > 1) ambiguous.push({ key, candidates: byName.get(key)! });
    else if (!key.includes('/') && byName.get(key)?.length === 1) matched.set(key, byName.get(key)![0]!);
    else noResult.push(key);
  }
  const used = new Set(matched.values());
  // Two human keys (a path and a bare name) for one clip would count it twice: keep the path.
  for (const [key, clip] of [...matched]) {
    if (!key.includes('/') && [...matched].some(([k, c]) => c === clip && k !== key)) matched.delete(key);
  }
  return { matched, noResult, ambiguous, noHuman: clips.filter((c) => !used.has(c)) };
}

export interface PreferenceAgreement {
  /** Pairs whose two videos both have a score. */
  n: number;
  pairwiseAccuracy: CalibratedAccuracy;
  pairwiseAccuracyWithoutTies: Statistic;
  /** Pairs left out because a video has no score. */
  unscored: PreferencePair[];
}

/** The tie-calibrated accuracy and the accuracy without ties over human preference pairs, from
 *  the score difference of the two videos (as VideoAlign and MonetBench evaluate). */
export function preferenceAgreement(pairs: readonly PreferencePair[], scores: ReadonlyMap<string, number>): PreferenceAgreement {
  const ranked: RankedPair[] = [];
  const unscored: PreferencePair[] = [];
  for (const p of pairs) {
    const sa = scores.get(p.a);
    const sb = scores.get(p.b);
    if (sa === undefined || sb === undefined || !Number.isFinite(sa) || !Number.isFinite(sb)) {
      unscored.push(p);
      continue;
    }
    ranked.push({ human: p.preference === 'a' ? 1 : p.preference === 'b' ? -1 : 0, metric: sa - sb });
  }
  const without = accuracyWithoutTies(ranked);
  return {
    n: ranked.length,
    pairwiseAccuracy: tieCalibratedAccuracy(ranked),
    pairwiseAccuracyWithoutTies:
      without.value === null ? { value: null, n: ranked.length, reason: without.reason } : { value: without.value, n: ranked.length },
    unscored,
  };
}

/** The dimension weights the results were scored with (the first result's; one run scores a
 *  folder with one set of weights). `finger agreement --labels` and the side panel use them. */
export function resultWeights(results: Iterable<Result>): Partial<Record<Dimension, number>> {
  for (const first of results) return Object.fromEntries(Object.entries(first.dimensions).map(([d, s]) => [d, s.weight]));
  return {};
}

export interface LabelledClip {
  video: string;
  result: Result;
  labels: Labels;
  /** A human score of the whole clip: from --human, else the labels' `mos`. */
  human?: number;
}

export interface LabelAgreement {
  clips: number;
  /** Per dimension and overall: questions people labelled, how many the judge answered the same, and the share (the paper's Acc). */
  accuracy: Record<Dimension | 'all', { labelled: number; agree: number; value: number | null }>;
  /** Per dimension and overall, over clips with a human score: SRCC and PLCC of the judge's
   *  scores (without corrections) and of the scores with the corrections applied. */
  correlation: Record<
    Dimension | 'overall',
    { n: number; without: { srcc: Statistic; plcc: Statistic }; with: { srcc: Statistic; plcc: Statistic } }
  >;
}

/**
 * The judge's answers against the answers people corrected in `.finger/labels/`: an override is
 * the human answer to that question (matched by text, then id, as applyOverrides does). Labelled
 * questions the judge could not answer count as disagreeing.
 */
export function labelAgreement(clips: readonly LabelledClip[], weights?: Partial<Record<Dimension, number>>): LabelAgreement {
  const accuracy = Object.fromEntries(
    [...DIMENSIONS, 'all'].map((d) => [d, { labelled: 0, agree: 0, value: null }]),
  ) as LabelAgreement['accuracy'];
  const judge: Record<string, number[]> = {};
  const corrected: Record<string, number[]> = {};
  const human: Record<string, number[]> = {};
  const targets = [...DIMENSIONS, 'overall'] as const;
  for (const t of targets) [judge[t], corrected[t], human[t]] = [[], [], []];
  for (const c of clips) {
    const shown = applyOverrides(c.result.questions, c.labels);
    shown.forEach((q, i) => {
      if (!q.overridden) return;
      const modelAnswer = c.result.questions[i]!.answer;
      for (const k of [q.dimension, 'all'] as const) {
        accuracy[k].labelled++;
        if (modelAnswer === q.overridden.answer) accuracy[k].agree++;
      }
    });
    if (c.human === undefined) continue;
    const fixed = scoreDimensions(shown, weights);
    for (const t of targets) {
      const before = t === 'overall' ? c.result.overall : (c.result.dimensions[t]?.score ?? null);
      const after = t === 'overall' ? fixed.overall : (fixed.dimensions[t]?.score ?? null);
      if (before === null || after === null) continue;
      judge[t]!.push(before);
      corrected[t]!.push(after);
      human[t]!.push(c.human);
    }
  }
  for (const a of Object.values(accuracy)) a.value = a.labelled === 0 ? null : a.agree / a.labelled;
  const correlation = Object.fromEntries(
    targets.map((t) => [
      t,
      {
        n: human[t]!.length,
        without: { srcc: spearman(judge[t]!, human[t]!), plcc: pearson(judge[t]!, human[t]!) },
        with: { srcc: spearman(corrected[t]!, human[t]!), plcc: pearson(corrected[t]!, human[t]!) },
      },
    ]),
  ) as LabelAgreement['correlation'];
  return { clips: clips.length, accuracy, correlation };
}
