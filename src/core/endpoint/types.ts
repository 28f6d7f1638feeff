// The one interface the rest of the engine uses to talk to a model. EndpointPool (pool.ts)
// implements it over the `openai` client; nothing else in the engine constructs a client.
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

/** A chat request without `model` (the pool fills in the model of the endpoint it picks). */
export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream'>;

export interface ChatResponse {
  completion: ChatCompletion;
  /** Which endpoint answered (never the key). */
  endpoint: { baseUrl: string; model: string };
  latencyMs: number;
  /** 1 + retries. */
  attempts: number;
}

export interface ChatClient {
  chat(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResponse>;
}
