// What the 1–5 rating protocols (VideoScore2, Q-Save) share: finding each rating's digit in the
// reply, turning the digit token's logprobs into a soft score, and presenting a rated dimension
// in FingER's result shape. Pure functions over the reply text and the completion's logprobs.
import type { VideoTimingFields } from '../judge/video-content';
import type { ChatCompletion, ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatClient, ChatRequest } from '../endpoint/types';
import { answered, unanswered } from '../scoring/answers';
import type { AnsweredQuestion, Dimension, ProbabilitySource, Question } from '../types';

export const MIN_RATING = 1;
export const MAX_RATING = 5;

/** One rating found in a reply: its value and the character offset of its first digit. */
export interface RatingMatch {
  value: number;
  /** Offset in the text that was parsed of the rating's first character. */
  index: number;
  /** False for a value with a fractional part ("3.5"): no single token carries it. */
  integer: boolean;
}

/** How far after a label its number may start ("visual quality score (1-5):   4"). */
const MAX_GAP = 48;

/**
 * The last `label … N` in the text (the final verdict comes after the reasoning, and the
 * reasoning may mention a dimension too). `label` is a regular-expression source, matched
 * case-insensitively where a word starts. Between label and number: markdown emphasis and
 * spaces, an optional short parenthesis ("(1-5)"), an optional "score"/"rating", and a colon or
 * equals sign — or at least a space. Read with a scanner rather than one regular expression,
 * because nested optional whitespace in a pattern backtracks catastrophically on model output
 * with long runs of spaces.
 */
export function findLastRating(text: string, label: string): RatingMatch | null {
  const re = new RegExp(String.raw`(?<![\p{L}])(?:${label})`, 'giu');
  let last: RatingMatch | null = null;
  for (const m of text.matchAll(re)) {
    const found = ratingAfter(text, m.index + m[0].length);
    if (found) last = found;
  }
  return last;
}

function ratingAfter(text: string, from: number): RatingMatch | null {
  const limit = Math.min(text.length, from + MAX_GAP);
  let i = from;
  // Before the separator a rating stays on the label's line; after it, it may start the next.
  const skip = (newlines = false): void => {
    while (i < limit && /[\s*_]/.test(text[i]!) && (newlines || text[i] !== '\n')) i++;
  };
  skip();
  if (text[i] === '(') {
    const inside = text.slice(i, i + 22);
    const close = inside.indexOf(')');
    if (close < 0 || inside.slice(0, close).includes('\n')) return null;
    i += close + 1;
    skip();
  }
  const word = /^(?:score|rating)/i.exec(text.slice(i, i + 6));
  if (word) {
    i += word[0].length;
    skip();
  }
  if (i < limit && /[:=：]/.test(text[i]!)) {
    i++;
    skip(true);
  } else if (i === from) {
    return null; // "visual quality4": glued, not a rating
  }
  if (i >= limit) return null;
  const num = /^(\d+(?:\.\d+)?)(?![\d.]*\d)/.exec(text.slice(i, i + 32));
  if (!num) return null;
  const raw = num[1]!;
  const value = Number(raw);
  return Number.isFinite(value) ? { value, index: i, integer: !raw.includes('.') } : null;
}

/** One generated token with its alternatives, as OpenAI-compatible servers return them. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: ReadonlyArray<{ token: string; logprob: number }> | null;
}

export function logprobTokens(completion: ChatCompletion): TokenLogprob[] | null {
  const content = completion.choices[0]?.logprobs?.content;
  return content && content.length > 0 ? content : null;
}

/** The text the tokens spell and where each token starts in it. */
export function tokenText(tokens: readonly TokenLogprob[]): { text: string; starts: number[] } {
  const starts: number[] = [];
  let text = '';
  for (const t of tokens) {
    starts.push(text.length);
    text += t.token;
  }
  return { text, starts };
}

/** The index of the token that covers character `offset` of the tokens' text, or -1. */
export function tokenAt(starts: readonly number[], tokens: readonly TokenLogprob[], offset: number): number {
  // Binary search for the last token that starts at or before offset.
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return -1;
  return offset < starts[found]! + tokens[found]!.token.length ? found : -1;
}

