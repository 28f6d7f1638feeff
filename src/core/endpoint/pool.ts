// EndpointPool: the one place that talks to model endpoints (docs/ARCHITECTURE.md, "Talking to the endpoint").
//
// What the `openai` client already does and we rely on (openai-node v7, client.ts): per-attempt
// timeout (`timeout`), retries (`maxRetries`) on connection errors, timeouts, 408/409/429/5xx,
// honouring `retry-after-ms` / `Retry-After` (seconds or HTTP date, up to 60 s) and otherwise
// exponential backoff 0.5 s → 8 s with jitter, and AbortSignal cancelling both the request and
// the backoff sleep. We do not re-implement any of that.
//
// What we add on top:
//  - bounded concurrency over all endpoints, with queued requests cancellable at once, and at
//    most concurrency / (servers answering) in flight per server, so no server queues work that
//    another could start;
//  - affinity: requests with the same `affinityKey` (a video's hash) go to the same server
//    (affinity.ts: rendezvous hashing with bounded load, stealing only by idle servers), so a
//    fleet encodes each video once; the key also goes out in the routing header for a router in
//    front of a fleet (README, "Serving a model");
//  - load spreading for requests without a key: the endpoint with the fewest requests in flight
//    (ties round-robin), skipping endpoints that just failed with a connection problem for a
//    short cool-down;
//  - failover: when an endpoint has used up its retries on a transient failure, the request moves
//    to another endpoint that has not been tried for it yet; a server that cannot be reached
//    loses its keys, which are pinned again among the others;
//  - a request id unique per HTTP attempt (`x-request-id`, which vLLM takes as its request id and
//    logs), readable errors (endpoint-errors.ts), attempt counting and timing logs via a fetch
//    wrapper.
import { randomBytes } from 'node:crypto';
import type { OpenAI } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { CancelledError, ConfigError, isAbortError } from '../errors';
import { silentLogger, type Logger } from '../log';
import type { EndpointConfig } from '../settings';
import { KeyTable, LOAD_BOUND, MAX_HOMES, rendezvousOrder, STEAL_AFTER_IDLE_MS, STEAL_MIN_WAITING_ROUNDS } from './affinity';
import { describeEndpointFailure, displayUrl, EndpointError, errorCode, isInterruptedBody, isRetryableFailure } from './endpoint-errors';
import { encodeJsonBody } from './body';
import { openaiLib } from './openai-lib';
import type { ChatClient, ChatOptions, ChatRequest, ChatResponse } from './types';

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
  /** Header that carries a request's affinity key (the video's sha256) for a router in front of a
   *  fleet; empty or absent: none is sent. */
  routingHeader?: string;
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
  /** performance.now() when its last request finished and it had none left in flight. */
  idleSince: number;
}

/** A request waiting for a slot on a server. */
interface Waiter {
  key: string | undefined;
  /** Endpoints this request has failed on already. */
  tried: ReadonlySet<EndpointState>;
  /** Retry on this endpoint only (a body cut off with no other endpoint left). */
  only: EndpointState | undefined;
  signal: AbortSignal | undefined;
  resolve: (endpoint: EndpointState) => void;
  reject: (e: unknown) => void;
}

/** Header used to count the HTTP attempts of one chat() call; vLLM also takes it as the request id
 *  (vllm/entrypoints/openai/engine/serving.py, X-Request-Id), so each attempt gets its own value:
 *  `<chat id>-a<attempt>`. */
const REQUEST_ID_HEADER = 'x-request-id';

/** How long a configuration error stops the pool from sending (see EndpointPool.refusal). */
const REFUSAL_HOLD_MS = 30_000;

export class EndpointPool implements ChatClient {
  private readonly endpoints: EndpointState[];
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly maxRetries: number;
  private readonly concurrency: number;
  private readonly routingHeader: string | undefined;
  private readonly attemptsByRequest = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private readonly keys = new KeyTable<EndpointState>();
  /** Slots taken over all endpoints (HTTP requests being sent or awaited). */
  private reserved = 0;
  private pumping = false;
  /** A pump() scheduled for when an idle server may steal (steal()). */
  private stealTimer: ReturnType<typeof setTimeout> | undefined;
  private roundRobin = 0;
  private nextRequestId = 0;
  /** Tells this pool's request ids from another pool's in the same process. */
  private readonly idTag = randomBytes(3).toString('hex');
  private readonly counters = { requests: 0, succeeded: 0, failures: 0, cancelled: 0, retries: 0, failovers: 0 };
  /** The last configuration error a server answered (unknown model, rejected key, a top_logprobs
   *  above its --max-logprobs): every request sent soon after would get it too, so none is sent
   *  for REFUSAL_HOLD_MS. Not for ever: the extension keeps its pool while the user fixes and
   *  restarts the server. */
  private refusal: { error: ConfigError; until: number } | undefined;

