// Alternative evaluators beside FingER, with the same result shape (DESIGN.md, "The FingER
// method", last paragraph): VideoScore2 and Q-Save. One request per video each; the reply's
// 1–5 ratings become one pseudo-question per dimension (see scores.ts, ratedQuestion).
//
// Results are saved through the same store, in a sibling folder per protocol:
// `.finger/results-<protocol>/<video path>.json` (protocolResultsDir). A sibling folder, not a
// suffix inside `.finger/results/`, so that listing FingER results (listResults) never mistakes
// a protocol's file for another video, and listResults(ws, protocolResultsDir(p)) lists a
// protocol's results unchanged.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { displayUrl } from '../endpoint/endpoint-errors';
import { CancelledError, isAbortError, throwIfAborted } from '../errors';
import { buildVideoContent } from '../judge';
import { createEngine, scoreVideo, type Engine, type PipelineEvent, type ScoreVideoOptions, type ScoreVideoOutcome } from '../pipeline';
import { readPrompt } from '../prompts';
import { scoreDimensions } from '../scoring/finger';
import { DEFAULT_RESULTS_DIR, resultPathFor, saveResultSafely, toWorkspaceRelative } from '../store';
import type { AnsweredQuestion, Protocol, Result } from '../types';
import { extractFrames, frameCacheKey, sampleVideo, videoMimeType, type Frame, type SampledVideo, type SamplingOptions } from '../video';
import { rescoreFor } from './aggregate';
import { QSAVE_FIELDS, QSAVE_TEMPLATE_HASH, askQSave, defaultSlowFast, type SlowFastOptions } from './qsave';
import { ratedQuestion, type RatedDimension, type SoftScoreRule } from './scores';
import { scoreSignals, type SignalThresholds } from '../signals';
import { VIDEOSCORE2_FIELDS, VIDEOSCORE2_TEMPLATE_HASH, askVideoScore2 } from './videoscore2';

export * from './aggregate';
export * from './scores';
export * from './videoscore2';
export * from './qsave';

/** Protocols that ask an endpoint one request per video (signals asks none: see ../signals). */
export type AlternativeProtocol = Exclude<Protocol, 'finger' | 'signals'>;
export const ALTERNATIVE_PROTOCOLS: readonly AlternativeProtocol[] = ['videoscore2', 'qsave'];

/** `.finger/results` → `.finger/results-videoscore2` (relative to the workspace, like resultsDir);
 *  FingER's own folder, unchanged, for 'finger'. */
export function protocolResultsDir(protocol: Protocol, resultsDir: string = DEFAULT_RESULTS_DIR): string {
  return protocol === 'finger' ? resultsDir : `${resultsDir.replace(/[\\/]+$/, '')}-${protocol}`;
}

/** `<ws>/.finger/results-<protocol>/<video path relative to ws>.json`; FingER's own path for 'finger'. */
export function protocolResultPathFor(protocol: Protocol, workspaceRoot: string, videoPath: string, resultsDir?: string): string {
  return resultPathFor(workspaceRoot, videoPath, protocolResultsDir(protocol, resultsDir));
}

export interface ProtocolScoreOptions extends ScoreVideoOptions {
  /** The prompt, when the caller already has it; else `questionSet.prompt`, else readPrompt(). */
  prompt?: string;
  /** How digit probabilities become a rating (default 'expected'). */
  softScore?: SoftScoreRule;
  /** Reply budget in tokens (default 1024: reasoning plus verdict). */
  maxTokens?: number;
  /** Q-Save only: override parts of the SlowFast sampling. */
  slowFast?: Partial<SlowFastOptions>;
  /** Signals only: the thresholds (default DEFAULT_SIGNAL_THRESHOLDS). */
  signalThresholds?: SignalThresholds;
}

/**
 * Scores one video with the given protocol and saves the result: FingER through scoreVideo(),
 * VideoScore2 and Q-Save with one request each. What the CLI calls for `--protocol`.
 * Cancellation (o.signal) throws CancelledError; an endpoint failure is recorded in the result
 * (every dimension failed, with the message) like a failed FingER question.
 */
export async function scoreWithProtocol(protocol: Protocol, o: ProtocolScoreOptions): Promise<ScoreVideoOutcome> {
  if (protocol === 'finger') return scoreVideo(o);
  if (protocol === 'signals') return scoreSignalsProtocol(o);
  const engine = o.engine ?? createEngine(o.settings, { logger: o.logger });
  try {
    return await scoreAlternative(protocol, engine, o);
  } finally {
    if (!o.engine) engine.dispose();
  }
}

interface Judged {
  questions: AnsweredQuestion[];
  /** Replaces the mean of the dimensions (Q-Save's MOS); undefined keeps the mean. */
  overall?: number | null;
  endpoint?: { baseUrl: string; model: string };
}

