// `finger score` and `finger questions`.
import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import pLimit from 'p-limit';
import { ConfigError, describeError, isAbortError } from '../core/errors';
import type { Logger } from '../core/log';
import { createEngine, prepareQuestionSet, questionSetPathFor, scoreVideo, type Engine } from '../core/pipeline';
import { PROTOCOLS, type SoftScoreRule } from '../core/protocols';
import { loadTemplates } from '../core/templates';
import { readQuestionSet, writeQuestionSet } from '../core/questions';
import { toWorkspaceRelative } from '../core/store';
import type { EvalSettings } from '../core/settings';
import type { SignalThresholds } from '../core/signals';
import type { Protocol, QuestionSet, Result } from '../core/types';
import { applyGate, gateOptionsFromFlags, signalThresholdsFromFlags, type GateClip, type GateFlags } from './gate';
import { findVideos } from './files';
import { createProgress } from './progress';
import { settingsFromFlags, type ScoreFlags } from './settings';

export interface ScoreCommandFlags extends ScoreFlags, GateFlags {
  workspace: string;
  protocol?: Protocol;
  /** After --protocol signals: score the clips that passed every signal with this protocol. */
  then?: Protocol;
  /** VideoScore2 and Q-Save: how digit probabilities become a rating (default: the protocol's own). */
  softScore?: SoftScoreRule;
  /** `--signal frozen.minSec=0.5` (repeatable): signals thresholds. */
  signal?: string[];
  questions?: string;
  json?: boolean;
  force?: boolean;
  debug?: boolean;
  verbose?: boolean;
}

interface SummaryRow {
  video: string;
  resultFile: string | null;
  overall: number | null;
  error: string | null;
}

function stderrLogger(verbose: boolean): Logger {
  const write =
    (level: string) =>
    (m: string | Error, ...args: unknown[]) =>
      process.stderr.write(`[${level}] ${m instanceof Error ? m.message : m}${args.length ? ' ' + args.map(String).join(' ') : ''}\n`);
  const quiet = () => {};
  return {
    trace: quiet,
    debug: verbose ? write('debug') : quiet,
    info: verbose ? write('info') : quiet,
    warn: write('warn'),
    error: verbose ? write('error') : quiet,
  };
}