/** The rating digit a token stands for: "4", " 4", "**4", "4." → 4; anything else → null. */
export function ratingDigit(token: string): number | null {
  const core = token.trim().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (!/^\d$/.test(core)) return null;
  const d = Number(core);
  return d >= MIN_RATING && d <= MAX_RATING ? d : null;
}

/**
 * The probability of each rating 1–5 at one token position, renormalised over the rating digits
 * found there: every entry of top_logprobs (and the sampled token itself, which servers do not
 * always repeat in top_logprobs) whose token is a rating digit; spellings of the same digit
 * ("4", " 4") add up, each distinct token string counted once. Null when none is a digit.
 */
export function ratingDistribution(position: TokenLogprob): Map<number, number> | null {
  const seen = new Set<string>();
  const mass = new Map<number, number>();
  const candidates = [{ token: position.token, logprob: position.logprob }, ...(position.top_logprobs ?? [])];
  for (const c of candidates) {
    if (seen.has(c.token)) continue;
    seen.add(c.token);
    const d = ratingDigit(c.token);
    if (d === null || !Number.isFinite(c.logprob)) continue;
    mass.set(d, (mass.get(d) ?? 0) + Math.exp(c.logprob));
  }
  const total = [...mass.values()].reduce((s, p) => s + p, 0);
  if (!(total > 0)) return null;
  for (const [d, p] of mass) mass.set(d, p / total);
  return mass;
}

/**
 * How the distribution over 1–5 becomes one score:
 * - `vs2-normed`: d*·p(d*), with d* the most probable digit and p renormalised over the digits
 *   1–5 (the first digit on a tie): what VideoScore2's released inference script computes
 *   (github.com/TIGER-AI-Lab/VideoScore2, vs2_inference.py, `ll_based_soft_score_normed`, which
 *   then rounds to 4 places for printing). VideoScore2's default. It is not monotone in the
 *   distribution (a confident 3 can beat an unsure 4).
 * - `expected`: Σ d·p(d), the expectation (Q-Align's and VideoScore2's "weighted" variant); Q-Save's
 *   default, and VideoScore2's on request.
 */
export type SoftScoreRule = 'expected' | 'vs2-normed';

export function softRating(distribution: ReadonlyMap<number, number>, rule: SoftScoreRule = 'expected'): number {
  if (rule === 'vs2-normed') {
    // In digit order, as vs2_inference.py's `probs_list.index(max_prob)` breaks ties.
    const total = [...distribution.values()].reduce((s, p) => s + p, 0);
    let best = MIN_RATING;
    let bestP = -1;
    for (let d = MIN_RATING; d <= MAX_RATING; d++) {
      const p = distribution.get(d) ?? 0;
      if (p > bestP) {
        best = d;
        bestP = p;
      }
    }
    return total > 0 ? (best * bestP) / total : 0;
  }
  let sum = 0;
  for (const [d, p] of distribution) sum += d * p;
  return sum;
}

/** 1–5 → [0, 1], linearly: 1 → 0, 3 → 0.5, 5 → 1 (clamped, since vs2-normed can fall below 1). */
export function normaliseRating(rating: number): number {
  return Math.min(1, Math.max(0, (rating - MIN_RATING) / (MAX_RATING - MIN_RATING)));
}

/** A rating read from a reply: the 1–5 value used for scoring and where it came from. */
export interface ReadRating {
  /** The sampled (written) rating. */
  sampled: number;
  /** Soft rating from the digit logprobs, or the sampled one when they are missing. */
  rating: number;
  source: ProbabilitySource;
  /** P(d) for d = 1…5 at the digit token when logprobs were used. */
  distribution?: Record<string, number>;
}

export type RatingOutcome = { ok: true; rating: ReadRating } | { ok: false; error: string };

/**
 * Reads one field's rating. `inContent` is the field as parsed from the message text (what was
 * written); `inTokens` is the same field parsed from the text the logprob tokens spell, located
 * at a token so its alternatives can be read. The two texts are normally identical; when they
 * are not (a server that detokenises differently) the token parse is still used if it found
 * the same value. Falls back to the sampled value when there are no usable logprobs.
 */