async function scoreAlternative(protocol: AlternativeProtocol, engine: Engine, o: ProtocolScoreOptions): Promise<ScoreVideoOutcome> {
  const settings = o.settings;
  const emit: (e: PipelineEvent) => void = o.onEvent ?? (() => {});
  const videoPath = path.resolve(o.videoPath);
  const rel = toWorkspaceRelative(o.workspaceRoot, videoPath);
  const fields: readonly RatedDimension[] = protocol === 'videoscore2' ? VIDEOSCORE2_FIELDS : QSAVE_FIELDS;
  throwIfAborted(o.signal);

  emit({ type: 'phase', video: rel, phase: 'probe' });
  const promptP = o.prompt !== undefined ? Promise.resolve(o.prompt) : o.questionSet ? Promise.resolve(o.questionSet.prompt) : readPrompt(videoPath, o.workspaceRoot).then((p) => p.prompt);
  const framesP = (async () => {
    const tools = await engine.tools();
    emit({ type: 'phase', video: rel, phase: 'frames' });
    return protocol === 'videoscore2' ? sampleOnce(engine, videoPath, o, tools) : sampleSlowFast(engine, videoPath, o, tools);
  })();
  const [promptR, framesR] = await Promise.allSettled([promptP, framesP]);
  if (framesR.status === 'rejected') throw framesR.reason;
  if (promptR.status === 'rejected') throw promptR.reason;
  const prompt = promptR.value;
  const sampled = framesR.value;

  // The dimensions as pending questions, so a progress view can list them before the reply.
  emit({ type: 'phase', video: rel, phase: 'questions' });
  emit({
    type: 'questions',
    video: rel,
    questionSet: { version: 1, prompt, entities: [], questions: fields.map((f) => ({ id: f.id, dimension: f.dimension, entity: '', text: f.text, polarity: 'positive' })) },
  });

  const file = settings.mode === 'file' ? { data: await readFile(videoPath), mime: videoMimeType(videoPath) } : undefined;
  emit({ type: 'phase', video: rel, phase: 'answers' });
  throwIfAborted(o.signal);
  const common = { prompt, temperature: settings.temperature, softScore: o.softScore, maxTokens: o.maxTokens };
  let judged: Judged;
  try {
    if (protocol === 'videoscore2') {
      const videoContent = buildVideoContent({ mode: settings.mode, frames: sampled.frames, ...(file ? { file } : {}) });
      judged = await askVideoScore2(engine.pool, { ...common, videoContent }, o.signal);
    } else {
      const slow = buildVideoContent({ mode: 'frames', frames: sampled.slow });
      const fast = buildVideoContent({ mode: settings.mode, frames: sampled.frames, ...(file ? { file } : {}) });
      const r = await askQSave(engine.pool, { ...common, slowContent: slow, fastContent: fast, fastAsVideo: settings.mode !== 'frames' }, o.signal);
      judged = { questions: r.questions, endpoint: r.endpoint, overall: r.overall };
    }
  } catch (e) {
    if (isAbortError(e) || o.signal?.aborted) throw new CancelledError();
    const message = e instanceof Error ? e.message : String(e);
    judged = { questions: fields.map((f) => ratedQuestion(f, { ok: false, error: message }, null)) };
  }
  const total = judged.questions.length;
  judged.questions.forEach((question, i) => emit({ type: 'answer', video: rel, question, cached: false, done: i + 1, total }));

  emit({ type: 'phase', video: rel, phase: 'save' });
  const endpoint = settings.endpoints[0]!;
  // Equal weights: each protocol's overall is defined by its paper (mean, or Q-Save's MOS), not
  // by the FingER dimension weights in the settings.
  const scored = scoreDimensions(judged.questions);
  const result: Result = {
    version: 1,
    protocol,
    video: {
      path: rel,
      sha256: sampled.video.sha256,
      durationSec: sampled.video.info.durationSec,
      width: sampled.video.info.width,
      height: sampled.video.info.height,
      fps: sampled.video.info.fps,
    },
    prompt,
    // The pool's answer names the endpoint that replied; the first configured one otherwise.
    endpoint: judged.endpoint ?? { baseUrl: displayUrl(endpoint.baseUrl), model: endpoint.model },
    sampling: sampled.sampling,
    judge: {
      reasoning: true,
      temperature: settings.temperature,
      templateHash: protocol === 'videoscore2' ? VIDEOSCORE2_TEMPLATE_HASH : QSAVE_TEMPLATE_HASH,
    },
    createdAt: new Date().toISOString(),
    questions: judged.questions,
    dimensions: scored.dimensions,
    overall: judged.overall !== undefined && judged.overall !== null ? judged.overall : scored.overall,
  };
  const resultFile = protocolResultPathFor(protocol, o.workspaceRoot, videoPath, o.resultsDir);
  throwIfAborted(o.signal);
  // The store fills failed dimensions from the saved result and rescores with the protocol's own
  // aggregate (Q-Save: this reply's MOS), in the one write it makes.
  const decision = await saveResultSafely(resultFile, result, rescoreFor(protocol, { mos: judged.overall ?? null }));
  if (decision.written) {
    emit({ type: 'saved', video: rel, result: decision.result, resultFile });
    const note = decision.merged > 0 ? `${decision.merged} failed dimension(s) kept their earlier ratings` : undefined;
    return { result: decision.result, resultFile, requestsSent: 1, answersReused: 0, saved: true, ...(note ? { note } : {}) };
  }
  return { result, resultFile, requestsSent: 1, answersReused: 0, saved: false, note: decision.reason };
}

