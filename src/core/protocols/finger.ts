// FingER (Chen et al., ACM MM 2025, arXiv 2504.10358) as a scoring protocol: entity-level yes/no
// questions, each asked with the sampled frames, scored from the answer-token probabilities and
// aggregated with the paper's Eq. 3–4 (docs/ARCHITECTURE.md, "The FingER method").
import { readFile } from 'node:fs/promises';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import { displayUrl } from '../endpoint/endpoint-errors';
import { CancelledError, ConfigError, isAbortError, throwIfAborted } from '../errors';
import { answerQuestion, buildVideoContent, videoTimingFields } from '../judge';
import { prepareQuestionSet } from '../questions/prepare';
import { scoreDimensions } from '../scoring/finger';
import { answered, unanswered } from '../scoring/answers';
import { answerCacheKey } from '../store';
import { loadTemplates, renderTemplate, type Templates } from '../templates';
import { PROTOCOL_LABELS, type AnsweredQuestion, type Question } from '../types';
import {
  frameCacheKey,
  lookupVideo,
  sampleVideo,
  videoMimeType,
  type Frame,
  type FrameInfo,
  type KnownVideo,
  type SampledVideo,
  type SamplingOptions,
  type VideoInfo,
} from '../video';
import { rescoreFor } from './aggregate';
import { videoMetaOf, type Judged, type ProtocolContext, type ScoringProtocol } from './strategy';

/** A video's probe, hash and frame list; `pixels` when its frames are loaded already. */
interface VideoFrames {
  info: VideoInfo;
  sha256: string;
  frames: FrameInfo[];
  pixels?: Frame[];
  known?: KnownVideo;
}

interface FingerState {
  sampled: VideoFrames;
  sampling: SamplingOptions;
  templates: Templates;
  /** Samples the frames (again): when they are not cached and a question has to be sent. */
  extract(known?: KnownVideo): Promise<SampledVideo>;
}

function samplingOf(ctx: ProtocolContext): SamplingOptions {
  const s = ctx.engine.settings;
  return { fps: s.fps, maxFrames: s.maxFrames, maxPixels: s.maxPixels };
}

export const fingerProtocol: ScoringProtocol<FingerState> = {
  id: 'finger',
  label: PROTOCOL_LABELS.finger,
  description: 'entity-level yes/no questions with reasons, scored from the answer-token probabilities',
  needsEndpoint: true,

  async prepare(ctx) {
    const { engine, videoPath, workspaceRoot, inputs, signal } = ctx;
    const sampling = samplingOf(ctx);
    // Questions and frames do not depend on each other: prepare both at once. A video that is
    // unchanged since it was last probed and hashed (lookupVideo: a stat and one small file) whose
    // frames are cached needs no pixels until a question has to be sent: its answer-cache keys come
    // from the hash, so a rescore whose answers are all cached starts no ffmpeg and reads no frame.
    const frameCache = engine.frameCache(workspaceRoot);
    const templatesP = inputs.templates ? Promise.resolve(inputs.templates) : loadTemplates({ workspaceRoot });
    const extract = async (known?: KnownVideo): Promise<SampledVideo> => {
      const { ffmpeg, ffprobe, verified } = await engine.locateTools();
      ctx.phase('frames');
      return engine.extractionSlot(async () => {
        throwIfAborted(signal);
        const work = sampleVideo(videoPath, sampling, { ffmpeg, ffprobe, cache: frameCache, signal, ...(known ? { known } : {}) });
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
      if (inputs.questionSet) return { prompt: inputs.questionSet.prompt, questionSet: inputs.questionSet };
      return prepareQuestionSet({ videoPath, workspaceRoot, engine, signal, templates });
    })();
    // Both are awaited so that neither rejects unobserved when the other fails first.
    const [framesR, questionsR] = await Promise.allSettled([framesP, questionsP]);
    if (framesR.status === 'rejected') throw framesR.reason;
    if (questionsR.status === 'rejected') throw questionsR.reason;
    const sampled = framesR.value;
    const { prompt, questionSet } = questionsR.value;
    const templates = await templatesP;
    const mode = engine.settings.mode;
    const frameFiles = frameCache.framePaths(frameCacheKey(sampled.sha256, sampling), sampled.frames);
    return {
      video: videoMetaOf(sampled),
      prompt,
      questionSet,
      sampling: { mode, ...sampling, frames: mode === 'file' ? 0 : sampled.frames.length },
      ...(frameFiles ? { frameFiles } : {}),
      state: { sampled, sampling, templates, extract },
    };
  },

  async judge(ctx, prepared, onAnswer): Promise<Judged> {
    const { engine, videoPath, workspaceRoot, signal } = ctx;
    const settings = engine.settings;
    const { sampled, sampling, templates, extract } = prepared.state;
    const frameCache = engine.frameCache(workspaceRoot);
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
    const cache = engine.answerCache(workspaceRoot);

    // Aborted by the caller, or by us at the first configuration error (see below). AbortSignal.any
    // also covers a caller's signal that was aborted already (Ctrl-C during frame extraction), which
    // an 'abort' listener added now would never hear.
    const answering = new AbortController();
    const answerSignal = signal ? AbortSignal.any([signal, answering.signal]) : answering.signal;
    let configError: ConfigError | undefined;
    let contentError: unknown;
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
      let answer: AnsweredQuestion;
      if (hit) {
        answersReused++;
        answer = answered(question, hit);
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
          answer = await answerQuestion(
            engine.pool,
            {
              question,
              systemText,
              videoContent: content,
              questionText,
              reasoning: settings.reasoning,
              temperature: settings.temperature,
              ...videoRequest,
            },
            answerSignal,
          );
        } catch (e) {
          if (e instanceof ConfigError && !configError) {
            configError = e;
            answering.abort();
          }
          throw e;
        }
        await cache.put(sampled.sha256, key, answer);
      }
      onAnswer(answer, Boolean(hit));
      return answer;
    };
    // The pool bounds concurrency globally; every question is handed to it at once.
    const settled = await Promise.allSettled(prepared.questionSet.questions.map(answerOne));
    if (configError) throw configError;
    if (contentError !== undefined) throw contentError;
    const cancelled = settled.find((s) => s.status === 'rejected' && isAbortError(s.reason));
    if (cancelled || signal?.aborted) throw new CancelledError();
    const questions = settled.map((s, i): AnsweredQuestion => {
      if (s.status === 'fulfilled') return s.value;
      return unanswered(prepared.questionSet.questions[i]!, s.reason instanceof Error ? s.reason.message : String(s.reason));
    });
    return {
      questions,
      judge: { reasoning: settings.reasoning, temperature: settings.temperature, templateHash: templates.answerHash },
      // A base URL may carry credentials (http://user:key@host/v1): a result keeps what is shown.
      endpoint: { baseUrl: displayUrl(judgeEndpoint.baseUrl), model: judgeEndpoint.model },
      requestsSent,
      answersReused,
    };
  },

  // Eq. 3–4 with the dimension weights of the settings.
  aggregate: (ctx, judged) => scoreDimensions(judged.questions, ctx.engine.settings.weights),
  rescore: (ctx) => rescoreFor('finger', { weights: ctx.engine.settings.weights }),
  mergedNote: (merged) => `${merged} failed question(s) kept their earlier answers`,
};
