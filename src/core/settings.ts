// Evaluation settings, shared by the CLI (flags + environment) and the extension (configuration).
import type { Dimension, InputMode } from './types';

export interface EndpointConfig {
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: string;
  model: string;
  /** Never written to results, labels or logs. */
  apiKey?: string;
}

export interface EvalSettings {
  /** Judge endpoints; requests are spread over them. At least one. */
  endpoints: EndpointConfig[];
  /** Endpoint for entity extraction and question generation; defaults to the first judge endpoint. */
  questionEndpoint?: EndpointConfig;
  mode: InputMode;
  fps: number;
  maxFrames: number;
  maxPixels: number;
  /** Reasoning mode (<reason>…</reason><answer>…</answer>) or fast mode (one token). */
  reasoning: boolean;
  temperature: number;
  /** Requests in flight at once, over all endpoints. */
  concurrency: number;
  requestTimeoutMs: number;
  maxRetries: number;
  weights: Partial<Record<Dimension, number>>;
  ffmpegPath?: string;
  ffprobePath?: string;
  /** Header that carries each video's routing key (its sha256) to a router in front of a fleet;
   *  '' sends none (README, "Serving a model"). */
  routingHeader: string;
}

/** What SGLang's model gateway (SMG) reads as a routing key for sticky sessions by default;
 *  vLLM's production-stack router reads whatever header `--session-key` names. */
export const DEFAULT_ROUTING_HEADER = 'x-smg-routing-key';

/** An HTTP header name (RFC 9110 token), or '' for none. */
export function isRoutingHeaderName(value: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]*$/.test(value);
}

export const DEFAULT_SETTINGS: Omit<EvalSettings, 'endpoints'> = {
  mode: 'video',
  fps: 2,
  maxFrames: 32,
  maxPixels: 448 * 448,
  reasoning: true,
  temperature: 0,
  concurrency: 8,
  requestTimeoutMs: 120_000,
  maxRetries: 4,
  weights: {},
  routingHeader: DEFAULT_ROUTING_HEADER,
};
