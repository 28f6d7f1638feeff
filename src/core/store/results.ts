// Results and labels on disk. Labels (human corrections) are only ever written by saveOverride.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { describeError } from '../errors';
import { applyOverride, questionKey, type OverrideChange } from '../scoring/finger';
import { LabelsSchema, ResultSchema, type AnsweredQuestion, type Labels, type Result } from '../types';
import { readJsonValidated, writeJsonAtomic } from './json';
import { DEFAULT_RESULTS_DIR, labelsPathFor, resultPathFor, toWorkspaceRelative, videoRelPathOfResult } from './paths';

export function readResult(file: string): Promise<Result> {
  return readJsonValidated(file, ResultSchema, 'result');
}

/** The saved result, or null when there is none. A broken file throws (FingerError naming it). */
export async function readResultIfExists(file: string): Promise<Result | null> {
  try {
    return await readResult(file);
  } catch (e) {
    if ((e as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return null;
    throw e;
  }
}

export async function writeResult(file: string, result: Result): Promise<void> {
  ResultSchema.parse(result); // never write what we could not read back
  await writeJsonAtomic(file, result);
}

export async function readLabels(workspaceRoot: string, videoPath: string): Promise<Labels | null> {
  const file = labelsPathFor(workspaceRoot, videoPath);
  try {
    return await readJsonValidated(file, LabelsSchema, 'labels');
  } catch (e) {
    if ((e as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT') return null;
    throw e;
  }
}

/** Adds, replaces (same question, see applyOverride) or, with `answer: null`, removes one override. */
export async function saveOverride(workspaceRoot: string, videoPath: string, change: OverrideChange): Promise<Labels> {
  const existing = await readLabels(workspaceRoot, videoPath);
  const next = applyOverride(existing, change, toWorkspaceRelative(workspaceRoot, videoPath));
  await writeJsonAtomic(labelsPathFor(workspaceRoot, videoPath), next);
  return next;
}

export interface ListedResult {
  videoRelPath: string;
  file: string;
  result?: Result;
  /** Set when the file could not be read; the other results are still listed. */
  error?: string;
}

export interface BrokenResult {
  file: string;
  error: string;
}

/** Listed results split into those that were read and the files that could not be. */
export function partitionListed(listed: readonly ListedResult[]): { read: (ListedResult & { result: Result })[]; broken: BrokenResult[] } {
  const read: (ListedResult & { result: Result })[] = [];
  const broken: BrokenResult[] = [];
  for (const item of listed) {
    if (item.result) read.push({ ...item, result: item.result });
    else broken.push({ file: item.file, error: item.error ?? 'unreadable' });
  }
  return { read, broken };
}

/** Every result under the results folder; a broken file is listed with its error, not thrown. */
export async function listResults(workspaceRoot: string, resultsDir = DEFAULT_RESULTS_DIR): Promise<ListedResult[]> {
  const root = path.resolve(workspaceRoot, resultsDir);
  let entries: string[];
  try {
    entries = (await readdir(root, { recursive: true })).map(String);
  } catch {
    return [];
  }
  const files = entries
    .filter((e) => e.endsWith('.json'))
    .map((e) => path.join(root, e))
    .sort();
  return Promise.all(
    files.map(async (file): Promise<ListedResult> => {
      const videoRelPath = videoRelPathOfResult(workspaceRoot, file, resultsDir) ?? file;
      try {
        return { videoRelPath, file, result: await readResult(file) };
      } catch (e) {
        return { videoRelPath, file, error: describeError(e) };
      }
    }),
  );
}

function isComplete(r: Result): boolean {
  return r.questions.length > 0 && r.questions.every((q) => q.error === null && q.score !== null);
}

/** Same video content and the same way of asking: a previous answer is as good as a new one. */
function sameJudging(a: Result, b: Result): boolean {
  return (
    a.video.sha256 === b.video.sha256 &&
    a.endpoint.model === b.endpoint.model &&
    a.sampling.mode === b.sampling.mode &&
    a.sampling.fps === b.sampling.fps &&
    a.sampling.maxFrames === b.sampling.maxFrames &&
    a.sampling.maxPixels === b.sampling.maxPixels &&
    JSON.stringify(a.judge ?? null) === JSON.stringify(b.judge ?? null)
  );
}

function sameExceptDate(a: Result, b: Result): boolean {
  return JSON.stringify({ ...a, createdAt: '' }) === JSON.stringify({ ...b, createdAt: '' });
}

export type SaveDecision =
  /** `unchanged`: the saved file already said exactly this (but for its date) and was left as is. */
  { written: true; result: Result; merged: number; unchanged?: boolean } | { written: false; kept: Result; reason: string };

export interface RescoreContext {
  /** The saved result the failed questions were filled from. */
  previous: Result;
  /** The result as scored, before the merge. */
  next: Result;
}

/**
 * A protocol's own aggregate (see protocols/aggregate.ts, rescoreFor): the dimensions and the
 * overall score of `merged`, a result whose failed questions were filled from the saved one.
 * The store cannot compute it itself: FingER weighs dimensions by the settings, VideoScore2 takes
 * the plain mean, and Q-Save's overall is the MOS of its reply.
 */
export type Rescore = (merged: Result, context: RescoreContext) => Pick<Result, 'dimensions' | 'overall'>;

/**
 * Saves `next` unless that would make the saved result worse: failed questions are first filled
 * from the previous result where it answered the same question the same way, and the protocol's
 * `rescore` gives the merged result its scores; a complete previous result is then only replaced
 * by a complete new one. The file is written at most once, atomically.
 */
export async function saveResultSafely(file: string, next: Result, rescore: Rescore): Promise<SaveDecision> {
  // A broken result file counts as none: it is replaced by a good one.
  const previous = await readResultIfExists(file).catch(() => null);
  let merged = 0;
  let candidate = next;
  if (previous && sameJudging(previous, next)) {
    const old = new Map(previous.questions.filter((q) => q.error === null).map((q) => [`${q.polarity}|${questionKey(q.text)}`, q]));
    const questions: AnsweredQuestion[] = next.questions.map((q) => {
      if (q.error === null) return q;
      const prev = old.get(`${q.polarity}|${questionKey(q.text)}`);
      if (!prev) return q;
      merged++;
      return {
        ...q,
        answer: prev.answer,
        reason: prev.reason,
        pYes: prev.pYes,
        pNo: prev.pNo,
        score: prev.score,
        probabilitySource: prev.probabilitySource,
        error: null,
      };
    });
    if (merged > 0) {
      const filled: Result = { ...next, questions };
      const { dimensions, overall } = rescore(filled, { previous, next });
      candidate = { ...filled, dimensions, overall };
    }
  }
  // A rescore with nothing changed rewrites nothing: no fsync per video, no watcher churn, and the
  // date keeps saying when these answers were made.
  if (previous && sameExceptDate(previous, candidate)) return { written: true, result: previous, merged, unchanged: true };
  if (previous && isComplete(previous) && !isComplete(candidate)) {
    const failed = candidate.questions.filter((q) => q.error !== null).length;
    return { written: false, kept: previous, reason: `${failed} question(s) failed; the complete result saved before was kept` };
  }
  await writeResult(file, candidate);
  return { written: true, result: candidate, merged };
}

export { resultPathFor, labelsPathFor };
