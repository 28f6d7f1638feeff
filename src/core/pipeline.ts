// scoreVideo(): probe → frames → questions → answers → scores → save, with progress events.
// This is the engine's front door; the CLI and the extension are thin shells over it.
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import * as path from 'node:path';
import { CancelledError, ConfigError, FingerError, isAbortError, throwIfAborted } from './errors';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { EndpointConfig, EvalSettings } from './settings';
import { rescoreFor } from './protocols/aggregate';
import { scoreDimensions, entityScore } from './scoring/finger';
import {
  AnswerCache,
  answerCacheKey,
  cacheDir,
  resultPathFor,
  saveResultSafely,
  toWorkspaceRelative,
} from './store';
import type { AnsweredQuestion, Question, QuestionSet, Result } from './types';
import { displayUrl, EndpointPool } from './endpoint/pool';
import type { ChatClient } from './endpoint/types';
import { answerQuestion, buildVideoContent, videoTimingFields } from './judge';
import { readPrompt } from './prompts';
import { loadTemplates, renderTemplate, type Templates } from './templates';
import { generateQuestionSet, readQuestionSet } from './questions';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import {
  FrameCache,
  frameCacheKey,
  lookupVideo,
  locateFfmpeg,
  sampleVideo,
  videoMimeType,
  type Frame,
  type FrameInfo,
  type KnownVideo,
  type SampledVideo,
  type VideoInfo,
} from './video';

/** A video's probe, hash and frame list; `pixels` when its frames are loaded already. */
interface VideoFrames {
  info: VideoInfo;
  sha256: string;
  frames: FrameInfo[];
  pixels?: Frame[];
  known?: KnownVideo;
}

export type PipelinePhase = 'probe' | 'frames' | 'questions' | 'answers' | 'save';

export type PipelineEvent =
  | { type: 'phase'; video: string; phase: PipelinePhase }
  | { type: 'frames'; video: string; frames: { timeSec: number; file: string }[] }
  | { type: 'questions'; video: string; questionSet: QuestionSet }
  | { type: 'answer'; video: string; question: AnsweredQuestion; cached: boolean; done: number; total: number }
  | { type: 'saved'; video: string; result: Result; resultFile: string };

/** What is shared between the videos of one run (or one extension session): the endpoint pool,
 *  so the concurrency bound is global, and the caches. */
export interface Engine {
  readonly settings: EvalSettings;
  readonly pool: EndpointPool;
  /** Entity extraction and question generation (a separate endpoint when configured). */
  readonly questionClient: ChatClient;
  readonly questionModel: string;
  readonly logger: Logger;
  frameCache(workspaceRoot: string): FrameCache;
  answerCache(workspaceRoot: string): AnswerCache;
  tools(): Promise<{ ffmpeg: string; ffprobe: string }>;
  /** The binaries' paths before their `-version` check has finished (`verified`): lets the first
   *  probe run beside the check. */
  locateTools(): Promise<{ ffmpeg: string; ffprobe: string; verified: Promise<void> }>;
  /** Frame extraction is CPU-bound: at most one ffmpeg per core, however many videos are in progress. */
  extractionSlot<T>(work: () => Promise<T>): Promise<T>;
  dispose(): void;
}

export interface EngineOptions {
  logger?: Logger;
  /** false: ask the endpoint again even for answers already cached (they are still recorded). */
  reuseAnswers?: boolean;
  /** JPEG bytes the frame cache keeps in memory (default 64 MB). A run that scores each video
   *  once (the CLI) gains nothing from it and passes 0: the frames are on disk. */
  frameMemoryBytes?: number;
}