  constructor(options: EndpointPoolOptions) {
    if (options.endpoints.length === 0) throw new Error('EndpointPool needs at least one endpoint');
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries));
    this.concurrency = Math.max(1, Math.floor(options.concurrency));
    this.routingHeader = options.routingHeader?.trim() || undefined;
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
        idleSince: performance.now(),
      };
    });
  }

  get stats(): PoolStats {
    return {
      ...this.counters,
      inFlight: this.reserved,
      queued: this.waiting.length,
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
   * Sends one chat completion request: to the server its `affinityKey` is pinned to, else to the
   * least busy one. Throws CancelledError when `signal` aborts (queued or in flight),
   * EndpointError / ConfigError with a readable message when every attempt failed.
   */
  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const { signal } = options;
    if (signal?.aborted) throw new CancelledError();
    this.counters.requests++;
    const requestId = `finger-${process.pid}-${this.idTag}-${++this.nextRequestId}`;
    const work = this.send(request, requestId, signal, options.affinityKey || undefined);
    // The caller stops waiting as soon as it cancels, even while the request is still queued;
    // the queued request then leaves the queue at once (acquire's abort listener).
    work.catch(() => {});
    try {
      const response = await (signal ? raceAbort(work, signal) : work);
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

  private async send(
    request: ChatRequest,
    requestId: string,
    signal: AbortSignal | undefined,
    key: string | undefined,
  ): Promise<ChatResponse> {
    const started = performance.now();
    const tried = new Set<EndpointState>();
    let attemptsBefore = 0;
    let bodyRetries = 0;
    let only: EndpointState | undefined;
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId, 'content-type': 'application/json' };
    if (key !== undefined && this.routingHeader) headers[this.routingHeader] = key;
    for (;;) {
      this.throwIfRefused();
      const endpoint = await this.acquire({ key, tried, only }, signal);
      only = undefined;
      // A refusal may have come back while this request waited for its slot.
      if (this.refusal && performance.now() < this.refusal.until) {
        this.release(endpoint);
        throw this.refusal.error;
      }
      tried.add(endpoint);
      endpoint.requests++;
      let waitMs: number | undefined;
      try {
        // What client.chat.completions.create() sends, with the body already encoded (body.ts:
        // the video part is serialized once per video, not once per question).
        const completion = await endpoint.client.post<ChatCompletion>('/chat/completions', {
          body: encodeJsonBody({ ...request, model: endpoint.config.model, stream: false }),
          signal: signal ?? null,
          headers,
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
        if (failure instanceof ConfigError) this.refusal = { error: failure, until: performance.now() + REFUSAL_HOLD_MS };
        if (failure instanceof EndpointError && failure.details.kind === 'connection') {
          endpoint.avoidUntil = Date.now() + this.cooldownMs;
          // Its videos move to the servers that answer (pinned again on their next request).
          if (this.endpoints.length > 1) this.keys.drop(endpoint);
        }
        const untried = this.endpoints.filter((x) => !tried.has(x));
        if (isInterruptedBody(e) && untried.length === 0 && bodyRetries < this.maxRetries) {
          // Same backoff schedule as the openai client uses for the failures it retries itself.
          waitMs = Math.min(500 * 2 ** bodyRetries, 8_000) * (1 - Math.random() * 0.25);
          bodyRetries++;
          this.counters.retries++;
          attemptsBefore = attempts;
          this.logger.debug(`${failure.message} Retrying in ${Math.round(waitMs)} ms.`);
          only = endpoint;
        } else if (isRetryableFailure(e) && untried.length > 0) {
          this.counters.failovers++;
          this.counters.retries++;
          attemptsBefore = attempts;
          this.logger.warn(`${failure.message} Trying another endpoint.`);
        } else {
          this.logger.warn(`${requestId} failed: ${failure.message}${errorCode(e) ? ` [${errorCode(e)}]` : ''}`);
          throw failure;
        }
      } finally {
        this.release(endpoint);
      }
      // The slot is given back while waiting, so other requests use it meanwhile.
      if (waitMs !== undefined) await sleep(waitMs, signal);
    }
  }

  private throwIfRefused(): void {
    if (this.refusal && performance.now() < this.refusal.until) throw this.refusal.error;
  }

  /** A slot on the endpoint this request should go to; waits while that endpoint (or every
   *  endpoint, for a request without a key) is full. */
  private acquire(request: Pick<Waiter, 'key' | 'tried' | 'only'>, signal: AbortSignal | undefined): Promise<EndpointState> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    // No abort listener per waiting request (a video's questions share one signal, and Node warns
    // past ten listeners): chat() stops waiting at once through raceAbort, and pump() drops
    // cancelled waiters before handing out a slot.
    return new Promise<EndpointState>((resolve, reject) => {
      this.waiting.push({ ...request, signal, resolve, reject });
      this.pump();
    });
  }

  private release(endpoint: EndpointState): void {
    endpoint.inFlight--;
    if (endpoint.inFlight === 0) endpoint.idleSince = performance.now();
    this.reserved--;
    this.pump();
  }

  /** Hands free slots to waiting requests, oldest first, skipping those whose server is full. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let i = this.waiting.length - 1; i >= 0; i--) {
        const waiter = this.waiting[i]!;
        if (!waiter.signal?.aborted) continue;
        this.waiting.splice(i, 1);
        waiter.reject(new CancelledError());
      }
      while (this.reserved < this.concurrency && this.waiting.length > 0) {
        const now = Date.now();
        const cap = this.perEndpointCap(now);
        let placed = false;
        for (let i = 0; i < this.waiting.length; i++) {
          const waiter = this.waiting[i]!;
          const endpoint = this.place(waiter, cap, now);
          if (endpoint === undefined) continue;
          this.waiting.splice(i, 1);
          endpoint.inFlight++;
          this.reserved++;
          if (waiter.key !== undefined) this.keys.get(waiter.key)?.sentTo.add(endpoint);
          waiter.resolve(endpoint);
          placed = true;
          break;
        }
        if (!placed && !this.steal(cap, now)) break;
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Requests one endpoint may have in flight: the concurrency shared among those answering. */
  private perEndpointCap(now: number): number {
    const answering = this.endpoints.filter((e) => e.avoidUntil <= now).length || this.endpoints.length;
    return Math.max(1, Math.ceil(this.concurrency / answering));
  }

  /** Endpoints a waiter may use: untried ones (all, once every one was tried), preferring those
   *  not cooling down after a connection failure. */
  private usable(waiter: Waiter, now: number): EndpointState[] {
    if (waiter.only) return [waiter.only];
    let candidates = this.endpoints.filter((e) => !waiter.tried.has(e));
    if (candidates.length === 0) candidates = this.endpoints;
    const healthy = candidates.filter((e) => e.avoidUntil <= now);
    return healthy.length > 0 ? healthy : candidates;
  }

  /** The endpoint `waiter` gets a slot on now, or undefined when it has to wait. */
  private place(waiter: Waiter, cap: number, now: number): EndpointState | undefined {
    const usable = this.usable(waiter, now);
    const open = (e: EndpointState) => e.inFlight < cap;
    if (waiter.key === undefined || waiter.only || this.endpoints.length === 1) return this.leastBusy(usable.filter(open));
    const state = this.keys.get(waiter.key);
    let homes = state ? state.homes.filter((e) => usable.includes(e)) : [];
    if (homes.length === 0) homes = [this.assign(waiter.key, usable)];
    return this.leastBusy(homes.filter(open));
  }

  /** Pins a key to the first server in its rendezvous order whose load stays within the bound. */
  private assign(key: string, usable: EndpointState[]): EndpointState {
    const load = new Map<EndpointState, number>(usable.map((e) => [e, e.inFlight]));
    for (const w of this.waiting) {
      const homes = w.only ? [w.only] : w.key !== undefined ? (this.keys.get(w.key)?.homes ?? []) : [];
      for (const e of homes) if (load.has(e)) load.set(e, load.get(e)! + 1);
    }
    const total = [...load.values()].reduce((a, b) => a + b, 0);
    const bound = (LOAD_BOUND * (total + 1)) / usable.length;
    const ordered = rendezvousOrder(key, usable, (e) => `${e.config.baseUrl}\n${e.config.model}`);
    const target = ordered.find((e) => load.get(e)! + 1 <= bound) ?? ordered.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
    this.keys.pin(key, target);
    return target;
  }

  /**
   * An endpoint with a free slot and nothing it may take: it takes over a waiting key that has
   * not been sent anywhere yet (moving it costs nothing), or, once it has had nothing in flight
   * for STEAL_AFTER_IDLE_MS, shares the key with the most waiting requests when they would fill
   * its slots STEAL_MIN_WAITING_ROUNDS times over (one more encoding, less waiting at the end of
   * a run).
   */
  private steal(cap: number, now: number): boolean {
    if (this.endpoints.length === 1) return false;
    const idle = this.endpoints.filter((e) => e.inFlight < cap && e.avoidUntil <= now);
    for (const thief of idle) {
      const waitingByKey = new Map<string, number>();
      for (const w of this.waiting) {
        if (w.key === undefined || w.only || w.tried.has(thief)) continue;
        const state = this.keys.get(w.key);
        if (!state || state.homes.includes(thief)) continue;
        waitingByKey.set(w.key, (waitingByKey.get(w.key) ?? 0) + 1);
      }
      if (waitingByKey.size === 0) continue;
      let unsent: string | undefined;
      let busiest: { key: string; count: number } | undefined;
      for (const [key, count] of waitingByKey) {
        const state = this.keys.get(key)!;
        if (state.sentTo.size === 0) {
          unsent ??= key;
        } else if (state.homes.length < MAX_HOMES && count >= STEAL_MIN_WAITING_ROUNDS * cap && (!busiest || count > busiest.count)) {
          busiest = { key, count };
        }
      }
      if (unsent !== undefined) {
        this.keys.move(unsent, thief);
        return true;
      }
      if (busiest) {
        const idleFor = thief.inFlight === 0 ? performance.now() - thief.idleSince : 0;
        if (thief.inFlight === 0 && idleFor >= STEAL_AFTER_IDLE_MS) {
          this.keys.pin(busiest.key, thief);
          return true;
        }
        if (thief.inFlight === 0) this.pumpLater(STEAL_AFTER_IDLE_MS - idleFor);
      }
    }
    return false;
  }

  /** Runs pump() again after `ms` (once; an earlier pending one is kept), without keeping the
   *  process alive for it. */
  private pumpLater(ms: number): void {
    if (this.stealTimer !== undefined) return;
    this.stealTimer = setTimeout(
      () => {
        this.stealTimer = undefined;
        this.pump();
      },
      Math.max(1, Math.ceil(ms)),
    );
    this.stealTimer.unref?.();
  }

  /** Fewest in flight; ties round-robin. */
  private leastBusy(candidates: EndpointState[]): EndpointState | undefined {
    let best: EndpointState | undefined;
    let bestIndex = -1;
    const n = this.endpoints.length;
    for (let k = 0; k < n; k++) {
      const index = (this.roundRobin + k) % n;
      const e = this.endpoints[index]!;
      if (!candidates.includes(e)) continue;
      if (best === undefined || e.inFlight < best.inFlight) {
        best = e;
        bestIndex = index;
      }
    }
    if (best !== undefined) this.roundRobin = (bestIndex + 1) % n;
    return best;
  }

  /** Model ids served by one endpoint (GET /models). */
  async listModels(signal?: AbortSignal, endpointIndex = 0): Promise<string[]> {
    const endpoint = this.endpoints[endpointIndex];
    if (!endpoint) throw new RangeError(`No endpoint #${endpointIndex}`);
    try {
      const page = await endpoint.client.models.list({ signal: signal ?? null, maxRetries: 1 });
      return page.data.map((m) => m.id);
    } catch (e) {
      throw describeEndpointFailure(e, {
        baseUrl: endpoint.config.baseUrl,
        model: endpoint.config.model,
        attempts: 1,
        timeoutMs: this.timeoutMs,
      });
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
      const headers = new Headers(init?.headers);
      const chatId = headers.get(REQUEST_ID_HEADER);
      let requestId = chatId;
      if (chatId !== null) {
        const attempt = (this.attemptsByRequest.get(chatId) ?? 0) + 1;
        this.attemptsByRequest.set(chatId, attempt);
        // The client's own retries resend the same headers; the server sees one id per attempt.
        requestId = `${chatId}-a${attempt}`;
        headers.set(REQUEST_ID_HEADER, requestId);
        init = { ...init, headers };
      }
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
        this.logger.debug(
          `${method} ${shownUrl} ${path} failed after ${ms} ms: ${errorCode(e) ?? (e instanceof Error ? e.name : 'error')}`,
        );
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
