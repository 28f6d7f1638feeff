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

// ---- P(answer) as a sum over token paths -------------------------------------------------------
//
// Real tokenizers glue the answer to the tag. In Qwen2's vocabulary (Qwen2-VL, Qwen2.5-VL, Qwen3)
// and in Llama 3's, `<answer>No` ends in the single token `>No`, while `<answer>Yes` is `>` then
// `Yes` (`>Yes` is no token). One position's top_logprobs therefore never holds both answers: at
// `>No` the Yes mass sits on `>`, which reads as neither. A path is one way of writing the answer
// after `<answer` (`>No`; `>` `Yes`; `>` ` Yes`; `>\n` `Yes` …); its probability is the product of
// its tokens' probabilities, and P(Yes), P(No) are the sums over the yes and no paths (README,
// "How the scores are computed").

/** The longest run of tag remnants, spaces and quotes between `<answer` and the word we follow. */
const MAX_FILLER_TOKENS = 3;
/** A branch whose mass cannot move pYes by more than this is not read. */
export const BRANCH_THRESHOLD = 0.001;

/** A branch of the answer paths that the reply did not take and that still carries probability. */
export interface AnswerBranch {
  /** log P(the tokens leading to it). */
  logMass: number;
  /** The reply text up to and including the branch's token: what an assistant prefill continues. */
  assistantText: string;
  /**
   * Whether a prefill request may read what follows. Not when the text ends in whitespace: chat
   * templates that trim the final message (Llama 3's `| trim`) make transformers' apply_chat_template
   * cut the prompt before that whitespace (render_jinja_template, continue_final_message), so the
   * distribution read would be the one before it. Also false once a read was tried and failed.
   */
  prefillable: boolean;
  /** Filler tokens (tag remnants, spaces, quotes) on the way to it. */
  depth: number;
}

/** The answer paths read so far: log masses of the yes and no paths, and the branches not read. */
export interface AnswerPaths {
  yes: number[];
  no: number[];
  pending: AnswerBranch[];
}

type PathStep = 'yes' | 'no' | 'filler' | null;