export function createEngine(settings: EvalSettings, o: EngineOptions = {}): Engine {
  if (settings.endpoints.length === 0) {
    throw new FingerError('No endpoint is configured.', {
      hint: 'Set finger.endpoint.baseUrl and finger.endpoint.model (VS Code) or FINGER_ENDPOINT and FINGER_MODEL / --endpoint and --model (CLI).',
    });
  }
  const logger = o.logger ?? silentLogger;
  const poolFor = (endpoints: EndpointConfig[]) =>
    new EndpointPool({
      endpoints,
      concurrency: settings.concurrency,
      timeoutMs: settings.requestTimeoutMs,
      maxRetries: settings.maxRetries,
      routingHeader: settings.routingHeader,
      logger,
    });
  const pool = poolFor(settings.endpoints);
  const q = settings.questionEndpoint;
  const sameAsJudge = !q || settings.endpoints.some((e) => e.baseUrl === q.baseUrl && e.model === q.model);
  const questionClient = sameAsJudge ? pool : poolFor([q]);
  const frameCaches = new Map<string, FrameCache>();
  const answerCaches = new Map<string, AnswerCache>();
  let located: Promise<{ ffmpeg: string; ffprobe: string; verified: Promise<void> }> | undefined;
  const locateTools = () => {
    if (!located) {
      const lookup = locateFfmpeg({ ffmpegPath: settings.ffmpegPath, ffprobePath: settings.ffprobePath });
      located = lookup;
      // A failed lookup or check (ffmpeg installed or the setting fixed meanwhile) is tried again next time.
      const forget = () => {
        if (located === lookup) located = undefined;
      };
      lookup.then((t) => t.verified.catch(forget), forget);
    }
    return located;
  };
  const extraction = pLimit(Math.max(1, availableParallelism()));
  return {
    settings,
    pool,
    questionClient,
    questionModel: (q ?? settings.endpoints[0]!).model,
    logger,
    frameCache(ws) {
      const key = path.resolve(ws);
      let c = frameCaches.get(key);
      if (!c) {
        c = new FrameCache({ dir: cacheDir(ws, 'frames'), ...(o.frameMemoryBytes !== undefined ? { maxBytes: o.frameMemoryBytes } : {}) });
        frameCaches.set(key, c);
      }
      return c;
    },
    answerCache(ws) {
      const key = path.resolve(ws);
      let c = answerCaches.get(key);
      if (!c) answerCaches.set(key, (c = new AnswerCache(cacheDir(ws, 'answers'), { read: o.reuseAnswers !== false })));
      return c;
    },
    async tools() {
      const { ffmpeg, ffprobe, verified } = await locateTools();
      await verified;
      return { ffmpeg, ffprobe };
    },
    locateTools,
    extractionSlot: (work) => extraction(work),
    dispose() {
      frameCaches.clear();
      answerCaches.clear();
    },
  };
}