export function readRating(
  inContent: RatingMatch | null,
  tokens: { list: readonly TokenLogprob[]; starts: readonly number[]; match: RatingMatch | null } | null,
  rule: SoftScoreRule,
): RatingOutcome {
  if (!inContent) return { ok: false, error: 'the reply has no rating for it' };
  const sampled = inContent.value;
  if (sampled < MIN_RATING || sampled > MAX_RATING) {
    return { ok: false, error: `the rating ${sampled} is outside ${MIN_RATING}–${MAX_RATING}` };
  }
  const fallback: RatingOutcome = { ok: true, rating: { sampled, rating: sampled, source: 'sampled' } };
  if (!inContent.integer || !tokens?.match || tokens.match.value !== sampled) return fallback;
  const at = tokenAt(tokens.starts, tokens.list, tokens.match.index);
  if (at < 0) return fallback;
  const position = tokens.list[at]!;
  if (ratingDigit(position.token) !== sampled) return fallback; // the digit shares a token with other text
  const distribution = ratingDistribution(position);
  if (!distribution) return fallback;
  const rounded: Record<string, number> = {};
  for (let d = MIN_RATING; d <= MAX_RATING; d++) rounded[String(d)] = distribution.get(d) ?? 0;
  return { ok: true, rating: { sampled, rating: softRating(distribution, rule), source: 'logprobs', distribution: rounded } };
}

/** A dimension a protocol rates, and the question text that stands for it in the result. */
export interface RatedDimension {
  /** Stable id of the pseudo-question, e.g. `videoscore2.visual_quality`. */
  id: string;
  dimension: Dimension;
  /** The criterion, shown where FingER shows a question. */
  text: string;
}

/** A rating a protocol's reply carries: the label it is written under and how to find it. */
export interface RatedField<F extends string> extends RatedDimension {
  field: F;
  /** The label in the protocol's output format. */
  label: string;
  /** Regular-expression source that also accepts the drift seen in practice. */
  pattern: string;
}

/** Visual quality, labelled alike by VideoScore2 and Q-Save. */
export const VISUAL_QUALITY_RATING = {
  dimension: 'visual_quality',
  label: 'visual quality',
  pattern: String.raw`visual[\s_-]*quality`,
} as const;

/** Text alignment's label: "text-to-video alignment", "text-video alignment", "t2v alignment", "text alignment". */
export const TEXT_ALIGNMENT_PATTERN = String.raw`(?:text[\s_-]*(?:to[\s_-]*)?video|t2v|text)[\s_-]*alignment`;

/**
 * A rated dimension in FingER's result shape, so the results panel, exports and agreement
 * metrics read it like any question:
 * - `score` = the 1–5 rating normalised to [0, 1] (see normaliseRating), `pYes` the same and
 *   `pNo` = 1 − score: read "Yes" as "this criterion is met", with the rating as its strength;
 * - `answer` = 'Yes' when score ≥ 0.5 (a rating of 3 or more), else 'No', the panel's pass/fail;
 * - `polarity` positive, `entity` empty (the rating is about the whole clip, not one entity);
 * - `reason` the model's rationale or attribution for that dimension.
 * A dimension that could not be read has answer/score null and `error` set, like a failed question.
 */
export function ratedQuestion(d: RatedDimension, outcome: RatingOutcome, reason: string | null): AnsweredQuestion {
  const question = ratedDimensionQuestion(d);
  if (!outcome.ok) return unanswered(question, outcome.error, reason);
  const score = normaliseRating(outcome.rating.rating);
  // A positive question scores its pYes: the normalised rating.
  return answered(question, { answer: score >= 0.5 ? 'Yes' : 'No', reason, pYes: score, probabilitySource: outcome.rating.source });
}

/** The question that stands for a rated dimension, before it is rated (a pending row). */
export function ratedDimensionQuestion(d: RatedDimension): Question {
  return { id: d.id, dimension: d.dimension, entity: '', text: d.text, polarity: 'positive' };
}

/** The reasoning of a reply before its verdict, which starts at the line of the first rating found. */
export function rationaleBefore(text: string, ratings: readonly (RatingMatch | null)[]): string | null {
  const found = ratings.filter((r): r is RatingMatch => r !== null);
  const first = found.length > 0 ? Math.min(...found.map((r) => r.index)) : null;
  return reasoningOf(text, first === null ? null : text.lastIndexOf('\n', first) + 1);
}

