// The answering request (docs/ARCHITECTURE.md, "The FingER method" step 3 and "Talking to the endpoint").
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatRequest } from '../endpoint/types';
import type { VideoTimingFields } from './video-content';

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
  /** From videoTimingFields, the same object for every question of the video. */
  videoTiming?: VideoTimingFields;
}

/**
 * Sent with every answer: Qwen2.5-VL's generation_config.json sets repetition_penalty 1.05, and
 * vLLM applies a model's generation config to every field a request leaves out
 * (vllm/entrypoints/openai/chat_completion/protocol.py, ChatCompletionRequest.to_sampling_params,
 * defaults from ModelConfig.get_diff_sampling_param; --generation-config auto is the default).
 * A penalty on tokens already in the reply would push the answer away from a "Yes"/"No" that
 * the reason already wrote.
 */
export const ANSWER_REPETITION_PENALTY = 1.0;

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
    repetition_penalty: ANSWER_REPETITION_PENALTY,
    ...input.videoTiming,
  };
}

/** At most this many assistant-prefill requests per question (README, "How the scores are computed"). */
export const MAX_PREFILL_REQUESTS = 2;

/**
 * The next-token distribution after `assistantText` (the reply up to a branch of the answer
 * paths): the answering request again, with the reply so far as a final assistant message that
 * the model continues, one token, with logprobs. Everything else is the answering request's own
 * (same system text, video and question, so the server's prefix cache serves it: one decode step).
 *
 * - vLLM (vllm/entrypoints/openai/chat_completion/protocol.py, ChatCompletionRequest): passes
 *   `add_generation_prompt` and `continue_final_message` to the chat template
 *   (chat_utils.py, apply_hf_chat_template), where transformers' render_jinja_template cuts the
 *   rendered prompt just after the final message's text, so no end-of-turn token follows it. Its
 *   validator `check_generation_prompt` answers 400 "Cannot set both `continue_final_message` and
 *   `add_generation_prompt` to True." on the raw request, and transformers refuses the pair too,
 *   so `add_generation_prompt: false` is sent explicitly (it defaults to true).
 * - SGLang (python/sglang/srt/entrypoints/openai/serving_chat.py, _handle_last_assistant_message):
 *   removes a final assistant message whose content is a string, renders the rest with the
 *   generation prompt, and appends the text as it is; it ignores `add_generation_prompt`. The
 *   content is therefore a plain string, never a list of parts.
 */
export function buildPrefillRequest(answering: ChatRequest, assistantText: string): ChatRequest {
  return {
    ...answering,
    messages: [...answering.messages, { role: 'assistant', content: assistantText }],
    temperature: 0,
    logprobs: true,
    top_logprobs: ANSWER_TOP_LOGPROBS,
    max_tokens: 1,
    ...(answering.max_completion_tokens != null ? { max_completion_tokens: 1 } : {}),
    // Server extensions (vLLM, SGLang); not in the openai package's request type.
    ...({ continue_final_message: true, add_generation_prompt: false } as object),
  };
}