/** `clip.mp4` → `clip.questions.json` beside it. */
export function questionSetPathFor(videoPath: string): string {
  const ext = path.extname(videoPath);
  return path.join(path.dirname(videoPath), `${path.basename(videoPath, ext)}.questions.json`);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export interface PrepareQuestionSetOptions {
  videoPath: string;
  workspaceRoot: string;
  engine: Engine;
  signal?: AbortSignal;
  templates?: Templates;
  /** Ignore a `<name>.questions.json` beside the video (regenerate from the prompt). */
  ignoreQuestionFile?: boolean;
}

export interface PreparedQuestionSet {
  prompt: string;
  promptSource?: { kind: string; file: string };
  questionSet: QuestionSet;
  from: 'file' | 'generated';
  questionFile?: string;
}

/** The questions for a video: `<name>.questions.json` beside it when present, else generated from
 *  its prompt (cached by prompt + templates + model, so asking twice costs nothing). */
export async function prepareQuestionSet(o: PrepareQuestionSetOptions): Promise<PreparedQuestionSet> {
  const questionFile = questionSetPathFor(o.videoPath);
  if (!o.ignoreQuestionFile && (await exists(questionFile))) {
    const questionSet = await readQuestionSet(questionFile);
    return { prompt: questionSet.prompt, questionSet, from: 'file', questionFile };
  }
  const { prompt, source } = await readPrompt(o.videoPath, o.workspaceRoot);
  const templates = o.templates ?? (await loadTemplates({ workspaceRoot: o.workspaceRoot }));
  const questionSet = await generateQuestionSet(o.engine.questionClient, prompt, templates, {
    signal: o.signal,
    model: o.engine.questionModel,
    cacheDir: cacheDir(o.workspaceRoot, 'questions'),
    logger: o.engine.logger,
  });
  return { prompt, promptSource: source, questionSet, from: 'generated' };
}

export interface ScoreVideoOptions {
  /** Absolute path of the video. */
  videoPath: string;
  /** Root of `.finger/` and of relative paths. */
  workspaceRoot: string;
  settings: EvalSettings;
  /** Use this question set instead of `<name>.questions.json` or generating one. */
  questionSet?: QuestionSet;
  templates?: Templates;
  signal?: AbortSignal;
  onEvent?: (e: PipelineEvent) => void;
  logger?: Logger;
  /** Shared pool and caches; one is made (and disposed) for this call when absent. */
  engine?: Engine;
  resultsDir?: string;
}

export interface ScoreVideoOutcome {
  result: Result;
  resultFile: string;
  /** Answering requests sent to the endpoint (cached answers are not sent). */
  requestsSent: number;
  answersReused: number;
  /** False when the new result was worse than the complete one already saved, which was kept. */
  saved: boolean;
  /** Why the result was not saved, or how many failed questions were filled from the saved result. */
  note?: string;
}

export async function scoreVideo(o: ScoreVideoOptions): Promise<ScoreVideoOutcome> {
  const engine = o.engine ?? createEngine(o.settings, { logger: o.logger });
  try {
    return await scoreVideoWith(engine, o);
  } finally {
    if (!o.engine) engine.dispose();
  }
}

async function scoreVideoWith(engine: Engine, o: ScoreVideoOptions): Promise<ScoreVideoOutcome> {
  const settings = o.settings;
  const emit = o.onEvent ?? (() => {});
  const videoPath = path.resolve(o.videoPath);
  const rel = toWorkspaceRelative(o.workspaceRoot, videoPath);
  const sampling = { fps: settings.fps, maxFrames: settings.maxFrames, maxPixels: settings.maxPixels };
  throwIfAborted(o.signal);

  // Questions and frames do not depend on each other: prepare both at once. A video that is
  // unchanged since it was last probed and hashed (lookupVideo: a stat and one small file) whose
  // frames are cached needs no pixels until a question has to be sent: its answer-cache keys come
  // from the hash, so a rescore whose answers are all cached starts no ffmpeg and reads no frame.
  emit({ type: 'phase', video: rel, phase: 'probe' });
  const frameCache = engine.frameCache(o.workspaceRoot);
  const templatesP = o.templates ? Promise.resolve(o.templates) : loadTemplates({ workspaceRoot: o.workspaceRoot });
  const extract = async (known?: KnownVideo): Promise<SampledVideo> => {
    const { ffmpeg, ffprobe, verified } = await engine.locateTools();
    emit({ type: 'phase', video: rel, phase: 'frames' });
    return engine.extractionSlot(async () => {
      throwIfAborted(o.signal);
      const work = sampleVideo(videoPath, sampling, { ffmpeg, ffprobe, cache: frameCache, signal: o.signal, ...(known ? { known } : {}) });
      // A binary that fails its -version check is reported as such (it names the binary and the
      // setting), whatever the probe made of it.
      const [check, sampled] = await Promise.allSettled([verified, work]);
      if (check.status === 'rejected') throw check.reason;
      if (sampled.status === 'rejected') throw sampled.reason;
      return sampled.value;
    });
  };
  const framesP = (async (): Promise<VideoFrames> => {
    const known = await lookupVideo(videoPath, frameCache);
    if (known.facts) {
      const list = await frameCache.frameList(frameCacheKey(known.facts.sha256, sampling));
      if (list) return { info: known.facts.info, sha256: known.facts.sha256, frames: list, known };
    }
    const sampled = await extract(known);
    return { ...sampled, pixels: sampled.frames };
  })();
  const questionsP = (async () => {
    const templates = await templatesP;
    if (o.questionSet) return { prompt: o.questionSet.prompt, questionSet: o.questionSet };
    return prepareQuestionSet({ videoPath, workspaceRoot: o.workspaceRoot, engine, signal: o.signal, templates });
  })();
  // Both are awaited so that neither rejects unobserved when the other fails first.
  const [framesR, questionsR] = await Promise.allSettled([framesP, questionsP]);
  if (framesR.status === 'rejected') throw framesR.reason;
  if (questionsR.status === 'rejected') throw questionsR.reason;
  const sampled = framesR.value;
  const { prompt, questionSet } = questionsR.value;
  const templates = await templatesP;
  const frameFiles = frameCache.framePaths(frameCacheKey(sampled.sha256, sampling), sampled.frames);
  if (frameFiles) emit({ type: 'frames', video: rel, frames: frameFiles });
  emit({ type: 'phase', video: rel, phase: 'questions' });
  emit({ type: 'questions', video: rel, questionSet });

  // The video part is built once, when the first question has to be sent, and shared by every
  // question: the same bytes in every request, so vLLM/SGLang's prefix cache encodes the video once.
  let videoContentP: Promise<ChatCompletionContentPart[]> | undefined;
  const videoContent = (): Promise<ChatCompletionContentPart[]> =>
    (videoContentP ??= (async () => {
      let frames = sampled.pixels;
      if (!frames && settings.mode !== 'file') {
        frames = (await frameCache.get(frameCacheKey(sampled.sha256, sampling))) ?? (await extract(sampled.known)).frames;
      }
      return buildVideoContent({
        mode: settings.mode,
        frames: frames ?? [],
        ...(settings.mode === 'file' ? { file: { data: await readFile(videoPath), mime: videoMimeType(videoPath) } } : {}),
      });
    })());
  // The frame list's real rate and count, one object per video (its bytes are part of the
  // server's multimodal cache key), and the video's hash as the key that keeps all its requests
  // on one server of a fleet (README, "Serving a model").
  const videoTiming = videoTimingFields(settings.mode, sampled.frames.length, sampled.info.durationSec);
  const videoRequest = { affinityKey: sampled.sha256, ...(videoTiming ? { videoTiming } : {}) };
  const systemText = await renderTemplate(templates.answerSystem, { reasoning: settings.reasoning });
  const judgeEndpoint = settings.endpoints[0]!;
  const judge = { reasoning: settings.reasoning, temperature: settings.temperature, templateHash: templates.answerHash };
  const cache = engine.answerCache(o.workspaceRoot);

  emit({ type: 'phase', video: rel, phase: 'answers' });
  // Aborted by the caller, or by us at the first configuration error (see below). AbortSignal.any
  // also covers a caller's signal that was aborted already (Ctrl-C during frame extraction), which
  // an 'abort' listener added now would never hear.
  const answering = new AbortController();
  const answerSignal = o.signal ? AbortSignal.any([o.signal, answering.signal]) : answering.signal;
  let configError: ConfigError | undefined;
  let contentError: unknown;
  const total = questionSet.questions.length;
  let done = 0;
  let requestsSent = 0;
  let answersReused = 0;
  const answerOne = async (question: Question): Promise<AnsweredQuestion> => {
    const key = answerCacheKey({
      videoSha256: sampled.sha256,
      sampling: { mode: settings.mode, ...sampling },
      questionText: question.text,
      answerTemplateHash: templates.answerHash,
      model: judgeEndpoint.model,
      temperature: settings.temperature,
      reasoning: settings.reasoning,
    });
    const hit = await cache.get(sampled.sha256, key);
    let answered: AnsweredQuestion;
    if (hit) {
      answersReused++;
      answered = {
        ...question,
        answer: hit.answer,
        reason: hit.reason,
        pYes: hit.pYes,
        pNo: 1 - hit.pYes,
        score: entityScore(question.polarity, hit.pYes),
        probabilitySource: hit.probabilitySource,
        error: null,
      };
    } else {
      throwIfAborted(answerSignal);
      const questionText = await renderTemplate(templates.answerQuestion, {
        question: question.text,
        entity: question.entity,
        dimension: question.dimension,
        reasoning: settings.reasoning,
      });
      // Frames that cannot be loaded fail the whole video, as they did before any question was
      // asked when they were loaded up front.
      let content: ChatCompletionContentPart[];
      try {
        content = await videoContent();
      } catch (e) {
        if (contentError === undefined) {
          contentError = e;
          answering.abort();
        }
        throw e;
      }
      requestsSent++;
      try {
        answered = await answerQuestion(
          engine.pool,
          { question, systemText, videoContent: content, questionText, reasoning: settings.reasoning, temperature: settings.temperature, ...videoRequest },
          answerSignal,
        );
      } catch (e) {
        if (e instanceof ConfigError && !configError) {
          configError = e;
          answering.abort();
        }
        throw e;
      }
      await cache.put(sampled.sha256, key, answered);
    }
    done++;
    emit({ type: 'answer', video: rel, question: answered, cached: Boolean(hit), done, total });
    return answered;
  };
  // The pool bounds concurrency globally; every question is handed to it at once.
  const settled = await Promise.allSettled(questionSet.questions.map(answerOne));
  if (configError) throw configError;
  if (contentError !== undefined) throw contentError;
  const cancelled = settled.find((s) => s.status === 'rejected' && isAbortError(s.reason));
  if (cancelled || o.signal?.aborted) throw new CancelledError();
  const questions = settled.map((s, i): AnsweredQuestion => {
    if (s.status === 'fulfilled') return s.value;
    const q = questionSet.questions[i]!;
    const message = s.reason instanceof Error ? s.reason.message : String(s.reason);
    return { ...q, answer: null, reason: null, pYes: null, pNo: null, score: null, probabilitySource: null, error: message };
  });

  emit({ type: 'phase', video: rel, phase: 'save' });
  const result: Result = {
    version: 1,
    protocol: 'finger',
    video: {
      path: rel,
      sha256: sampled.sha256,
      durationSec: sampled.info.durationSec,
      width: sampled.info.width,
      height: sampled.info.height,
      fps: sampled.info.fps,
    },
    prompt,
    // A base URL may carry credentials (http://user:key@host/v1): a result keeps what is shown.
    endpoint: { baseUrl: displayUrl(judgeEndpoint.baseUrl), model: judgeEndpoint.model },
    sampling: { mode: settings.mode, ...sampling, frames: settings.mode === 'file' ? 0 : sampled.frames.length },
    judge,
    createdAt: new Date().toISOString(),
    questions,
    ...scoreDimensions(questions, settings.weights),
  };
  const resultFile = resultPathFor(o.workspaceRoot, videoPath, o.resultsDir);
  throwIfAborted(o.signal);
  const decision = await saveResultSafely(resultFile, result, rescoreFor('finger', { weights: settings.weights }));
  if (decision.written) {
    emit({ type: 'saved', video: rel, result: decision.result, resultFile });
    const note = decision.merged > 0 ? `${decision.merged} failed question(s) kept their earlier answers` : undefined;
    return { result: decision.result, resultFile, requestsSent, answersReused, saved: true, ...(note ? { note } : {}) };
  }
  return { result, resultFile, requestsSent, answersReused, saved: false, note: decision.reason };
}

export type { Frame };
