// A ChatClient that replays canned completions and records the requests (unit tests only; the
// end-to-end tests talk to the HTTP endpoint double).
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { ChatClient, ChatRequest, ChatResponse } from '../../../src/core/endpoint/types';

export interface RecordingClient extends ChatClient {
  requests: ChatRequest[];
}

export function cannedClient(
  replies: (string | ((req: ChatRequest) => string))[],
  finishReason: 'stop' | 'length' = 'stop',
): RecordingClient {
  const requests: ChatRequest[] = [];
  return {
    requests,
    async chat(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResponse> {
      options?.signal?.throwIfAborted();
      requests.push(structuredClone(request));
      const next = replies.shift();
      if (next === undefined) throw new Error(`unexpected request #${requests.length}`);
      const content = typeof next === 'function' ? next(request) : next;
      const completion: ChatCompletion = {
        id: `c${requests.length}`,
        object: 'chat.completion',
        created: 0,
        model: 'test-model',
        choices: [{ index: 0, finish_reason: finishReason, logprobs: null, message: { role: 'assistant', content, refusal: null } }],
      };
      return { completion, endpoint: { baseUrl: 'http://test', model: 'test-model' }, latencyMs: 1, attempts: 1 };
    },
  };
}

export function messageTexts(req: ChatRequest): { system: string; user: string; all: string } {
  const text = (c: unknown) => (typeof c === 'string' ? c : JSON.stringify(c));
  const system = req.messages
    .filter((m) => m.role === 'system')
    .map((m) => text(m.content))
    .join('\n');
  const user = req.messages
    .filter((m) => m.role === 'user')
    .map((m) => text(m.content))
    .join('\n');
  return { system, user, all: req.messages.map((m) => text(m.content)).join('\n') };
}
