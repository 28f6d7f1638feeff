// VideoScore2 (He et al., "VideoScore2: Think before You Score in Generative Video Evaluation",
// arXiv 2509.22799; github.com/TIGER-AI-Lab/VideoScore2): one request per video; the model
// reasons, then rates three dimensions 1–5 in a fixed format:
//
//   visual quality: 4
//   text-to-video alignment: 3
//   physical/common-sense consistency: 4
//
// The query follows the repository's vs2_inference.py (the three dimension names with a short
// gloss, the prompt, then the output format); the labels are kept exactly, since the released
// model was trained on them (data/data_sft.py, data/data_rl.py). The soft score per dimension
// comes from the logprobs at that rating's digit token: by default as the repository's
// vs2_inference.py computes it (best rating × its probability renormalised over 1–5), the
// expected value on request (see SoftScoreRule).
//
// Pure parts (query, parsing, scoring a completion) come first and are separate from the request;
// the protocol's strategy (sampling and asking) is at the end.
import { createHash } from 'node:crypto';
import type { ChatCompletion, ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatRequest } from '../endpoint/types';
import { buildVideoContent, videoTimingFields } from '../judge/video-content';
import { sampleVideo, type Frame, type SamplingOptions } from '../video';
import { ratingProtocol } from './rated';
import { videoMetaOf } from './strategy';
import { PROTOCOL_LABELS } from '../types';
import {
  askRating,
  buildRatingRequest,
  findLastRating,
  rationaleBefore,
  readRatedCompletion,
  type RatedField,
  TEXT_ALIGNMENT_PATTERN,
  VISUAL_QUALITY_RATING,
  type RatedFields,
  type RatingMatch,
  type RatingRequestOptions,
  type SoftScoreRule,
} from './scores';

export type VideoScore2Field = 'visual' | 't2v' | 'physical';

/** VideoScore2's dimensions mapped onto ours. */
export const VIDEOSCORE2_FIELDS: readonly RatedField<VideoScore2Field>[] = [
  {
    field: 'visual',
    id: 'videoscore2.visual_quality',
    ...VISUAL_QUALITY_RATING,
    text: 'Visual quality (1–5): clarity, resolution, smoothness, stability of brightness and contrast, distortions and artifacts.',
  },
  {
    field: 't2v',
    id: 'videoscore2.text_alignment',
    dimension: 'text_alignment',
    label: 'text-to-video alignment',
    pattern: TEXT_ALIGNMENT_PATTERN,
    text: 'Text-to-video alignment (1–5): does the video fully and accurately show what the prompt describes (subjects, actions, attributes, counts, setting)?',
  },
  {
    field: 'physical',
    id: 'videoscore2.factual_consistency',
    dimension: 'factual_consistency',
    label: 'physical/common-sense consistency',
    pattern: String.raw`(?:physical[\s_-]*(?:(?:\/|and|&|or)[\s_-]*)?(?:common[\s_-]*sense[\s_-]*)?|common[\s_-]*sense[\s_-]*)consistency`,
    text: 'Physical/common-sense consistency (1–5): is everything physically plausible and natural, without violations of physics or common sense?',
  },
];

export const VIDEOSCORE2_SYSTEM_TEXT = 'You are an expert for evaluating and commenting on the quality of AI-generated videos.';

/** The text part of the request (last, after the video). */
export function buildVideoScore2Query(prompt: string): string {
  return [
    'You are an expert for evaluating AI-generated videos from three dimensions:',
    '(1) visual quality – clarity, smoothness, artifacts;',
    '(2) text-to-video alignment – fidelity to the prompt;',
    '(3) physical/common-sense consistency – naturalness and physics plausibility.',
    '',
    `Video prompt: ${prompt.trim()}`,
    '',
    'Think about the video first, then rate each dimension with an integer from 1 (bad) to 5 (perfect, like a real video).',
    'Please output in this format:',
    'visual quality: <v_score>;',
    'text-to-video alignment: <t_score>,',
    'physical/common-sense consistency: <p_score>',
  ].join('\n');
}

/** Identifies the way of asking in results (`judge.templateHash`), so a changed query is a new judging. */
export const VIDEOSCORE2_TEMPLATE_HASH = createHash('sha256')
  .update(`videoscore2\n${VIDEOSCORE2_SYSTEM_TEXT}\n${buildVideoScore2Query('{prompt}')}`)
  .digest('hex')
  .slice(0, 16);