/** What a token contributes to a path after `<answer`: the word, a remnant to follow, or nothing. */
function pathStep(piece: string): PathStep {
  const word = yesNoOf(piece);
  if (word !== null) return word;
  return /^[\s>"'`*]+$/.test(piece) ? 'filler' : null;
}

/**
 * The alternatives at one position: the sampled token and its top_logprobs, each token string
 * once, keeping only those that start with `lead` (the part of the position's token before
 * `<answer` ends, when one token spans the tag and the answer), with what they add after it.
 */
function alternativesAt(position: TokenLogprob, lead: string): Array<{ token: string; rest: string; logprob: number }> {
  const seen = new Set<string>();
  const out: Array<{ token: string; rest: string; logprob: number }> = [];
  for (const c of [{ token: position.token, logprob: position.logprob }, ...(position.top_logprobs ?? [])]) {
    if (typeof c?.token !== 'string' || seen.has(c.token)) continue;
    seen.add(c.token);
    if (typeof c.logprob !== 'number' || !(c.logprob > -Infinity) || c.logprob > 0 || !c.token.startsWith(lead)) continue;
    out.push({ token: c.token, rest: c.token.slice(lead.length), logprob: c.logprob });
  }
  return out;
}

/**
 * Where the answer paths start in a reasoning reply: just after `<answer` of the tag that holds
 * the answer (the first after `</reason>`, else the first), also when the reply ends right
 * there. -1 when there is none.
 */
function answerPathStart(text: string): number {
  const open = /(<\s*answer)(?=\s*>|\s*$)/gi;
  const reasonClose = REASON_CLOSE.exec(text);
  const from = reasonClose ? reasonClose.index + reasonClose[0].length : 0;
  open.lastIndex = from;
  const after = open.exec(text);
  if (after) return after.index + after[1]!.length;
  if (from === 0) return -1;
  open.lastIndex = 0;
  const any = open.exec(text);
  return any ? any.index + any[1]!.length : -1;
}

/**
 * Reads the answer paths on the sampled reply. Positions on the sampled path come with the
 * response; a branch the reply did not take (e.g. `>` when `>No` was sampled) is left pending
 * for extendAnswerPaths. In fast mode the paths start at the first generated token, unless the
 * reply opens a tag (a FingER-tuned model writes `<reason>…` whatever it is asked): then the
 * answer is read after an assistant prefill of `<answer`. Null when the reply has no answer tag
 * (reasoning mode) or no tokens.
 */
export function readAnswerPaths(content: ReadonlyArray<TokenLogprob> | null | undefined, reasoning: boolean): AnswerPaths | null {
  if (!content || content.length === 0) return null;
  const starts: number[] = [];
  let text = '';
  for (const t of content) {
    starts.push(text.length);
    text += typeof t.token === 'string' ? t.token : '';
  }
  const paths: AnswerPaths = { yes: [], no: [], pending: [] };
  let begin = 0;
  if (reasoning || /^\s*</.test(text)) {
    begin = answerPathStart(text);
    if (begin < 0) {
      if (reasoning) return null;
      // Fast mode, tagged reply cut after its first token: ask for the answer directly.
      paths.pending.push({ logMass: 0, assistantText: '<answer', prefillable: true, depth: 0 });
      return paths;
    }
  }
  if (begin >= text.length) {
    paths.pending.push({ logMass: 0, assistantText: text, prefillable: !/\s$/.test(text), depth: 0 });
    return paths;
  }
  let k = starts.length - 1;
  while (k > 0 && starts[k]! > begin) k--;
  const walk = (j: number, lead: string, logWeight: number, depth: number): void => {
    const position = content[j]!;
    for (const alt of alternativesAt(position, lead)) {
      const logMass = logWeight + alt.logprob;
      const step = pathStep(alt.rest);
      if (step === 'yes') paths.yes.push(logMass);
      else if (step === 'no') paths.no.push(logMass);
      else if (step === 'filler' && depth < MAX_FILLER_TOKENS) {
        if (alt.token === position.token && j + 1 < content.length) walk(j + 1, '', logMass, depth + 1);
        else {
          const assistantText = text.slice(0, starts[j]) + alt.token;
          paths.pending.push({ logMass, assistantText, prefillable: !/\s$/.test(assistantText), depth: depth + 1 });
        }
      }
    }
  };
  walk(k, text.slice(starts[k], begin), 0, 0);
  return paths;
}

/**
 * Adds what a prefill request read after `branch` (`position`: the first generated token of the
 * reply to the prefill, with its top_logprobs). Returns false, and leaves the branch pending and
 * marked unreadable, when the position holds no step of an answer path (a server that ignored
 * the prefill answers something else entirely).
 */
export function extendAnswerPaths(paths: AnswerPaths, branch: AnswerBranch, position: TokenLogprob | null | undefined): boolean {
  const found = position ? alternativesAt(position, '').map((alt) => ({ alt, step: pathStep(alt.rest) })) : [];
  if (!found.some((f) => f.step !== null)) {
    branch.prefillable = false;
    return false;
  }
  paths.pending.splice(paths.pending.indexOf(branch), 1);
  for (const { alt, step } of found) {
    const logMass = branch.logMass + alt.logprob;
    if (step === 'yes') paths.yes.push(logMass);
    else if (step === 'no') paths.no.push(logMass);
    else if (step === 'filler' && branch.depth < MAX_FILLER_TOKENS) {
      const assistantText = branch.assistantText + alt.token;
      paths.pending.push({ logMass, assistantText, prefillable: !/\s$/.test(assistantText), depth: branch.depth + 1 });
    }
  }
  return true;
}

/** Masses relative to the largest log mass (so very unlikely answers do not underflow). */
function masses(paths: AnswerPaths): { yes: number; no: number; branch: (b: AnswerBranch) => number } {
  const ref = Math.max(...paths.yes, ...paths.no, ...paths.pending.map((b) => b.logMass));
  const sum = (lps: number[]) => lps.reduce((s, lp) => s + Math.exp(lp - ref), 0);
  return { yes: sum(paths.yes), no: sum(paths.no), branch: (b) => Math.exp(b.logMass - ref) };
}

/** How far pYes could move if a branch of mass `m` went all to Yes or all to No. */
function influence(yes: number, no: number, m: number): number {
  if (!(yes + no > 0)) return m > 0 ? Infinity : 0;
  const now = yes / (yes + no);
  return Math.max(now - yes / (yes + no + m), (yes + m) / (yes + no + m) - now);
}

/** The heaviest branch worth an assistant prefill (it could move pYes by more than the threshold), or null. */
export function nextPrefillBranch(paths: AnswerPaths, threshold = BRANCH_THRESHOLD): AnswerBranch | null {
  const m = masses(paths);
  const candidates = paths.pending.filter((b) => b.prefillable).sort((a, b) => b.logMass - a.logMass);
  return candidates.find((b) => influence(m.yes, m.no, m.branch(b)) > threshold) ?? null;
}

/**
 * pYes = P(Yes paths) / (P(Yes paths) + P(No paths)). Branches that cannot move it by more than
 * the threshold are left out. When a branch that could was not read (the server refused the
 * prefill, or it could not be asked), its mass is split evenly between Yes and No and the source
 * is `approximate`: an estimate, never a silent 0 or 1. Null when no path reaches a Yes or No.
 */
export function answerProbabilityFromPaths(paths: AnswerPaths, threshold = BRANCH_THRESHOLD): AnswerProbability | null {
  if (paths.yes.length + paths.no.length === 0) return null;
  const m = masses(paths);
  const unread = paths.pending.map((b) => m.branch(b)).filter((mass) => influence(m.yes, m.no, mass) > threshold);
  const open = unread.reduce((s, x) => s + x, 0);
  const pYes = Math.min(1, Math.max(0, (m.yes + open / 2) / (m.yes + m.no + open)));
  return { pYes, pNo: 1 - pYes, source: unread.length > 0 ? 'approximate' : 'logprobs' };
}

/**
 * FingER Eq. 1 over the paths the reply itself shows (no prefill requests): see readAnswerPaths
 * and answerProbabilityFromPaths. Without any Yes/No mass, the sampled answer decides (p = 1 or 0,
 * source 'sampled'); null when there is neither.
 */
export function readAnswerProbability(
  content: ReadonlyArray<TokenLogprob> | null | undefined,
  opts: { reasoning: boolean },
  sampledAnswer: Answer | null,
): AnswerProbability | null {
  const paths = readAnswerPaths(content, opts.reasoning);
  return (paths && answerProbabilityFromPaths(paths)) ?? sampledProbability(sampledAnswer);
}

/** The sampled answer taken as certain (source 'sampled'), or null without one. */
export function sampledProbability(sampledAnswer: Answer | null): AnswerProbability | null {
  if (sampledAnswer === null) return null;
  const pYes = sampledAnswer === 'Yes' ? 1 : 0;
  return { pYes, pNo: 1 - pYes, source: 'sampled' };
}
