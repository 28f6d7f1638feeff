// Q-Save (Wu et al., "Q-Save: Towards Scoring and Attribution for Generated Video Evaluation",
// arXiv 2511.18825): a mean opinion score (MOS, 1–5) for the clip plus an attribution — a
// rating and the reason for it — on each of three dimensions: visual quality, dynamic quality
// and text-video alignment. The model sees the clip through SlowFast sampling: a few "slow"
// frames at high resolution for spatial detail and many "fast" frames at low resolution for
// motion.
//
// The paper's code and prompts are not released ("will be released upon publication"), so the
// query and the reply format here are ours, built from what the paper states: the three
// dimensions, a 1–5 MOS, chain-of-thought before the verdict (it trains on CoT-formatted data),
// and SlowFast input. Each rating is a single digit so its token's logprobs give a soft score,
// like the Q-Align family of the same group (expected value over the five levels).
//
// Result mapping: dimensions visual_quality, dynamic_degree (Q-Save's "dynamic quality": motion
// that is natural, smooth and plausible, not only how much there is) and text_alignment; the
// overall score is the MOS, not the mean of the three, because the MOS is what Q-Save predicts
// and is evaluated on. When the MOS cannot be read, the overall falls back to the mean.
import { createHash } from 'node:crypto';
import type { ChatCompletion, ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatRequest } from '../endpoint/types';
import { buildVideoContent, videoTimingFields } from '../judge/video-content';
import { extractFrames, frameCacheKey, sampleVideo, type Frame, type SamplingOptions } from '../video';
import { ratingProtocol, type RatedSample } from './rated';
import { defaultSlowFast } from './slowfast';
import { videoMetaOf, type ProtocolContext } from './strategy';

export { defaultSlowFast, type SlowFastOptions } from './slowfast';
import { PROTOCOL_LABELS } from '../types';
import {
  askRating,
  buildRatingRequest,
  findLastRating,
  normaliseRating,
  rationaleBefore,
  readRatedCompletion,
  type RatedField,
  TEXT_ALIGNMENT_PATTERN,
  VISUAL_QUALITY_RATING,
  type RatedFields,
  type RatingMatch,
  type RatingOutcome,
  type RatingRequestOptions,
  type SoftScoreRule,
} from './scores';

export type QSaveField = 'visual' | 'dynamic' | 'alignment';

interface FieldSpec extends RatedField<QSaveField> {
  /** Label of the attribution line for this dimension. */
  attributionLabel: string;
  attributionPattern: string;
}

export const QSAVE_FIELDS: readonly FieldSpec[] = [
  {
    field: 'visual',
    id: 'qsave.visual_quality',
    ...VISUAL_QUALITY_RATING,
    attributionLabel: 'visual attribution',
    attributionPattern: String.raw`visual[\s_-]*(?:quality[\s_-]*)?attribution`,
    text: 'Visual quality (1–5): sharpness, detail, colour and lighting, and freedom from noise, blur, distortion and generation artifacts in each frame.',
  },
  {
    field: 'dynamic',
    id: 'qsave.dynamic_degree',
    dimension: 'dynamic_degree',
    label: 'dynamic quality',
    pattern: String.raw`dynamic[\s_-]*quality`,
    attributionLabel: 'dynamic attribution',
    attributionPattern: String.raw`dynamic[\s_-]*(?:quality[\s_-]*)?attribution`,
    text: 'Dynamic quality (1–5): is the motion natural, smooth, sufficient and physically plausible, with stable subjects and no flicker, jumps or frozen frames?',
  },
  {
    field: 'alignment',
    id: 'qsave.text_alignment',
    dimension: 'text_alignment',
    label: 'text-video alignment',
    pattern: TEXT_ALIGNMENT_PATTERN,
    attributionLabel: 'alignment attribution',
    attributionPattern: String.raw`(?:(?:text[\s_-]*(?:to[\s_-]*)?video|t2v|text)[\s_-]*)?alignment[\s_-]*attribution`,
    text: 'Text-video alignment (1–5): does the video show every subject, attribute, action, count and setting of the prompt?',
  },
];

const MOS_PATTERN = String.raw`(?:overall|mos|mean[\s_-]*opinion)(?:[\s_-]*(?:quality|score|rating|mos))?`;

export const QSAVE_SYSTEM_TEXT = 'You are an expert in the quality assessment of AI-generated videos.';

export interface QSaveLayout {
  slowFrames: number;
  /** Whether the fast pathway is one video part (true) or separate images. */
  fastAsVideo: boolean;
}

