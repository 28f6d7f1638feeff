// Builds chat completions the way vLLM returns them: the content, and per generated token its
// logprob and top_logprobs. Tests state the probabilities at the rating digits; every other
// token is certain (logprob 0).
import type { ChatCompletion } from 'openai/resources/chat/completions';

/** A token with its alternatives as probabilities; `token` must be one of them. */
export interface ScoredPiece {
  token: string;
  top: Record<string, number>;
}

export type Piece = string | ScoredPiece;

export function completionFrom(pieces: readonly Piece[], o: { content?: string; logprobs?: boolean } = {}): ChatCompletion {
  const tokens = pieces.map((p) => {
    if (typeof p === 'string') return { token: p, logprob: 0, bytes: null, top_logprobs: [{ token: p, logprob: 0, bytes: null }] };
    const top = Object.entries(p.top)
      .sort((a, b) => b[1] - a[1])
      .map(([token, prob]) => ({ token, logprob: Math.log(prob), bytes: null }));
    return { token: p.token, logprob: Math.log(p.top[p.token]!), bytes: null, top_logprobs: top };
  });
  const content = o.content ?? pieces.map((p) => (typeof p === 'string' ? p : p.token)).join('');
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model: 'test-model',
    choices: [
      {
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content, refusal: null },
        logprobs: o.logprobs === false ? null : { content: tokens, refusal: null },
      },
    ],
  } as ChatCompletion;
}

/**
 * Splits `template` into word-ish tokens (digits alone, as Qwen's tokenizer does); `{{i}}` stands
 * for `scored[i]`, the token whose alternatives the test states.
 */
export function tokensOf(template: string, scored: ScoredPiece[] = []): Piece[] {
  const pieces: Piece[] = [];
  for (const part of template.split(/(\{\{\d+\}\})/)) {
    const slot = /^\{\{(\d+)\}\}$/.exec(part);
    if (slot) pieces.push(scored[Number(slot[1])]!);
    else pieces.push(...(part.match(/\d|[^\d\s]+|\s+/g) ?? []));
  }
  return pieces;
}
