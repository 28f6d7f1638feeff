// The one interface the rest of the engine uses to talk to a model. EndpointPool (pool.ts)
// implements it over the `openai` client; nothing else in the engine constructs a client.
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

/** A chat request without `model` (the pool fills in the model of the endpoint it picks), with the
 *  fields vLLM and SGLang read beyond the OpenAI protocol (README, "Serving a model"). */
export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream'> & {
  repetition_penalty?: number;
  /** vLLM: per-modality options of its media loaders (vllm/multimodal/media/*.py). */
  media_io_kwargs?: Record<string, Record<string, unknown>>;
  /** vLLM: options passed to the model's Hugging Face processor. */
  mm_processor_kwargs?: Record<string, unknown>;
};

export interface ChatOptions {
  signal?: AbortSignal;
  /**
   * Requests with the same key go to the same server of a fleet (and carry it in the routing
   * header for a router in front of one): the video's sha256, so that a video is encoded once.
   */
  affinityKey?: string;
}

export interface ChatResponse {
  completion: ChatCompletion;
  /** Which endpoint answered (never the key). */
  endpoint: { baseUrl: string; model: string };
  latencyMs: number;
  /** 1 + retries. */
  attempts: number;
}

export interface ChatClient {
  chat(request: ChatRequest, options?: ChatOptions): Promise<ChatResponse>;
}
