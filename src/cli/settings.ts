// CLI flags + environment → EvalSettings. Kept apart from main.ts so tests can check the mapping.
import { ConfigError } from '../core/errors';
import { DEFAULT_SETTINGS, isRoutingHeaderName, type EndpointConfig, type EvalSettings } from '../core/settings';
import { DIMENSIONS, InputModeSchema, type Dimension } from '../core/types';

export interface ScoreFlags {
  endpoint?: string[];
  model?: string;
  questionEndpoint?: string;
  questionModel?: string;
  mode?: string;
  fps?: string;
  maxFrames?: string;
  maxPixels?: string;
  reasoning?: boolean;
  temperature?: string;
  concurrency?: string;
  timeout?: string;
  retries?: string;
  weight?: string[];
  ffmpeg?: string;
  routingHeader?: string;
}

function positiveNumber(flag: string, value: string | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`--${flag} must be a positive ${integer ? 'whole ' : ''}number, not "${value}".`);
  }
  return n;
}

/** `--endpoint` may be given several times or as a comma-separated list; so may FINGER_ENDPOINT. */
function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function checkUrl(url: string, what: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new ConfigError(`${what} "${url}" is not an http(s) URL.`, {
      hint: "Use the server's OpenAI base URL, e.g. http://127.0.0.1:8000/v1.",
    });
  }
  return url.replace(/\/+$/, '');
}

/** `requireEndpoint: false` (the signals protocol, which asks no server): endpoints may be empty. */
export function settingsFromFlags(
  flags: ScoreFlags,
  env: NodeJS.ProcessEnv = process.env,
  o: { requireEndpoint?: boolean } = {},
): EvalSettings {
  const urls = splitList(flags.endpoint?.length ? flags.endpoint : env.FINGER_ENDPOINT ? [env.FINGER_ENDPOINT] : []);
  const model = flags.model ?? env.FINGER_MODEL;
  const requireEndpoint = o.requireEndpoint ?? true;
  if (requireEndpoint && (urls.length === 0 || !model)) {
    throw new ConfigError(`No ${urls.length === 0 ? 'endpoint' : 'model'} given.`, {
      hint: 'Pass --endpoint URL --model NAME, or set FINGER_ENDPOINT and FINGER_MODEL (e.g. FINGER_ENDPOINT=http://127.0.0.1:8000/v1 FINGER_MODEL=Qwen/Qwen2.5-VL-7B-Instruct).',
    });
  }
  // The key comes only from the environment: never from a flag (it would land in shell history).
  const apiKey = env.FINGER_API_KEY || env.OPENAI_API_KEY || undefined;
  const endpoints: EndpointConfig[] = model
    ? urls.map((u) => ({ baseUrl: checkUrl(u, 'Endpoint'), model, ...(apiKey ? { apiKey } : {}) }))
    : [];
  const questionUrl = flags.questionEndpoint ?? env.FINGER_QUESTION_ENDPOINT;
  const questionModel = flags.questionModel ?? env.FINGER_QUESTION_MODEL;
  const questionEndpoint =
    questionUrl || questionModel
      ? {
          baseUrl: checkUrl(questionUrl ?? endpoints[0]?.baseUrl ?? '', 'Question endpoint'),
          model: questionModel ?? model ?? '',
          ...(apiKey ? { apiKey } : {}),
        }
      : undefined;

  const mode = InputModeSchema.safeParse(flags.mode ?? DEFAULT_SETTINGS.mode);
  if (!mode.success) throw new ConfigError(`--mode must be video, frames or file, not "${flags.mode}".`);

  const weights: Partial<Record<Dimension, number>> = {};
  for (const w of flags.weight ?? []) {
    const [name, value] = w.split('=');
    if (!name || !(DIMENSIONS as readonly string[]).includes(name) || value === undefined || !(Number(value) >= 0)) {
      throw new ConfigError(`--weight takes DIMENSION=NUMBER with a dimension among ${DIMENSIONS.join(', ')}; got "${w}".`);
    }
    weights[name as Dimension] = Number(value);
  }

  const temperature = flags.temperature === undefined ? DEFAULT_SETTINGS.temperature : Number(flags.temperature);
  if (!Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
    throw new ConfigError(`--temperature must be between 0 and 2, not "${flags.temperature}".`);
  }
  const routingHeader = (flags.routingHeader ?? env.FINGER_ROUTING_HEADER ?? DEFAULT_SETTINGS.routingHeader).trim();
  if (!isRoutingHeaderName(routingHeader)) {
    throw new ConfigError(`--routing-header must be an HTTP header name (or empty for none), not "${routingHeader}".`, {
      hint: "For example x-smg-routing-key (SGLang's model gateway) or the name given to the production-stack router's --session-key.",
    });
  }
  return {
    ...DEFAULT_SETTINGS,
    endpoints,
    routingHeader,
    ...(questionEndpoint ? { questionEndpoint } : {}),
    mode: mode.data,
    fps: positiveNumber('fps', flags.fps, DEFAULT_SETTINGS.fps),
    maxFrames: positiveNumber('max-frames', flags.maxFrames, DEFAULT_SETTINGS.maxFrames, true),
    maxPixels: positiveNumber('max-pixels', flags.maxPixels, DEFAULT_SETTINGS.maxPixels, true),
    reasoning: flags.reasoning ?? DEFAULT_SETTINGS.reasoning,
    temperature,
    concurrency: positiveNumber('concurrency', flags.concurrency, DEFAULT_SETTINGS.concurrency, true),
    requestTimeoutMs: positiveNumber('timeout', flags.timeout, DEFAULT_SETTINGS.requestTimeoutMs / 1000) * 1000,
    maxRetries: flags.retries === undefined ? DEFAULT_SETTINGS.maxRetries : Math.max(0, Math.floor(Number(flags.retries)) || 0),
    weights,
    ...(flags.ffmpeg || env.FINGER_FFMPEG ? { ffmpegPath: flags.ffmpeg ?? env.FINGER_FFMPEG } : {}),
  };
}