/** The text part of the request (last, after the frames). */
export function buildQSaveQuery(prompt: string, layout: QSaveLayout): string {
  const slow =
    layout.slowFrames === 1
      ? 'The first image is a high-resolution key frame'
      : `The first ${layout.slowFrames} images are high-resolution key frames`;
  const fast = layout.fastAsVideo ? 'the video after them' : 'the remaining images';
  return [
    `${slow} of an AI-generated video (for spatial detail); ${fast} show the whole clip densely at low resolution (for motion).`,
    `The video was generated from this prompt: ${prompt.trim()}`,
    '',
    'Evaluate it on three dimensions:',
    '- visual quality: sharpness, detail, colour and lighting; noise, blur, distortion and generation artifacts;',
    '- dynamic quality: natural, smooth, sufficient and physically plausible motion; stable subjects; no flicker, jumps or frozen frames;',
    '- text-video alignment: every subject, attribute, action, count and setting of the prompt is shown.',
    '',
    'First think step by step inside <think></think>. Then give each rating as one integer from 1 (bad) to 5 (excellent), with the reason for it, and the overall mean opinion score, in exactly this format:',
    'visual quality: <1-5>',
    'visual attribution: <what raises or lowers the visual quality>',
    'dynamic quality: <1-5>',
    'dynamic attribution: <what raises or lowers the dynamic quality>',
    'text-video alignment: <1-5>',
    'alignment attribution: <what matches or is missing from the prompt>',
    'overall score: <1-5>',
  ].join('\n');
}

export const QSAVE_TEMPLATE_HASH = createHash('sha256')
  .update(`qsave\n${QSAVE_SYSTEM_TEXT}\n${buildQSaveQuery('{prompt}', { slowFrames: 2, fastAsVideo: true })}`)
  .digest('hex')
  .slice(0, 16);

export interface QSaveParse {
  ratings: Record<QSaveField, RatingMatch | null>;
  mos: RatingMatch | null;
  attributions: Record<QSaveField, string | null>;
  rationale: string | null;
}

/** The text after the last `label:` up to the end of its line (bounded gaps: no backtracking blow-up). */
function lastLineAfter(text: string, label: string): string | null {
  const re = new RegExp(String.raw`(?<![\p{L}])(?:${label})[ \t*_]{0,8}[:=：]([^\n]*)`, 'giu');
  let last: string | null = null;
  for (const m of text.matchAll(re))
    last =
      m[1]!
        .replace(/<\/?answer>/gi, '')
        .replace(/^[\s*_]+/, '')
        .trim() || null;
  return last;
}

export function parseQSaveReply(text: string): QSaveParse {
  const ratings = {} as Record<QSaveField, RatingMatch | null>;
  const attributions = {} as Record<QSaveField, string | null>;
  for (const f of QSAVE_FIELDS) {
    ratings[f.field] = findLastRating(text, f.pattern);
    attributions[f.field] = lastLineAfter(text, f.attributionPattern);
  }
  const mos = findLastRating(text, MOS_PATTERN);
  return { ratings, mos, attributions, rationale: rationaleBefore(text, [...Object.values(ratings), mos]) };
}

/** The Q-Align family's expected value over the five levels (Q-Save publishes no code). */
export const QSAVE_DEFAULT_SOFT_SCORE: SoftScoreRule = 'expected';

export interface QSaveScoringOptions {
  softScore?: SoftScoreRule;
}

export interface QSaveScored extends RatedFields {
  /** The MOS outcome (1–5, soft when logprobs allowed). */
  mos: RatingOutcome;
  /** MOS normalised to [0, 1], or null when it could not be read. */
  overall: number | null;
  rationale: string | null;
}

export function scoreQSaveCompletion(completion: ChatCompletion, options: QSaveScoringOptions = {}): QSaveScored {
  const { parsed, read, rate } = readRatedCompletion(completion, parseQSaveReply, options.softScore ?? QSAVE_DEFAULT_SOFT_SCORE);
  // The attribution is the reason for this rating; the shared reasoning when there is none.
  const rated = rate(
    QSAVE_FIELDS,
    (p, f) => p.ratings[f.field],
    (f) => parsed.attributions[f.field] ?? parsed.rationale,
  );
  const mos = read((p) => p.mos);
  return { ...rated, mos, overall: mos.ok ? normaliseRating(mos.rating.rating) : null, rationale: parsed.rationale };
}

export interface QSaveRequest extends RatingRequestOptions {
  /** Slow pathway: one image part per high-resolution frame. */
  slowContent: ChatCompletionContentPart[];
  /** Fast pathway: the low-resolution frames as the judge's video content. */
  fastContent: ChatCompletionContentPart[];
  /** Whether fastContent is a video part (for the wording of the query). */
  fastAsVideo: boolean;
  prompt: string;
}

