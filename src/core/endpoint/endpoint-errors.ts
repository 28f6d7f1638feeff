// Turns what the `openai` client throws into messages a person can act on: which endpoint, what
// happened, what to check. The API key never appears: messages are built from the base URL (with
// any user:password part removed), the status and the server's own error text.
import type { APIError } from 'openai';
import { openaiLib } from './openai-lib';
import { CancelledError, ConfigError, FingerError, isAbortError } from '../errors';

export type EndpointFailureKind = 'connection' | 'timeout' | 'http' | 'shape';

/** A request that failed after the pool's retries (and failover, when several endpoints exist). */
export class EndpointError extends FingerError {
  override readonly name = 'EndpointError';
  constructor(
    message: string,
    readonly details: {
      kind: EndpointFailureKind;
      baseUrl: string;
      status?: number;
      attempts: number;
      retryable: boolean;
      hint?: string;
      cause?: unknown;
    },
  ) {
    super(message, { hint: details.hint, cause: details.cause });
  }
}

/** The base URL as shown to people: credentials embedded in the URL are removed. */
export function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    if (!url.username && !url.password) return baseUrl;
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, baseUrl.endsWith('/') ? '/' : '');
  } catch {
    return baseUrl;
  }
}

const SOCKET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED']);

/**
 * The connection broke while the response body was being read (undici's "terminated"). The
 * openai client retries failures of the request itself but not of reading a 200's body, so the
 * pool retries these itself.
 */
export function isInterruptedBody(e: unknown): boolean {
  if (e instanceof openaiLib().APIError) return false;
  const code = errorCode(e);
  return (code !== undefined && SOCKET_CODES.has(code)) || (e instanceof TypeError && e.message === 'terminated');
}

/** Whether another attempt (here or on another endpoint) may succeed. */
export function isRetryableFailure(e: unknown): boolean {
  if (e instanceof EndpointError) return e.details.retryable;
  if (isInterruptedBody(e)) return true;
  if (e instanceof openaiLib().APIUserAbortError) return false;
  if (e instanceof openaiLib().APIConnectionError) return true;
  if (e instanceof openaiLib().APIError && typeof e.status === 'number') {
    return e.status === 408 || e.status === 409 || e.status === 429 || e.status >= 500;
  }
  return false;
}

