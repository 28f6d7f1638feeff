// Shared pieces of the benchmarks: statistics, the bundled CLI as a child process (with its own
// peak RSS), clip folders with question sets, and the figure/table types.
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DIMENSIONS, type QuestionSet } from '../../src/core/types';
import { DEFAULT_DOUBLE_MODEL } from '../double/endpoint-double';
import { cleanEnv } from '../helpers/cli';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'dist', 'cli.js');
const RSS_PRELOAD = path.join(__dirname, 'rss-preload.cjs');

/** One line of the table and one entry of bench-results.json. */
export interface Figure {
  id: string;
  /** What was measured, in words. */
  name: string;
  value: number | null;
  unit: string;
  /** Human-readable target, e.g. "≤ 1.10"; absent when reported only. */
  target?: string;
  /** true met, false missed, null no target (reported only) or not measured. */
  met: boolean | null;
  /** How it was measured: repetitions, the two sides of a ratio, anything a reader needs. */
  detail?: string;
  /** The raw numbers behind the figure. */
  samples?: unknown;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size of the CLI's own Node process (getrusage maxrss), in bytes. */
  peakRssBytes: number | null;
}

/** Runs `node dist/cli.js …` and reports its wall time and its own peak RSS (not ffmpeg's). */
export async function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const rssFile = path.join(cwd, `.bench-rss-${process.pid}-${Date.now()}`);
  // The developer's endpoint settings never leak in (cleanEnv); `env` may set them on purpose.
  const childEnv: NodeJS.ProcessEnv = { ...cleanEnv(env), FINGER_BENCH_RSS_FILE: rssFile };
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--require', RSS_PRELOAD, CLI, ...args], {
    cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const wallMs = performance.now() - t0;
  let peakRssBytes: number | null = null;
  try {
    peakRssBytes = Number((await readFile(rssFile, 'utf8')).trim());
    await rm(rssFile, { force: true });
  } catch {
    /* the preload did not run */
  }
  return { code, stdout, stderr, wallMs, peakRssBytes };
}

/** `finger score` against the double, questions from `<clip>.questions.json` or `questionsFile`. */
export function scoreArgs(
  inputs: string[],
  o: { endpoint: string; workspace: string; concurrency: number; mode?: 'video' | 'frames' | 'file'; questions?: string },
): string[] {
  return [
    'score',
    ...inputs,
    '--endpoint',
    o.endpoint,
    '--model',
    DEFAULT_DOUBLE_MODEL,
    '--workspace',
    o.workspace,
    '--concurrency',
    String(o.concurrency),
    '--mode',
    o.mode ?? 'video',
    '--json',
    ...(o.questions ? ['--questions', o.questions] : []),
  ];
}

export function assertCliOk(run: CliRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what}: finger exited with ${run.code}\n${run.stderr.slice(-4000)}`);
}

const ENTITIES = ['dog', 'ball', 'tree', 'bench'];

/** `count` questions (entities × dimensions), their texts tagged with `tag` so every request
 *  says which clip it belongs to. */
export function questionSet(tag: string, count: number): QuestionSet {
  const questions = Array.from({ length: count }, (_, i) => {
    const entity = ENTITIES[Math.floor(i / DIMENSIONS.length) % ENTITIES.length]!;
    const dimension = DIMENSIONS[i % DIMENSIONS.length]!;
    return {
      id: `q${i + 1}`,
      dimension,
      entity,
      text: `[${tag}] Question ${i + 1} about the ${entity} (${dimension.replace('_', ' ')}): does it look right?`,
      polarity: i % 3 === 2 ? ('negative' as const) : ('positive' as const),
    };
  });
  return {
    version: 1,
    prompt: `A dog chases a ball past a tree and a bench (${tag})`,
    entities: ENTITIES.map((name, i) => ({ id: `e${i + 1}`, name })),
    questions,
  };
}

/** Writes `<clip>.questions.json` beside every clip, tagged with the clip's base name. */
export async function writeQuestionSets(clips: string[], count: number): Promise<void> {
  for (const clip of clips) {
    const base = path.basename(clip, path.extname(clip));
    await writeFile(path.join(path.dirname(clip), `${base}.questions.json`), JSON.stringify(questionSet(base, count), null, 2));
  }
}

/** The clip tag at the start of a question text written by questionSet(). */
export function tagOf(question: string | undefined): string | null {
  return /\[([^\]\s]+)\]/.exec(question ?? '')?.[1] ?? null;
}

export async function freshDir(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