/** The reasoning of a reply: inside <think>…</think> when present, else what precedes `before`. */
export function reasoningOf(text: string, before: number | null): string | null {
  const think = /<think>([\s\S]*?)(?:<\/think>|$)/i.exec(text);
  if (think) return tidy(think[1]!);
  const heading = /#+\s*thinking process\s*:?\s*([\s\S]*?)(?=#+\s*score|$)/i.exec(text);
  if (heading) return tidy(heading[1]!);
  if (before === null) return tidy(text);
  return tidy(text.slice(0, before));
}

function tidy(s: string): string | null {
  const t = s.replace(/<\/?(?:answer|think|reason)>/gi, '').trim();
  return t.length > 0 ? t : null;
}

/**
 * A rating request of VideoScore2 or Q-Save: constant system text, then the visual content, then
 * the query (the prefix-cache order of every request we send), with logprobs for the digits.
 */
export function buildRatingRequest(
  systemText: string,
  visualContent: readonly ChatCompletionContentPart[],
  query: string,
  o: RatingRequestOptions,
): ChatRequest {
  return {
    messages: [
      { role: 'system', content: systemText },
      { role: 'user', content: [...visualContent, { type: 'text', text: query }] },
    ],
    temperature: o.temperature,
    max_tokens: o.maxTokens ?? 1024,
    logprobs: true,
    // 10 alternatives hold all five digits in practice and keep the reply small.
    top_logprobs: o.topLogprobs ?? 10,
    // The frame list's rate and count (README, "Serving a model").
    ...o.videoTiming,
  };
}

/** What every rating request is asked with, besides its content. */
export interface RatingRequestOptions {
  temperature: number;
  /** Long enough for the reasoning and the verdict (VideoScore2's vs2_inference.py uses 1024). */
  maxTokens?: number;
  /** Alternatives per token; 10 holds all five digits in practice and keeps the reply small. */
  topLogprobs?: number;
  /** The rate and count of the video part's frames (videoTimingFields). */
  videoTiming?: VideoTimingFields;
}

/** The rated dimensions of one reply, as questions, with the outcome behind each. */
export interface RatedFields {
  questions: AnsweredQuestion[];
  /** Per dimension, the outcome behind each question (soft rating, distribution, or error). */
  outcomes: Partial<Record<Dimension, RatingOutcome>>;
}

/**
 * Reads a completion of a rating protocol: `parse` finds the ratings in the message text and, at
 * the same places, in the text the logprob tokens spell (readRating), so that `read(pick)` gives
 * the outcome of the rating `pick` selects from a parse; `rate(fields, reasonFor)` reads every
 * field into its question.
 */
export function readRatedCompletion<P>(completion: ChatCompletion, parse: (text: string) => P, rule: SoftScoreRule) {
  const content = completion.choices[0]?.message?.content ?? '';
  const parsed = parse(content);
  const tokens = logprobTokens(completion);
  const spelled = tokens ? tokenText(tokens) : null;
  const parsedTokens = spelled && spelled.text !== content ? parse(spelled.text) : parsed;
  const read = (pick: (p: P) => RatingMatch | null): RatingOutcome =>
    readRating(pick(parsed), tokens && spelled ? { list: tokens, starts: spelled.starts, match: pick(parsedTokens) } : null, rule);
  const rate = <F extends RatedDimension>(
    fields: readonly F[],
    pick: (p: P, field: F) => RatingMatch | null,
    reasonFor: (field: F) => string | null,
  ): RatedFields => {
    const outcomes: Partial<Record<Dimension, RatingOutcome>> = {};
    const questions = fields.map((f) => {
      const outcome = read((p) => pick(p, f));
      outcomes[f.dimension] = outcome;
      return ratedQuestion(f, outcome, reasonFor(f));
    });
    return { questions, outcomes };
  };
  return { parsed, read, rate };
}

/** Asks once and scores the reply. Transport errors propagate (the caller records them). */
export async function askRating<S>(
  client: ChatClient,
  request: ChatRequest,
  score: (completion: ChatCompletion) => S,
  signal?: AbortSignal,
): Promise<S & { endpoint: { baseUrl: string; model: string } }> {
  const response = await client.chat(request, { signal });
  return { ...score(response.completion), endpoint: response.endpoint };
}
