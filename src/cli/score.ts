// `finger score` and `finger questions`.
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import pLimit from 'p-limit';
import { ConfigError, describeError, isAbortError } from '../core/errors';
import type { Logger } from '../core/log';
import { createEngine, prepareQuestionSet, questionSetPathFor, scoreVideo, type Engine } from '../core/pipeline';
import { PROTOCOLS } from '../core/protocols';
import { loadTemplates } from '../core/templates';
import { readQuestionSet, writeQuestionSet } from '../core/questions';
import { toWorkspaceRelative } from '../core/store';
import type { Protocol, QuestionSet } from '../core/types';
import { findVideos } from './files';
import { createProgress } from './progress';
import { settingsFromFlags, type ScoreFlags } from './settings';

export interface ScoreCommandFlags extends ScoreFlags {
  workspace: string;
  protocol?: Protocol;
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
  const write = (level: string) => (m: string | Error, ...args: unknown[]) =>
    process.stderr.write(`[${level}] ${m instanceof Error ? m.message : m}${args.length ? ' ' + args.map(String).join(' ') : ''}\n`);
  const quiet = () => {};
  return { trace: quiet, debug: verbose ? write('debug') : quiet, info: verbose ? write('info') : quiet, warn: write('warn'), error: verbose ? write('error') : quiet };
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
 *  its own and one waiting: a server that finishes its video then takes the waiting one instead of
 *  sharing (and encoding again) a video another server has started. */
export function videoParallelism(concurrency: number, endpoints = 1): number {
  const perServer = endpoints > 1 ? 2 * endpoints + 1 : 0;
  return Math.min(16, Math.max(2, Math.ceil(concurrency / 4) + 1, perServer));
}

const fmt = (x: number | null) => (x === null ? '—' : x.toFixed(3));

export async function runScore(inputs: string[], flags: ScoreCommandFlags): Promise<number> {
  const settings = settingsFromFlags(flags);
  const workspace = path.resolve(flags.workspace);
  let fixedSet: QuestionSet | undefined;
  if (flags.questions) fixedSet = await readQuestionSet(path.resolve(flags.questions));
  // Loaded (and checked) once for the run rather than once per video; a broken template is a
  // configuration problem that stops the run before anything is sent.
  const protocol = flags.protocol ?? 'finger';
  const templates = protocol === 'finger' ? await loadTemplates({ workspaceRoot: workspace }) : undefined;
  const { videos, skipped } = await findVideos(inputs, workspace);
  if (videos.length === 0 && skipped.length === 0) {
    throw new ConfigError(`No video files (mp4, mov, m4v, mkv, webm, avi) found in ${inputs.join(', ')}.`);
  }

  const progress = createProgress(process.stderr, videos.length);
  const { controller, dispose } = cancelOnSigint(() => progress.line('Cancelling… (Ctrl-C again to quit at once)'));
  const engine: Engine = createEngine(settings, {
    logger: stderrLogger(Boolean(flags.verbose || flags.debug)),
    reuseAnswers: !flags.force,
    // Each video is scored once per run: its frames are read back from disk if ever needed again,
    // rather than held in memory for the rest of the run.
    frameMemoryBytes: 0,
    endpointRequired: PROTOCOLS[protocol].needsEndpoint,
  });
  const rows: SummaryRow[] = skipped.map((s) => ({ video: s.file, resultFile: null, overall: null, error: s.reason }));
  for (const s of skipped) progress.line(`✗ ${s.file}: ${s.reason}`);

  const limit = pLimit(videoParallelism(settings.concurrency, settings.endpoints.length));
  let cancelled = false;
  try {
    await Promise.all(
      videos.map((video) =>
        limit(async () => {
          if (controller.signal.aborted) return;
          const rel = toWorkspaceRelative(workspace, video);
          try {
            const outcome = await scoreVideo({
              protocol,
              ...(templates ? { templates } : {}),
              videoPath: video,
              workspaceRoot: workspace,
              engine,
              signal: controller.signal,
              ...(fixedSet ? { questionSet: fixedSet } : {}),
              onEvent: (e) => {
                if (e.type === 'questions') progress.addQuestions(e.questionSet.questions.length);
                else if (e.type === 'answer') progress.questionDone();
              },
            });
            const failed = outcome.result.questions.filter((q) => q.error !== null);
            if (!outcome.saved) {
              rows.push({ video: rel, resultFile: outcome.resultFile, overall: null, error: outcome.note ?? 'not saved' });
              progress.line(`✗ ${rel}: ${outcome.note}`);
              return;
            }
            const error = failed.length > 0 ? `${failed.length} of ${outcome.result.questions.length} questions failed: ${failed[0]!.error}` : null;
            rows.push({ video: rel, resultFile: outcome.resultFile, overall: outcome.result.overall, error });
            const reused = outcome.answersReused ? `, ${outcome.answersReused} reused` : '';
            progress.line(
              `${error ? '✗' : '✓'} ${rel}: overall ${fmt(outcome.result.overall)} (${outcome.result.questions.length} questions${reused})${error ? ` — ${error}` : ''}`,
            );
          } catch (e) {
            if (isAbortError(e)) {
              cancelled = true;
              return;
            }
            const message = describeError(e);
            rows.push({ video: rel, resultFile: null, overall: null, error: message });
            progress.line(`✗ ${rel}: ${message}`);
            // --debug promises stack traces (README); per-video failures were printed without one.
            if (flags.debug && e instanceof Error && e.stack) progress.line(e.stack);
          }
        }),
      ),
    );
  } finally {
    progress.stop();
    dispose();
    engine.dispose();
  }
  if (cancelled || controller.signal.aborted) {
    process.stderr.write('Cancelled. Results already saved are kept; nothing was half-written.\n');
    return 130;
  }
  const order = new Map(videos.map((v, i) => [toWorkspaceRelative(workspace, v), i]));
  rows.sort((a, b) => (order.get(a.video) ?? -1) - (order.get(b.video) ?? -1));
  if (flags.json) process.stdout.write(JSON.stringify({ results: rows }, null, 2) + '\n');
  const failures = rows.filter((r) => r.error !== null).length;
  if (!flags.json) {
    const all = videos.length + skipped.length;
    process.stderr.write(`${all - failures} of ${all} videos scored${failures ? `, ${failures} failed (see above)` : ''}.\n`);
  }
  return failures > 0 ? 1 : 0;
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
        const prepared = await prepareQuestionSet({ videoPath: video, workspaceRoot: workspace, engine, signal: controller.signal, ignoreQuestionFile: true });
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

