// EndpointPool: the one place that talks to model endpoints (docs/ARCHITECTURE.md, "Talking to the endpoint").
//
// What the `openai` client already does and we rely on (openai-node v7, client.ts): per-attempt
// timeout (`timeout`), retries (`maxRetries`) on connection errors, timeouts, 408/409/429/5xx,
// honouring `retry-after-ms` / `Retry-After` (seconds or HTTP date, up to 60 s) and otherwise
// exponential backoff 0.5 s → 8 s with jitter, and AbortSignal cancelling both the request and
// the backoff sleep. We do not re-implement any of that.
//
// What we add on top:
//  - bounded concurrency over all endpoints (p-limit), with queued requests cancellable at once;
//  - load spreading: the endpoint with the fewest requests in flight (ties round-robin), skipping
//    endpoints that just failed with a connection problem for a short cool-down;
//  - failover: when an endpoint has used up its retries on a transient failure, the request moves
//    to another endpoint that has not been tried for it yet;
//  - readable errors (endpoint-errors.ts), attempt counting and timing logs via a fetch wrapper.
import type { OpenAI } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import pLimit, { type LimitFunction } from 'p-limit';
import { CancelledError, isAbortError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { EndpointConfig } from '../settings';
import { describeEndpointFailure, displayUrl, EndpointError, errorCode, isInterruptedBody, isRetryableFailure } from './endpoint-errors';
import { encodeJsonBody } from './body';
import { openaiLib } from './openai-lib';
import type { ChatClient, ChatRequest, ChatResponse } from './types';

export { EndpointError, describeEndpointFailure, displayUrl } from './endpoint-errors';

export interface EndpointPoolOptions {
  endpoints: EndpointConfig[];
  /** Requests in flight at once, over all endpoints. */
  concurrency: number;
  /** Per HTTP attempt. */
  timeoutMs: number;
  /** Retries per endpoint (handled by the openai client), before failing over to another endpoint. */
  maxRetries: number;
  logger?: Logger;
  /** How long an endpoint that failed with a connection problem is avoided when others exist. */
  cooldownMs?: number;
}

export interface PoolStats {
  /** chat() calls started. */
  requests: number;
  succeeded: number;
  /** chat() calls that ended in an error (not counting cancellations). */
  failures: number;
  cancelled: number;
  /** HTTP attempts beyond the first of each chat() call (retries and failovers). */
  retries: number;
  /** Times a request moved to another endpoint. */
  failovers: number;
  inFlight: number;
  queued: number;
  endpoints: Array<{ baseUrl: string; model: string; requests: number; failures: number; inFlight: number }>;
}

export interface EndpointCheck {
  baseUrl: string;
  model: string;
  /** The server answered GET /models. */
  reachable: boolean;
  modelPresent: boolean;
  models: string[];
  latencyMs: number;
  /** One line for a status bar or a log, e.g. "http://…/v1 answers, model X present". */
  message: string;
}

interface EndpointState {
  config: EndpointConfig;
  displayUrl: string;
  /** Made on first use: the openai package is loaded only when a request is sent. */
  readonly client: OpenAI;
  inFlight: number;
  requests: number;
  failures: number;
  avoidUntil: number;
}

/** Header used to count the HTTP attempts of one chat() call; vLLM also logs it as the request id. */
const REQUEST_ID_HEADER = 'x-request-id';

export class EndpointPool implements ChatClient {
  private readonly endpoints: EndpointState[];
  private readonly limit: LimitFunction;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly maxRetries: number;
  private readonly attemptsByRequest = new Map<string, number>();
  private roundRobin = 0;
  private nextRequestId = 0;
  private readonly counters = { requests: 0, succeeded: 0, failures: 0, cancelled: 0, retries: 0, failovers: 0, inFlight: 0 };

  constructor(options: EndpointPoolOptions) {
    if (options.endpoints.length === 0) throw new Error('EndpointPool needs at least one endpoint');
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries));
    this.limit = pLimit(Math.max(1, Math.floor(options.concurrency)));
    this.endpoints = options.endpoints.map((config) => {
      const shown = displayUrl(config.baseUrl);
      let client: OpenAI | undefined;
      const makeClient = (): OpenAI =>
        new (openaiLib().OpenAI)({
          baseURL: config.baseUrl,
          // vLLM and SGLang accept any key when started without --api-key.
          apiKey: config.apiKey || 'EMPTY',
          timeout: options.timeoutMs,
          maxRetries: Math.max(0, Math.floor(options.maxRetries)),
          fetch: this.countingFetch(shown),
          // The library's own logging could print request details; ours goes through `logger`.
          logLevel: 'off',
        });
      return {
        config,
        displayUrl: shown,
        get client() {
          return (client ??= makeClient());
        },
        inFlight: 0,
        requests: 0,
        failures: 0,
        avoidUntil: 0,
      };
    });
  }

  get stats(): PoolStats {
    return {
      ...this.counters,
      queued: this.limit.pendingCount,
      endpoints: this.endpoints.map((e) => ({
        baseUrl: e.displayUrl,
        model: e.config.model,
        requests: e.requests,
        failures: e.failures,
        inFlight: e.inFlight,
      })),
    };
  }

  /**
   * Sends one chat completion request to the least busy endpoint. Throws CancelledError when
   * `signal` aborts (queued or in flight), EndpointError / ConfigError with a readable message
   * when every attempt failed.
   */
  async chat(request: ChatRequest, options: { signal?: AbortSignal } = {}): Promise<ChatResponse> {
    const { signal } = options;
    if (signal?.aborted) throw new CancelledError();
    this.counters.requests++;
    const requestId = `finger-${process.pid}-${++this.nextRequestId}`;
    const queued = this.limit(() => this.send(request, requestId, signal));
    // The caller stops waiting as soon as it cancels, even while the request is still queued;
    // the queued task then sees the aborted signal and gives its slot back immediately.
    queued.catch(() => {});
    try {
      const response = await (signal ? raceAbort(queued, signal) : queued);
      this.counters.succeeded++;
      return response;
    } catch (e) {
      if (e instanceof CancelledError || isAbortError(e) || signal?.aborted) {
        this.counters.cancelled++;
        throw e instanceof CancelledError ? e : new CancelledError();
      }
      this.counters.failures++;
      throw e;
    } finally {
      this.attemptsByRequest.delete(requestId);
    }
  }

  private async send(request: ChatRequest, requestId: string, signal: AbortSignal | undefined): Promise<ChatResponse> {
    if (signal?.aborted) throw new CancelledError();
    this.counters.inFlight++;
    const started = performance.now();
    const tried = new Set<EndpointState>();
    let attemptsBefore = 0;
    let bodyRetries = 0;
    let retrySame: EndpointState | undefined;
    try {
      for (;;) {
        const endpoint = retrySame ?? this.pick(tried);
        retrySame = undefined;
        tried.add(endpoint);
        endpoint.inFlight++;
        endpoint.requests++;
        try {
          // What client.chat.completions.create() sends, with the body already encoded (body.ts:
          // the video part is serialized once per video, not once per question).
          const completion = await endpoint.client.post<ChatCompletion>('/chat/completions', {
            body: encodeJsonBody({ ...request, model: endpoint.config.model, stream: false }),
            signal: signal ?? null,
            headers: { [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json' },
          });
          const attempts = this.attemptsByRequest.get(requestId) ?? 1;
          this.counters.retries += attempts - attemptsBefore - 1;
          if (!isChatCompletion(completion)) {
            throw new EndpointError(`Endpoint ${endpoint.displayUrl} answered with something that is not a chat completion (no choices).`, {
              kind: 'shape',
              baseUrl: endpoint.displayUrl,
              attempts,
              retryable: false,
              hint: 'Check that finger.baseUrl points at an OpenAI-compatible /v1 API.',
            });
          }
          endpoint.avoidUntil = 0;
          const latencyMs = performance.now() - started;
          this.logger.debug(`${endpoint.displayUrl} chat ${requestId}: ${Math.round(latencyMs)} ms, ${attempts} attempt(s)`);
          // Which server answered, as results record it: without credentials from the URL.
          return { completion, endpoint: { baseUrl: endpoint.displayUrl, model: endpoint.config.model }, latencyMs, attempts };
        } catch (e) {
          if (e instanceof EndpointError && e.details.kind === 'shape') {
            endpoint.failures++;
            throw e;
          }
          const attempts = this.attemptsByRequest.get(requestId) ?? 1;
          if (signal?.aborted || isAbortError(e)) throw new CancelledError();
          this.counters.retries += attempts - attemptsBefore - 1;
          endpoint.failures++;
          const failure = describeEndpointFailure(e, {
            baseUrl: endpoint.config.baseUrl,
            model: endpoint.config.model,
            attempts,
            timeoutMs: this.timeoutMs,
          });
          if (failure instanceof EndpointError && failure.details.kind === 'connection') {
            endpoint.avoidUntil = Date.now() + this.cooldownMs;
          }
          const untried = this.endpoints.filter((x) => !tried.has(x));
          if (isInterruptedBody(e) && untried.length === 0 && bodyRetries < this.maxRetries) {
            // Same backoff schedule as the openai client uses for the failures it retries itself.
            const waitMs = Math.min(500 * 2 ** bodyRetries, 8_000) * (1 - Math.random() * 0.25);
            bodyRetries++;
            this.counters.retries++;
            attemptsBefore = attempts;
            this.logger.debug(`${failure.message} Retrying in ${Math.round(waitMs)} ms.`);
            await sleep(waitMs, signal);
            retrySame = endpoint;
            continue;
          }
          if (isRetryableFailure(e) && untried.length > 0) {
            this.counters.failovers++;
            this.counters.retries++;
            attemptsBefore = attempts;
            this.logger.warn(`${failure.message} Trying another endpoint.`);
            continue;
          }
          this.logger.warn(`${requestId} failed: ${failure.message}${errorCode(e) ? ` [${errorCode(e)}]` : ''}`);
          throw failure;
        } finally {
          endpoint.inFlight--;
        }
      }
    } finally {
      this.counters.inFlight--;
    }
  }

  /** Fewest in flight among those not tried yet, preferring endpoints not cooling down; ties round-robin. */
  private pick(tried: Set<EndpointState>): EndpointState {
    const now = Date.now();
    const candidates = this.endpoints.filter((e) => !tried.has(e));
    const healthy = candidates.filter((e) => e.avoidUntil <= now);
    const pool = healthy.length > 0 ? healthy : candidates;
    let best: EndpointState | undefined;
    let bestIndex = -1;
    const n = this.endpoints.length;
    for (let k = 0; k < n; k++) {
      const index = (this.roundRobin + k) % n;
      const e = this.endpoints[index]!;
      if (!pool.includes(e)) continue;
      if (best === undefined || e.inFlight < best.inFlight) {
        best = e;
        bestIndex = index;
      }
    }
    this.roundRobin = (bestIndex + 1) % n;
    return best!;
  }

  /** Model ids served by one endpoint (GET /models). */
  async listModels(signal?: AbortSignal, endpointIndex = 0): Promise<string[]> {
    const endpoint = this.endpoints[endpointIndex];
    if (!endpoint) throw new RangeError(`No endpoint #${endpointIndex}`);
    try {
      const page = await endpoint.client.models.list({ signal: signal ?? null, maxRetries: 1 });
      return page.data.map((m) => m.id);
    } catch (e) {
      throw describeEndpointFailure(e, { baseUrl: endpoint.config.baseUrl, model: endpoint.config.model, attempts: 1, timeoutMs: this.timeoutMs });
    }
  }

  /** Whether each endpoint answers and serves its configured model; never throws except on cancel. */
  async checkEndpoint(signal?: AbortSignal): Promise<EndpointCheck[]> {
    return Promise.all(
      this.endpoints.map(async (endpoint, index): Promise<EndpointCheck> => {
        const started = performance.now();
        const base = { baseUrl: endpoint.displayUrl, model: endpoint.config.model };
        try {
          const models = await this.listModels(signal, index);
          const latencyMs = performance.now() - started;
          const modelPresent = models.includes(endpoint.config.model);
          const message = modelPresent
            ? `${endpoint.displayUrl} answers, model ${endpoint.config.model} present`
            : `${endpoint.displayUrl} answers, but model '${endpoint.config.model}' is not served (it serves: ${models.join(', ') || 'nothing'}). Check finger.model / --model.`;
          return { ...base, reachable: true, modelPresent, models, latencyMs, message };
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          const message = e instanceof Error && 'describe' in e && typeof e.describe === 'function' ? String(e.describe()) : String(e);
          return { ...base, reachable: false, modelPresent: false, models: [], latencyMs: performance.now() - started, message };
        }
      }),
    );
  }

  /** fetch that counts attempts per chat() call and logs each attempt's outcome and timing (never headers). */
  private countingFetch(shownUrl: string) {
    return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const requestId = new Headers(init?.headers).get(REQUEST_ID_HEADER);
      if (requestId !== null) this.attemptsByRequest.set(requestId, (this.attemptsByRequest.get(requestId) ?? 0) + 1);
      const method = init?.method ?? 'GET';
      const path = safePath(input);
      const started = performance.now();
      try {
        const response = await fetch(input, init);
        const ms = Math.round(performance.now() - started);
        const line = `${method} ${shownUrl} ${path} → ${response.status} in ${ms} ms${requestId ? ` (${requestId})` : ''}`;
        if (response.ok) this.logger.trace(line);
        else this.logger.debug(line);
        return response;
      } catch (e) {
        const ms = Math.round(performance.now() - started);
        this.logger.debug(`${method} ${shownUrl} ${path} failed after ${ms} ms: ${errorCode(e) ?? (e instanceof Error ? e.name : 'error')}`);
        throw e;
      }
    };
  }
}

function safePath(input: string | URL | Request): string {
  try {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return url.pathname;
  } catch {
    return '';
  }
}

function isChatCompletion(value: unknown): value is ChatCompletion {
  const choices = (value as { choices?: unknown } | null)?.choices;
  return Array.isArray(choices) && choices.length > 0 && typeof choices[0] === 'object' && choices[0] !== null;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
