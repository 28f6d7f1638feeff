// Reading the judge's reply: the Yes/No answer and reason from the text, and the answer-token
// probability from the logprobs (docs/ARCHITECTURE.md, "The FingER method", Eq. 1).
import type { Answer, ProbabilitySource } from '../types';

/** One generated token with its alternatives, as in `choices[0].logprobs.content`. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top_logprobs?: ReadonlyArray<{ token: string; logprob: number }> | null;
}

export interface AnswerProbability {
  pYes: number;
  pNo: number;
  source: ProbabilitySource;
}

const ANSWER_OPEN = /<\s*answer\s*>/i;
const ANSWER_CLOSE = /<\s*\/\s*answer\s*>/i;
const REASON_OPEN = /<\s*reason\s*>/i;
const REASON_CLOSE = /<\s*\/\s*reason\s*>/i;

/**
 * 'yes' or 'no' when `token`, trimmed of whitespace and of surrounding quotes, punctuation and
 * symbols (`"Yes`, ` yes`, `YES.`, `>Yes`), is that word case-insensitively; otherwise null.
 */
export function yesNoOf(token: string): 'yes' | 'no' | null {
  const word = token.replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '').toLowerCase();
  return word === 'yes' ? 'yes' : word === 'no' ? 'no' : null;
}

/**
 * The `<answer>` tag that holds the answer: the first one after `</reason>` when the reply has
 * one (a reason may quote the tag, e.g. when it echoes the instructions), else the first one.
 * Returns the offset just past the tag, or -1.
 */
function answerTagEnd(text: string): number {
  const reasonClose = REASON_CLOSE.exec(text);
  if (reasonClose) {
    const from = reasonClose.index + reasonClose[0].length;
    const open = ANSWER_OPEN.exec(text.slice(from));
    if (open) return from + open.index + open[0].length;
  }
  const open = ANSWER_OPEN.exec(text);
  return open ? open.index + open[0].length : -1;
}

/** Yes/No from the start of a piece of text ("Yes", " no.", "\"Yes, it does"), else null. */
function leadingAnswer(text: string): Answer | null {
  const m = /^[\s\p{P}\p{S}]*(yes|no)\b/iu.exec(text);
  if (!m) return null;
  return m[1]!.toLowerCase() === 'yes' ? 'Yes' : 'No';
}

/**
 * Tolerant reading of `<reason>…</reason><answer>Yes|No</answer>`: tags in any case and with
 * inner spaces, missing closing tags, text around them, a reply that is only the answer
 * ("Yes", " no."), and untagged replies that say "the answer is Yes". The reason is the
 * `<reason>` content, or for an untagged reply the whole text when it is more than the answer.
 */
export function parseAnswerText(text: string | null | undefined): { answer: Answer | null; reason: string | null } {
  const reply = text ?? '';
  let answer: Answer | null = null;
  let reason: string | null = null;

  const answerStart = answerTagEnd(reply);
  const open = answerStart >= 0;
  if (open) {
    const after = reply.slice(answerStart);
    const close = ANSWER_CLOSE.exec(after);
    answer = leadingAnswer(close ? after.slice(0, close.index) : after);
  }

  const reasonOpen = REASON_OPEN.exec(reply);
  if (reasonOpen) {
    const after = reply.slice(reasonOpen.index + reasonOpen[0].length);
    // Up to </reason>; an unclosed reason ends where the answer starts.
    const end = REASON_CLOSE.exec(after)?.index ?? ANSWER_OPEN.exec(after)?.index ?? after.length;
    const body = after.slice(0, end).trim();
    reason = body === '' ? null : body;
  }

  if (!open && !reasonOpen) {
    const plain = reply.trim();
    answer = leadingAnswer(plain);
    if (answer === null) {
      const stated = [...plain.matchAll(/\banswer\s*(?:is|:)\s*[\s\p{P}\p{S}]*(yes|no)\b/giu)].pop();
      if (stated) answer = stated[1]!.toLowerCase() === 'yes' ? 'Yes' : 'No';
    }
    const withoutAnswer = plain.replace(/^[\s\p{P}\p{S}]*(yes|no)[\s\p{P}\p{S}]*$/iu, '');
    reason = withoutAnswer === '' ? null : plain;
  } else if (!open && answer === null && reasonOpen) {
    // "<reason>…</reason> Yes": an answer after the reason without its tag.
    const close = REASON_CLOSE.exec(reply);
    if (close) answer = leadingAnswer(reply.slice(close.index + close[0].length));
  }
  return { answer, reason };
}

/**
 * Index of the token that carries the answer: in fast mode the first generated token; in
 * reasoning mode the token holding the first non-whitespace character after `<answer>` (the one
 * after `</reason>` when there is one), found by
 * character offsets over the concatenated tokens so it works however the tag is split ("<",
 * "answer", ">") or glued (">Yes", "<answer>Yes"). -1 when there is none.
 */
export function answerTokenIndex(tokens: ReadonlyArray<{ token: string }>, reasoning: boolean): number {
  if (tokens.length === 0) return -1;
  if (!reasoning) return 0;
  const text = tokens.map((t) => t.token).join('');
  let pos = answerTagEnd(text);
  if (pos < 0) return -1;
  while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  if (pos >= text.length) return -1;
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    const end = start + tokens[i]!.token.length;
    if (pos < end) return i;
    start = end;
  }
  return -1;
}

/**
 * FingER Eq. 1. At the answer token, every top_logprobs entry that is a yes/no variant counts:
 * pYes = Σ exp(lp_yes) / (Σ exp(lp_yes) + Σ exp(lp_no)), computed relative to the largest
 * logprob so very small probabilities do not underflow. Without any such entry, the sampled
 * answer decides (p = 1 or 0, source 'sampled'); null when there is neither.
 */
export function readAnswerProbability(
  content: ReadonlyArray<TokenLogprob> | null | undefined,
  opts: { reasoning: boolean },
  sampledAnswer: Answer | null,
): AnswerProbability | null {
  const fromLogprobs = content ? probabilityAt(content, opts.reasoning) : null;
  if (fromLogprobs) return fromLogprobs;
  if (sampledAnswer === null) return null;
  const pYes = sampledAnswer === 'Yes' ? 1 : 0;
  return { pYes, pNo: 1 - pYes, source: 'sampled' };
}

function probabilityAt(content: ReadonlyArray<TokenLogprob>, reasoning: boolean): AnswerProbability | null {
  const index = answerTokenIndex(content, reasoning);
  const entries = index >= 0 ? (content[index]!.top_logprobs ?? []) : [];
  const yes: number[] = [];
  const no: number[] = [];
  for (const e of entries) {
    if (typeof e.logprob !== 'number' || Number.isNaN(e.logprob)) continue;
    const word = yesNoOf(e.token);
    if (word === 'yes') yes.push(e.logprob);
    else if (word === 'no') no.push(e.logprob);
  }
  const max = Math.max(...yes, ...no);
  if (!Number.isFinite(max)) return null;
  const mass = (lps: number[]) => lps.reduce((s, lp) => s + Math.exp(lp - max), 0);
  const yesMass = mass(yes);
  const noMass = mass(no);
  const pYes = Math.min(1, Math.max(0, yesMass / (yesMass + noMass)));
  return { pYes, pNo: 1 - pYes, source: 'logprobs' };
}