export interface VideoScore2Parse {
  ratings: Record<VideoScore2Field, RatingMatch | null>;
  rationale: string | null;
}

/** Finds the three ratings (the last of each in the text) and the rationale before them. */
export function parseVideoScore2Reply(text: string): VideoScore2Parse {
  const ratings = {} as Record<VideoScore2Field, RatingMatch | null>;
  for (const f of VIDEOSCORE2_FIELDS) ratings[f.field] = findLastRating(text, f.pattern);
  return { ratings, rationale: rationaleBefore(text, Object.values(ratings)) };
}

/** As VideoScore2's released vs2_inference.py computes it; 'expected' (Σ d·p(d)) on request. */
export const VIDEOSCORE2_DEFAULT_SOFT_SCORE: SoftScoreRule = 'vs2-normed';

export interface VideoScore2Options {
  /** Default VIDEOSCORE2_DEFAULT_SOFT_SCORE. */
  softScore?: SoftScoreRule;
}

export interface VideoScore2Scored extends RatedFields {
  rationale: string | null;
}

/** Scores one completion: ratings from the text, soft ratings from the digit logprobs. */
export function scoreVideoScore2Completion(completion: ChatCompletion, options: VideoScore2Options = {}): VideoScore2Scored {
  const { parsed, rate } = readRatedCompletion(completion, parseVideoScore2Reply, options.softScore ?? VIDEOSCORE2_DEFAULT_SOFT_SCORE);
  const rated = rate(
    VIDEOSCORE2_FIELDS,
    (p, f) => p.ratings[f.field],
    () => parsed.rationale,
  );
  return { ...rated, rationale: parsed.rationale };
}

export interface VideoScore2Request extends RatingRequestOptions {
  /** The video as content parts (the judge's buildVideoContent). */
  videoContent: ChatCompletionContentPart[];
  prompt: string;
}

/** The chat request: constant system text, then the video, then the query (prefix-cache order). */
export function buildVideoScore2Request(r: VideoScore2Request): ChatRequest {
  return buildRatingRequest(VIDEOSCORE2_SYSTEM_TEXT, r.videoContent, buildVideoScore2Query(r.prompt), r);
}

// ─── As a scoring protocol ──────────────────────────────────────────────────────────────────────

/** VideoScore2 as a strategy: the judge's usual frame sampling, one request. */
export const videoScore2Protocol = ratingProtocol<{ frames: Frame[]; durationSec: number }>({
  id: 'videoscore2',
  label: PROTOCOL_LABELS.videoscore2,
  description: 'one request: visual quality, text alignment and physical consistency rated 1–5 with a rationale',
  fields: VIDEOSCORE2_FIELDS,
  templateHash: VIDEOSCORE2_TEMPLATE_HASH,
  defaultSoftScore: VIDEOSCORE2_DEFAULT_SOFT_SCORE,
  async sample(ctx, tools) {
    const s = ctx.engine.settings;
    const sampling: SamplingOptions = { fps: s.fps, maxFrames: s.maxFrames, maxPixels: s.maxPixels };
    const video = await sampleVideo(ctx.videoPath, sampling, {
      ...tools,
      cache: ctx.engine.frameCache(ctx.workspaceRoot),
      signal: ctx.signal,
    });
    return {
      video: videoMetaOf(video),
      sampling: { mode: s.mode, ...sampling, frames: s.mode === 'file' ? 0 : video.frames.length },
      state: { frames: video.frames, durationSec: video.info.durationSec },
    };
  },
  ask(ctx, prompt, state, file) {
    const s = ctx.engine.settings;
    const videoContent = buildVideoContent({ mode: s.mode, frames: state.frames, ...(file ? { file } : {}) });
    const { softScore, maxTokens } = ctx.inputs;
    // The frame list's real rate and count (README, "Serving a model").
    const videoTiming = videoTimingFields(s.mode, state.frames.length, state.durationSec);
    const request = { prompt, temperature: s.temperature, maxTokens, videoContent, ...(videoTiming ? { videoTiming } : {}) };
    return askRating(ctx.engine.pool, buildVideoScore2Request(request), (c) => scoreVideoScore2Completion(c, { softScore }), ctx.signal);
  },
});
