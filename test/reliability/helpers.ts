// Shared pieces of the reliability and security suites (test/reliability/**): question sets,
// checks that a message is one readable line, that result files are whole, and small clip makers
// for the expensive cases (long and huge clips made cheaply).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DIMENSIONS, ResultSchema, type QuestionSet } from '../../src/core/types';
import { testFfmpeg } from '../helpers/clips';

export const MODEL = 'Qwen/Qwen2.5-VL-7B-Instruct';

export function questionSet(prompt: string, texts: string[]): QuestionSet {
  return {
    version: 1,
    prompt,
    entities: [{ id: 'e1', name: 'ball' }],
    questions: texts.map((text, i) => ({
      id: `q${i + 1}`,
      dimension: DIMENSIONS[i % DIMENSIONS.length]!,
      entity: 'ball',
      text,
      polarity: i % 2 === 0 ? ('positive' as const) : ('negative' as const),
    })),
  };
}

/** Three plain questions; `tag` makes their texts (and so their cached answers) unique. */
export function smallSet(tag: string, n = 3): QuestionSet {
  return questionSet(
    `A red ball (${tag})`,
    Array.from({ length: n }, (_, i) => `Question ${i + 1} about the red ball (${tag})?`),
  );
}

/** A V8/Node stack frame line: what a user must never see without --debug. */
export const STACK_LINE = /^\s+at .+(\(|:\d+:\d+)/m;

export function assertNoStack(text: string, what = 'output'): void {
  assert.doesNotMatch(text, STACK_LINE, `${what} contains a stack trace:\n${text}`);
  assert.doesNotMatch(
    text,
    /\b(TypeError|ReferenceError|RangeError|SyntaxError: Unexpected|Cannot read propert)/,
    `${what} shows an internal error:\n${text}`,
  );
}

export async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** Every file under .finger/results is a whole, valid result: no half file, no stray temp file. */
export async function assertResultsIntact(ws: string): Promise<string[]> {
  const files = await filesUnder(path.join(ws, '.finger', 'results'));
  for (const f of files) {
    assert.ok(f.endsWith('.json'), `stray file in results: ${f}`);
    const text = await readFile(f, 'utf8');
    ResultSchema.parse(JSON.parse(text));
  }
  return files;
}

export interface Summary {
  results: { video: string; resultFile: string | null; overall: number | null; error: string | null }[];
}

export function parseSummary(run: { stdout: string; stderr: string; code: number | null }): Summary {
  try {
    return JSON.parse(run.stdout) as Summary;
  } catch {
    throw new Error(`no JSON summary (exit ${run.code}); stderr:\n${run.stderr}`);
  }
}

export function rowOf(summary: Summary, video: string): Summary['results'][number] {
  const row = summary.results.find((r) => r.video === video || r.video.endsWith(`/${video}`) || path.basename(r.video) === video);
  assert.ok(row, `no summary row for ${video}: ${JSON.stringify(summary.results.map((r) => r.video))}`);
  return row;
}

const execFileAsync = promisify(execFile);

/** Any ffmpeg command for clips the generic maker does not cover (long, huge, VFR, truncated). */
export async function ffmpeg(args: string[]): Promise<void> {
  await execFileAsync(testFfmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 8 << 20 });
}

/** Processes whose command line mentions `needle` (e.g. a test workspace path), excluding ps itself. */
export async function processesMentioning(needle: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'pid=,args='], { maxBuffer: 8 << 20 });
  return stdout
    .split('\n')
    .filter((l) => l.includes(needle) && !/\bps -eo\b/.test(l))
    .map((l) => l.trim());
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
