// The answering request (docs/ARCHITECTURE.md, "The FingER method" step 3 and "Talking to the endpoint").
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatRequest } from '../endpoint/types';

/** Vision models ask for logprobs of the top 20 alternatives: vLLM's default --max-logprobs. */
export const ANSWER_TOP_LOGPROBS = 20;
/** Enough for a few sentences of reason plus the answer tags. */
export const REASONING_MAX_TOKENS = 512;

export interface AnswerRequestInput {
  systemText: string;
  /** From buildVideoContent, shared by all questions of the video. */
  videoContent: ReadonlyArray<ChatCompletionContentPart>;
  questionText: string;
  reasoning: boolean;
  temperature?: number;
}

/**
 * Messages in a fixed order so every question of a video shares one cached prefix: the constant
 * system text, then the user turn with the video part(s) first and the question text last.
 * The answer is never constrained (no guided decoding, no logit bias): its probabilities are
 * what we score.
 */
export function buildAnswerRequest(input: AnswerRequestInput): ChatRequest {
  return {
    messages: [
      { role: 'system', content: input.systemText },
      { role: 'user', content: [...input.videoContent, { type: 'text', text: input.questionText }] },
    ],
    temperature: input.temperature ?? 0,
    logprobs: true,
    top_logprobs: ANSWER_TOP_LOGPROBS,
    max_tokens: input.reasoning ? REASONING_MAX_TOKENS : 1,
  };
}