/** Constant system text, then the frames (slow, then fast), then the query. */
export function buildQSaveRequest(r: QSaveRequest): ChatRequest {
  const query = buildQSaveQuery(r.prompt, { slowFrames: r.slowContent.length, fastAsVideo: r.fastAsVideo });
  return buildRatingRequest(QSAVE_SYSTEM_TEXT, [...r.slowContent, ...r.fastContent], query, r);
}

// ─── As a scoring protocol ──────────────────────────────────────────────────────────────────────

interface SlowFastFrames {
  /** High-resolution frames, one image part each. */
  slow: Frame[];
  /** Low-resolution frames of the fast pathway (none in `file` mode, where the server samples). */
  fast: Frame[];
  /** The clip's length: the fast pathway's rate is fast.length / durationSec. */
  durationSec: number;
}

/**
 * SlowFast: the slow frames through sampleVideo (which probes and hashes once), the fast frames
 * from the same probe with a second ffmpeg pass, both through the frame cache. The result's
 * `sampling` records the fast pathway's rate and the slow frames' pixel budget, and `frames`
 * counts every frame sent.
 */
async function sampleSlowFast(ctx: ProtocolContext, tools: { ffmpeg: string; ffprobe: string }): Promise<RatedSample<SlowFastFrames>> {
  const s = ctx.engine.settings;
  const sf = { ...defaultSlowFast(s.maxPixels, s.fps), ...ctx.inputs.slowFast };
  const cache = ctx.engine.frameCache(ctx.workspaceRoot);
  // planSampling caps at maxFrames: a rate far above any clip's frame rate gives exactly
  // `slowFrames` evenly spread frames (at the centres of equal intervals) for clips over 4 ms.
  const slowSampling: SamplingOptions = { fps: 1000, maxFrames: sf.slowFrames, maxPixels: sf.slowMaxPixels };
  const fastSampling: SamplingOptions = { fps: sf.fastFps, maxFrames: sf.fastMaxFrames, maxPixels: sf.fastMaxPixels };
  const slow = await sampleVideo(ctx.videoPath, slowSampling, { ...tools, cache, signal: ctx.signal });
  let fast: Frame[] | undefined;
  if (s.mode !== 'file') {
    const key = frameCacheKey(slow.sha256, fastSampling);
    fast = await cache.get(key);
    if (!fast) {
      fast = await extractFrames(ctx.videoPath, slow.info, fastSampling, { ffmpeg: tools.ffmpeg, signal: ctx.signal });
      await cache.set(key, fast);
    }
  }
  return {
    video: videoMetaOf(slow),
    sampling: {
      mode: s.mode,
      fps: sf.fastFps,
      maxFrames: sf.slowFrames + sf.fastMaxFrames,
      maxPixels: sf.slowMaxPixels,
      frames: slow.frames.length + (fast?.length ?? 0),
    },
    state: { slow: slow.frames, fast: fast ?? [], durationSec: slow.info.durationSec },
  };
}

/** Q-Save as a strategy: SlowFast frames, one request, the MOS as the overall. */
export const qSaveProtocol = ratingProtocol<SlowFastFrames>({
  id: 'qsave',
  label: PROTOCOL_LABELS.qsave,
  description: 'one request over SlowFast frames: a mean opinion score plus visual, dynamic and alignment attribution',
  fields: QSAVE_FIELDS,
  templateHash: QSAVE_TEMPLATE_HASH,
  defaultSoftScore: QSAVE_DEFAULT_SOFT_SCORE,
  sample: sampleSlowFast,
  async ask(ctx, prompt, frames, file) {
    const s = ctx.engine.settings;
    const slowContent = buildVideoContent({ mode: 'frames', frames: frames.slow });
    const fastContent = buildVideoContent({ mode: s.mode, frames: frames.fast, ...(file ? { file } : {}) });
    const { softScore, maxTokens } = ctx.inputs;
    // The fast pathway is the video part: its real rate (README, "Serving a model").
    const videoTiming = videoTimingFields(s.mode, frames.fast.length, frames.durationSec);
    const request = buildQSaveRequest({
      prompt,
      temperature: s.temperature,
      maxTokens,
      slowContent,
      fastContent,
      fastAsVideo: s.mode !== 'frames',
      ...(videoTiming ? { videoTiming } : {}),
    });
    const r = await askRating(ctx.engine.pool, request, (c) => scoreQSaveCompletion(c, { softScore }), ctx.signal);
    return { questions: r.questions, endpoint: r.endpoint, overall: r.overall };
  },
});