/** Ctrl-C aborts everything in flight (HTTP requests, ffmpeg); a second Ctrl-C exits at once. */
function cancelOnSigint(onFirst: () => void): { controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const handler = () => {
    if (controller.signal.aborted) process.exit(130);
    onFirst();
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    controller,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** How many videos are in progress at once: enough that the next videos' frames are extracted
 *  (one ffmpeg per core, see Engine.extractionSlot) while earlier ones keep `concurrency` requests
 *  in flight, few enough to bound memory (each holds its frames until it is saved). With several
 *  servers each video goes to one of them (endpoint/affinity.ts), so every server needs a video of
 *  its own and two waiting: a server that finishes its video then takes a waiting one instead of
 *  sharing (and encoding again) a video another server has started, and bounded-load placement has
 *  a spare video for a server that ran dry while another holds more than its share (two waiting
 *  per server gave fleet runs about 1 % shorter than one waiting, two runs each). */
export function videoParallelism(concurrency: number, endpoints = 1): number {
  const perServer = endpoints > 1 ? 3 * endpoints + 1 : 0;
  return Math.min(16, Math.max(2, Math.ceil(concurrency / 4) + 1, perServer));
}

const fmt = (x: number | null) => (x === null ? '—' : x.toFixed(3));

/** One scored (or failed) clip of a pass, with what the gate needs. */
export interface ScoredClip extends SummaryRow {
  result: Result | null;
  timeSec: number;
}

export async function runScore(inputs: string[], flags: ScoreCommandFlags): Promise<number> {
  const protocol = flags.protocol ?? 'finger';
  const then = flags.then;
  if (then !== undefined && (protocol !== 'signals' || then === 'signals')) {
    throw new ConfigError(`--then ${then} follows --protocol signals with a protocol that asks an endpoint (finger, videoscore2, qsave).`);
  }
  if (flags.softScore !== undefined && ![protocol, then].some((p) => p === 'videoscore2' || p === 'qsave')) {
    throw new ConfigError(`--soft-score applies to the 1–5 ratings of --protocol videoscore2 and qsave, not to ${then ?? protocol}.`);
  }
  const gate = gateOptionsFromFlags(flags);
  const signalThresholds = signalThresholdsFromFlags(flags);
  // The signals protocol needs no endpoint; every other one (and --then) does.
  const needsEndpoint = protocol !== 'signals' || then !== undefined;
  const settings = settingsFromFlags(flags, process.env, { requireEndpoint: needsEndpoint });
  const workspace = path.resolve(flags.workspace);
  let fixedSet: QuestionSet | undefined;
  if (flags.questions) fixedSet = await readQuestionSet(path.resolve(flags.questions));
  const { videos, skipped } = await findVideos(inputs, workspace);
  if (videos.length === 0 && skipped.length === 0) {
    throw new ConfigError(`No video files (mp4, mov, m4v, mkv, webm, avi) found in ${inputs.join(', ')}.`);
  }

  const { controller, dispose } = cancelOnSigint(() => process.stderr.write('Cancelling… (Ctrl-C again to quit at once)\n'));
  const passes: { protocol: Protocol; clips: ScoredClip[] }[] = [];
  let rejected: GateClip[] = [];
  let cancelled: boolean;
  try {
    const first = await scorePass(protocol, videos, skipped, {
      flags,
      settings,
      workspace,
      fixedSet,
      signalThresholds,
      signal: controller.signal,
    });
    cancelled = first.cancelled;
    passes.push({ protocol, clips: first.clips });
    if (then && !cancelled) {
      // Triage (README.md, "Signals without a GPU"): the GPU judge sees only the clips that passed
      // every signal; the others are reported with the signals that failed them.
      const passed = new Set(
        first.clips.filter((c) => c.result !== null && c.error === null && signalsPassed(c.result)).map((c) => c.video),
      );
      const next = videos.filter((v) => passed.has(toWorkspaceRelative(workspace, v)));
      const dropped = videos.length - next.length;
      process.stderr.write(
        `Signals: ${next.length} of ${videos.length} clips go on to ${then}${dropped ? ` (${dropped} failed a signal and are not sent)` : ''}.\n`,
      );
      const second = await scorePass(then, next, [], { flags, settings, workspace, fixedSet, signalThresholds, signal: controller.signal });
      cancelled = second.cancelled;
      passes.push({ protocol: then, clips: second.clips });
      // For the gate, a clip the signals turned away fails the second protocol's gate too, with
      // the signals that failed it as the reason (it never got a score there).
      rejected = first.clips
        .filter((c) => !passed.has(c.video) && c.result !== null)
        .map((c) => ({ video: c.video, result: null, error: `not sent to ${then}: ${signalsLine(c.result!)}`, timeSec: 0 }));
    }
  } finally {
    dispose();
  }
  if (cancelled || controller.signal.aborted) {
    process.stderr.write('Cancelled. Results already saved are kept; nothing was half-written.\n');
    return 130;
  }
  const last = passes[passes.length - 1]!;
  if (flags.json) {
    const strip = (clips: ScoredClip[]) => clips.map(({ video, resultFile, overall, error }) => ({ video, resultFile, overall, error }));
    const body =
      passes.length === 1
        ? { results: strip(last.clips) }
        : { results: strip(last.clips), passes: passes.map((p) => ({ protocol: p.protocol, results: strip(p.clips) })) };
    process.stdout.write(JSON.stringify(body, null, 2) + '\n');
  }
  const failures = passes.reduce((n, p) => n + p.clips.filter((r) => r.error !== null).length, 0);
  if (!flags.json) {
    const all = videos.length + skipped.length;
    const failedVideos = new Set(passes.flatMap((p) => p.clips.filter((r) => r.error !== null).map((r) => r.video))).size;
    process.stderr.write(`${all - failedVideos} of ${all} videos scored${failedVideos ? `, ${failedVideos} failed (see above)` : ''}.\n`);
  }
  const gateExit = gate
    ? await applyGate(
        passes.map((p, i) => ({ protocol: p.protocol, clips: i === 1 ? [...p.clips, ...rejected] : p.clips })),
        gate,
      )
    : 0;
  if (failures > 0) return 1;
  return gateExit;
}

/** Every signal of a signals result passed. */
function signalsPassed(r: Result): boolean {
  return r.questions.every((q) => q.answer === 'Yes');
}

interface PassContext {
  flags: ScoreCommandFlags;
  settings: EvalSettings;
  workspace: string;
  fixedSet: QuestionSet | undefined;
  signalThresholds: SignalThresholds;
  signal: AbortSignal;
}

/** Scores `videos` with one protocol; never throws for one video (its row carries the error). */
async function scorePass(
  protocol: Protocol,
  videos: string[],
  skipped: { file: string; reason: string }[],
  ctx: PassContext,
): Promise<{ clips: ScoredClip[]; cancelled: boolean }> {
  const { flags, settings, workspace, fixedSet } = ctx;
  // Loaded (and checked) once for the run rather than once per video; a broken template is a
  // configuration problem that stops the run before anything is sent.
  const templates = protocol === 'finger' ? await loadTemplates({ workspaceRoot: workspace }) : undefined;
  const progress = createProgress(process.stderr, videos.length);
  const engine: Engine = createEngine(settings, {
    logger: stderrLogger(Boolean(flags.verbose || flags.debug)),
    reuseAnswers: !flags.force,
    // Each video is scored once per run: its frames are read back from disk if ever needed again,
    // rather than held in memory for the rest of the run.
    frameMemoryBytes: 0,
    // The signals protocol runs ffmpeg only: no endpoint.
    endpointRequired: PROTOCOLS[protocol].needsEndpoint,
  });
  const rows: ScoredClip[] = skipped.map((s) => ({
    video: s.file,
    resultFile: null,
    overall: null,
    error: s.reason,
    result: null,
    timeSec: 0,
  }));
  for (const s of skipped) progress.line(`✗ ${s.file}: ${s.reason}`);

  // Signals are one CPU-bound ffmpeg per clip: one per core, not the request concurrency.
  const limit = pLimit(
    protocol === 'signals' ? Math.max(1, availableParallelism()) : videoParallelism(settings.concurrency, settings.endpoints.length),
  );
  let cancelled = false;
  try {
    await Promise.all(
      videos.map((video) =>
        limit(async () => {
          if (ctx.signal.aborted) return;
          const rel = toWorkspaceRelative(workspace, video);
          const started = performance.now();
          const elapsed = () => (performance.now() - started) / 1000;
          try {
            const outcome = await scoreVideo({
              protocol,
              ...(templates ? { templates } : {}),
              videoPath: video,
              workspaceRoot: workspace,
              engine,
              signal: ctx.signal,
              signalThresholds: ctx.signalThresholds,
              ...(flags.softScore ? { softScore: flags.softScore } : {}),
              ...(fixedSet ? { questionSet: fixedSet } : {}),
              onEvent: (e) => {
                if (e.type === 'questions') progress.addQuestions(e.questionSet.questions.length);
                else if (e.type === 'answer') progress.questionDone();
              },
            });
            const failed = outcome.result.questions.filter((q) => q.error !== null);
            if (!outcome.saved) {
              rows.push({
                video: rel,
                resultFile: outcome.resultFile,
                overall: null,
                error: outcome.note ?? 'not saved',
                result: outcome.result,
                timeSec: elapsed(),
              });
              progress.line(`✗ ${rel}: ${outcome.note}`);
              return;
            }
            const error =
              failed.length > 0 ? `${failed.length} of ${outcome.result.questions.length} questions failed: ${failed[0]!.error}` : null;
            rows.push({
              video: rel,
              resultFile: outcome.resultFile,
              overall: outcome.result.overall,
              error,
              result: outcome.result,
              timeSec: elapsed(),
            });
            const reused = outcome.answersReused ? `, ${outcome.answersReused} reused` : '';
            const what = protocol === 'signals' ? signalsLine(outcome.result) : `${outcome.result.questions.length} questions${reused}`;
            progress.line(`${error ? '✗' : '✓'} ${rel}: overall ${fmt(outcome.result.overall)} (${what})${error ? ` — ${error}` : ''}`);
          } catch (e) {
            if (isAbortError(e)) {
              cancelled = true;
              return;
            }
            const message = describeError(e);
            rows.push({ video: rel, resultFile: null, overall: null, error: message, result: null, timeSec: elapsed() });
            progress.line(`✗ ${rel}: ${message}`);
            // --debug promises stack traces (README); per-video failures were printed without one.
            if (flags.debug && e instanceof Error && e.stack) progress.line(e.stack);
          }
        }),
      ),
    );
  } finally {
    progress.stop();
    engine.dispose();
  }
  const order = new Map(videos.map((v, i) => [toWorkspaceRelative(workspace, v), i]));
  rows.sort((a, b) => (order.get(a.video) ?? -1) - (order.get(b.video) ?? -1));
  return { clips: rows, cancelled: cancelled || ctx.signal.aborted };
}

/** "frozen 0.96–1.96 s, black 1–1.52 s failed" or "all 6 signals passed". */
function signalsLine(r: Result): string {
  const failed = (r.signals?.signals ?? []).filter((s) => !s.pass);
  if (failed.length === 0) return `all ${r.questions.length} signals passed`;
  return `failed: ${failed.map((s) => `${s.id}${s.ranges.length ? ` at ${s.ranges.map((x) => `${x.start}–${x.end} s`).join(', ')}` : ` (${s.value} ${s.unit})`}`).join('; ')}`;
}

export async function runQuestions(inputs: string[], flags: ScoreCommandFlags): Promise<number> {
  const settings = settingsFromFlags(flags);
  const workspace = path.resolve(flags.workspace);
  const { videos, skipped } = await findVideos(inputs, workspace);
  const { controller, dispose } = cancelOnSigint(() => process.stderr.write('Cancelling…\n'));
  const engine = createEngine(settings, { logger: stderrLogger(Boolean(flags.verbose || flags.debug)) });
  let failures = skipped.length;
  for (const s of skipped) process.stderr.write(`✗ ${s.file}: ${s.reason}\n`);
  try {
    for (const video of videos) {
      if (controller.signal.aborted) return 130;
      const rel = toWorkspaceRelative(workspace, video);
      const file = questionSetPathFor(video);
      if (!flags.force && (await fileExists(file))) {
        process.stderr.write(`• ${rel}: kept ${path.basename(file)} (use --force to regenerate)\n`);
        continue;
      }
      try {
        const prepared = await prepareQuestionSet({
          videoPath: video,
          workspaceRoot: workspace,
          engine,
          signal: controller.signal,
          ignoreQuestionFile: true,
        });
        await writeQuestionSet(file, prepared.questionSet);
        process.stderr.write(`✓ ${rel}: ${prepared.questionSet.questions.length} questions → ${path.relative(process.cwd(), file)}\n`);
      } catch (e) {
        if (isAbortError(e)) return 130;
        failures++;
        process.stderr.write(`✗ ${rel}: ${describeError(e)}\n`);
      }
    }
  } finally {
    dispose();
    engine.dispose();
  }
  return failures > 0 ? 1 : 0;
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
