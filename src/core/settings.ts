// Evaluation settings, shared by the CLI (flags + environment) and the extension (configuration).
import type { GateThresholds } from './gate';
import type { SignalThresholdOverrides } from './signals/thresholds';
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

// ─── Signals thresholds and gates from settings ─────────────────────────────────────────────────
// `finger.signals.*` and `finger.gate.*` (package.json) as the engine reads them. Pure and
// zod-free (this module is on the extension's activation path): bad values are dropped here and
// the rest validated by resolveThresholds() in ./signals when used.

/** `finger.signals.analysisSize` and `finger.signals.<signal>` objects → threshold overrides. */
export function signalOverridesFromSettings(get: (key: string) => unknown): SignalThresholdOverrides {
  const out: Record<string, unknown> = {};
  const size = get('signals.analysisSize');
  if (typeof size === 'number' && Number.isFinite(size)) out.analysisSize = Math.round(size);
  for (const id of ['dynamic', 'frozen', 'cut', 'flicker', 'blur', 'black'] as const) {
    const raw = get(`signals.${id}`);
    if (!raw || typeof raw !== 'object') continue;
    const part: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>))
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) part[k] = v;
    out[id] = part;
  }
  return out as SignalThresholdOverrides;
}

/** `finger.gate.overall` and `finger.gate.dimensions` → the minimums of the Testing view. */
export function gateFromSettings(get: (key: string) => unknown): GateThresholds {
  const out: GateThresholds = {};
  const unitValue = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
  const overall = get('gate.overall');
  if (unitValue(overall)) out.overall = overall as number;
  const dims = get('gate.dimensions');
  if (dims && typeof dims === 'object') {
    for (const [k, v] of Object.entries(dims as Record<string, unknown>)) {
      if (['visual_quality', 'temporal_consistency', 'dynamic_degree', 'text_alignment', 'factual_consistency'].includes(k) && unitValue(v))
        out[k as Dimension] = v as number;
    }
  }
  return out;
}