/** The first `code` (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET …) along the cause chain. */
export function errorCode(e: unknown): string | undefined {
  let current: unknown = e;
  for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The server's own error text: vLLM's nested `{error:{message}}`, its older flat shape, or plain text. */
export function serverMessage(e: APIError): string {
  const body = e.error as unknown;
  let text: string | undefined;
  if (body && typeof body === 'object') {
    const m = (body as { message?: unknown }).message;
    if (typeof m === 'string') text = m;
  } else if (typeof body === 'string') {
    text = body;
  }
  text ??= e.message.replace(/^\d{3}\s+/, '');
  // An HTML error page from a proxy: keep the readable words only.
  if (/<\s*(html|body|h1|title)\b/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1] ?? /<h1>([^<]*)<\/h1>/i.exec(text)?.[1];
    text = title ? `${title.trim()} (HTML error page)` : 'an HTML error page';
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** vLLM's refusal of a top_logprobs above its --max-logprobs: "Requested sample logprobs of 20,
 *  which is greater than max allowed: 5" (newer releases append " (parameter=logprobs, value=20)"). */
const LOGPROBS_CAP = /Requested sample logprobs of (-?\d+), which is greater than max allowed: (-?\d+)/i;

/**
 * Wraps a failure of one request to `baseUrl` (model `model`, after `attempts` HTTP attempts)
 * in an error whose message says what to do. Cancellation becomes CancelledError; configuration
 * problems (unknown model, wrong URL, rejected key) become ConfigError.
 */
export function describeEndpointFailure(e: unknown, ctx: { baseUrl: string; model: string; attempts: number; timeoutMs: number }): Error {
  if (e instanceof CancelledError || e instanceof EndpointError || e instanceof ConfigError) return e;
  if (isAbortError(e)) return new CancelledError();
  const url = displayUrl(ctx.baseUrl);
  const after = ctx.attempts > 1 ? ` (after ${ctx.attempts} attempts)` : '';
  if (e instanceof openaiLib().APIConnectionTimeoutError) {
    return new EndpointError(`Endpoint ${url} did not answer within ${formatSeconds(ctx.timeoutMs)}${after}.`, {
      kind: 'timeout',
      baseUrl: url,
      attempts: ctx.attempts,
      retryable: true,
      hint: 'The server may be overloaded; raise finger.requestTimeoutMs / --timeout or lower the concurrency.',
      cause: e,
    });
  }
  if (e instanceof openaiLib().APIConnectionError) {
    const code = errorCode(e);
    const what =
      code === 'ECONNREFUSED'
        ? `Could not connect to ${url}: connection refused${after}.`
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `Could not connect to ${url}: the host name does not resolve${after}.`
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE'
            ? `The connection to ${url} was closed before the answer arrived${after}.`
            : `Could not talk to ${url}: ${e.message.replace(/\.$/, '')}${code ? ` (${code})` : ''}${after}.`;
    return new EndpointError(what, {
      kind: 'connection',
      baseUrl: url,
      attempts: ctx.attempts,
      retryable: true,
      hint: code === 'ECONNREFUSED' ? 'Is the server running?' : 'Check that the server is running and finger.baseUrl is right.',
      cause: e,
    });
  }
  if (e instanceof openaiLib().APIError && typeof e.status === 'number') {
    const status = e.status;
    const text = serverMessage(e);
    if (status === 404 && /model/i.test(text)) {
      return new ConfigError(`Endpoint ${url} answered 404: model '${ctx.model}' does not exist.`, {
        hint: 'Check finger.model / --model (the server lists its models at /v1/models).',
        cause: e,
      });
    }
    if (status === 404) {
      return new ConfigError(`Endpoint ${url} answered 404 (${text}).`, {
        hint: 'Check finger.baseUrl / --base-url: it usually ends in /v1.',
        cause: e,
      });
    }
    const refusedLogprobs = status === 400 ? LOGPROBS_CAP.exec(text) : null;
    if (refusedLogprobs) {
      // vLLM checks top_logprobs against its --max-logprobs (default 20) before anything else
      // (vllm/sampling_params.py, SamplingParams._validate_logprobs; older releases in
      // vllm/v1/engine/processor.py): every request of the run would fail the same way.
      const [, asked, cap] = refusedLogprobs;
      return new ConfigError(
        `Endpoint ${url} allows at most ${cap} logprobs per token, but ${asked} were asked for (top_logprobs): it was started with --max-logprobs ${cap}.`,
        { hint: `Restart the server with --max-logprobs ${asked} or more (vLLM: vllm serve … --max-logprobs ${asked}).`, cause: e },
      );
    }
    if (status === 401 || status === 403) {
      return new ConfigError(`Endpoint ${url} answered ${status}: the API key was rejected.`, {
        hint: 'Set the key with "FingER: Set API Key" or the FINGER_API_KEY environment variable.',
        cause: e,
      });
    }
    const retryable = isRetryableFailure(e);
    const lead = status === 429 ? `Endpoint ${url} is rate limiting (429)` : `Endpoint ${url} answered ${status}`;
    return new EndpointError(`${lead}${after}: ${text}`, {
      kind: 'http',
      baseUrl: url,
      status,
      attempts: ctx.attempts,
      retryable,
      ...(status === 400 ? { hint: 'The server rejected the request; check the model supports video/image input and logprobs.' } : {}),
      cause: e,
    });
  }
  if (isInterruptedBody(e)) {
    return new EndpointError(`The connection to ${url} was closed before the answer arrived${after}.`, {
      kind: 'connection',
      baseUrl: url,
      attempts: ctx.attempts,
      retryable: true,
      hint: 'The server may have crashed or restarted; check its log.',
      cause: e,
    });
  }
  if (e instanceof Error) {
    return new EndpointError(`Request to ${url} failed: ${e.message}`, {
      kind: 'connection',
      baseUrl: url,
      attempts: ctx.attempts,
      retryable: false,
      cause: e,
    });
  }
  return new EndpointError(`Request to ${url} failed: ${String(e)}`, {
    kind: 'connection',
    baseUrl: url,
    attempts: ctx.attempts,
    retryable: false,
  });
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(1)} s`;
}