interface Sampled {
  video: Pick<SampledVideo, 'info' | 'sha256'>;
  /** The frames of the video part (VideoScore2) or of the fast pathway (Q-Save). */
  frames: Frame[];
  /** Q-Save's high-resolution frames. */
  slow: Frame[];
  sampling: Result['sampling'];
}

type Tools = { ffmpeg: string; ffprobe: string };

async function sampleOnce(engine: Engine, videoPath: string, o: ProtocolScoreOptions, tools: Tools): Promise<Sampled> {
  const s = o.settings;
  const sampling: SamplingOptions = { fps: s.fps, maxFrames: s.maxFrames, maxPixels: s.maxPixels };
  const video = await sampleVideo(videoPath, sampling, { ...tools, cache: engine.frameCache(o.workspaceRoot), signal: o.signal });
  return {
    video,
    frames: video.frames,
    slow: [],
    sampling: { mode: s.mode, ...sampling, frames: s.mode === 'file' ? 0 : video.frames.length },
  };
}

/**
 * SlowFast: the slow frames through sampleVideo (which probes and hashes once), the fast frames
 * from the same probe with a second ffmpeg pass, both through the frame cache. The result's
 * `sampling` records the fast pathway's rate and the slow frames' pixel budget, and `frames`
 * counts every frame sent.
 */
async function sampleSlowFast(engine: Engine, videoPath: string, o: ProtocolScoreOptions, tools: Tools): Promise<Sampled> {
  const s = o.settings;
  const sf = { ...defaultSlowFast(s.maxPixels, s.fps), ...o.slowFast };
  const cache = engine.frameCache(o.workspaceRoot);
  // planSampling caps at maxFrames: a rate far above any clip's frame rate gives exactly
  // `slowFrames` evenly spread frames (at the centres of equal intervals) for clips over 4 ms.
  const slowSampling: SamplingOptions = { fps: 1000, maxFrames: sf.slowFrames, maxPixels: sf.slowMaxPixels };
  const fastSampling: SamplingOptions = { fps: sf.fastFps, maxFrames: sf.fastMaxFrames, maxPixels: sf.fastMaxPixels };
  const slow = await sampleVideo(videoPath, slowSampling, { ...tools, cache, signal: o.signal });
  let fast: Frame[] | undefined;
  if (s.mode !== 'file') {
    const key = frameCacheKey(slow.sha256, fastSampling);
    fast = await cache.get(key);
    if (!fast) {
      fast = await extractFrames(videoPath, slow.info, fastSampling, { ffmpeg: tools.ffmpeg, signal: o.signal });
      await cache.set(key, fast);
    }
  }
  return {
    video: slow,
    frames: fast ?? [],
    slow: slow.frames,
    sampling: {
      mode: s.mode,
      fps: sf.fastFps,
      maxFrames: sf.slowFrames + sf.fastMaxFrames,
      maxPixels: sf.slowMaxPixels,
      frames: slow.frames.length + (fast?.length ?? 0),
    },
  };
}

/** Signals through the protocol dispatch: no engine and no endpoint, only ffmpeg (../signals). */
async function scoreSignalsProtocol(o: ProtocolScoreOptions): Promise<ScoreVideoOutcome> {
  const emit: (e: PipelineEvent) => void = o.onEvent ?? (() => {});
  const rel = toWorkspaceRelative(o.workspaceRoot, path.resolve(o.videoPath));
  const outcome = await scoreSignals({
    videoPath: o.videoPath,
    workspaceRoot: o.workspaceRoot,
    resultsDir: protocolResultsDir('signals', o.resultsDir),
    ...(o.signalThresholds ? { thresholds: o.signalThresholds } : {}),
    ...(o.settings.ffmpegPath ? { ffmpegPath: o.settings.ffmpegPath } : {}),
    ...(o.settings.ffprobePath ? { ffprobePath: o.settings.ffprobePath } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onPhase: (phase) => emit({ type: 'phase', video: rel, phase }),
  });
  if (outcome.saved) emit({ type: 'saved', video: rel, result: outcome.result, resultFile: outcome.resultFile });
  return { result: outcome.result, resultFile: outcome.resultFile, requestsSent: 0, answersReused: 0, saved: outcome.saved, ...(outcome.note ? { note: outcome.note } : {}) };
}
