// EndpointPool against the HTTP endpoint double, through the real `openai` client.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointPool, EndpointError, type EndpointPoolOptions } from '../../../src/core/endpoint/pool';
import { CancelledError, ConfigError, describeError } from '../../../src/core/errors';
import type { ChatRequest } from '../../../src/core/endpoint/types';
import { DEFAULT_DOUBLE_MODEL, answerFor, startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import { recordingLogger } from '../../helpers/logger';

const model = DEFAULT_DOUBLE_MODEL;

function request(question: string, frame = 'AAAA'): ChatRequest {
  return {
    messages: [
      { role: 'system', content: 'You judge videos.' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${frame}` } },
          { type: 'text', text: question },
        ],
      },
    ],
    max_tokens: 1,
    logprobs: true,
    top_logprobs: 5,
  };
}

function pool(double: EndpointDouble | EndpointDouble[], options: Partial<EndpointPoolOptions> = {}): EndpointPool {
  const doubles = Array.isArray(double) ? double : [double];
  return new EndpointPool({
    endpoints: doubles.map((d) => ({ baseUrl: d.url, model })),
    concurrency: 8,
    timeoutMs: 5_000,
    maxRetries: 4,
    ...options,
  });
}

describe('EndpointPool', () => {
  let double: EndpointDouble;
  before(async () => {
    double = await startEndpointDouble();
  });
  afterEach(() => {
    double.setOptions({ faults: undefined, latencyMs: 0, perRequestMs: 0, capacity: undefined });
  });
  after(() => double.close());

  it('fills in the model and answers through the real client', async () => {
    const p = pool(double);
    const before = double.chatRequests().length;
    const response = await p.chat(request('Is the cat black?'));
    const sent = double.chatRequests()[before]!;
    assert.equal(sent.body.model, model);
    assert.equal(response.completion.choices[0]!.message.content, answerFor('Is the cat black?').answer);
    assert.equal(response.attempts, 1);
    assert.equal(response.endpoint.baseUrl, double.url);
    assert.equal(p.stats.succeeded, 1);
  });

  it('honours Retry-After on 429 (observed at the server)', async () => {
    double.setOptions({ faults: [{ status: 429, retryAfter: 1 }] });
    const p = pool(double);
    const before = double.chatRequests().length;
    const response = await p.chat(request('Retry after?'));
    const [first, second] = double.chatRequests().slice(before);
    assert.equal(response.attempts, 2);
    assert.equal(first!.status, 429);
    // Without the header the client's first backoff is at most 500 ms.
    assert.ok(second!.time - first!.endTime! >= 950, `waited ${second!.time - first!.endTime!} ms`);
    assert.equal(p.stats.retries, 1);
  });

  it('rides out a 429 storm without Retry-After, and reports it when retries run out', async () => {
    double.setOptions({ faults: [{ status: 429 }, { status: 429 }] });
    const p = pool(double);
    const ok = await p.chat(request('Storm?'));
    assert.equal(ok.attempts, 3);
    assert.equal(p.stats.retries, 2);

    double.setOptions({ faults: () => ({ status: 429 }) });
    const strict = pool(double, { maxRetries: 1 });
    await assert.rejects(strict.chat(request('Storm again?')), (e: unknown) => {
      assert.ok(e instanceof EndpointError);
      assert.match(e.message, /rate limiting \(429\) \(after 2 attempts\)/);
      assert.ok(e.message.includes(double.url));
      return true;
    });
    assert.equal(strict.stats.failures, 1);
  });

  it('retries 500, connection resets and a truncated body, then succeeds', async () => {
    for (const fault of [{ status: 500 }, 'reset', 'resetAfterHeaders', 'resetMidBody'] as const) {
      double.setOptions({ faults: [fault] });
      const before = double.chatRequests().length;
      const response = await pool(double).chat(request(`After ${JSON.stringify(fault)}?`));
      assert.equal(response.attempts, 2, JSON.stringify(fault));
      assert.equal(double.chatRequests().length - before, 2);
    }
  });

  it('times out a hanging attempt and succeeds on the retry', async () => {
    double.setOptions({ faults: ['hang'] });
    const before = double.chatRequests().length;
    const response = await pool(double, { timeoutMs: 300 }).chat(request('Hang once?'));
    assert.equal(response.attempts, 2);
    const [first] = double.chatRequests().slice(before);
    await waitFor(() => first!.clientClosed === true);
  });

  it('reports a timeout readably when every attempt hangs', async () => {
    double.setOptions({ faults: () => 'hang' });
    await assert.rejects(pool(double, { timeoutMs: 200, maxRetries: 0 }).chat(request('Hang?')), (e: unknown) => {
      assert.ok(e instanceof EndpointError);
      assert.match(e.message, /did not answer within 200 ms/);
      return true;
    });
  });

  it('waits for slow responses within the timeout', async () => {
    double.setOptions({ latencyMs: 150 });
    const response = await pool(double).chat(request('Slow?'));
    assert.ok(response.latencyMs >= 140);
    assert.equal(response.attempts, 1);
  });

  it('cancels an in-flight request at once and closes its connection', async () => {
    double.setOptions({ faults: () => 'hang' });
    const p = pool(double);
    const controller = new AbortController();
    const before = double.chatRequests().length;
    const pending = p.chat(request('Hang forever?'), { signal: controller.signal });
    await waitFor(() => double.chatRequests().length > before);
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(pending, CancelledError);
    assert.ok(performance.now() - abortedAt < 2_000);
    await waitFor(() => double.chatRequests()[before]!.clientClosed === true);
    assert.equal(p.stats.cancelled, 1);
    assert.equal(p.stats.failures, 0);
  });

  it('cancels queued requests without sending them', async () => {
    double.setOptions({ faults: () => 'hang' });
    const p = pool(double, { concurrency: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const before = double.chatRequests().length;
    const running = p.chat(request('First?'), { signal: first.signal });
    const queued = p.chat(request('Second?'), { signal: second.signal });
    await waitFor(() => double.chatRequests().length > before);
    assert.equal(p.stats.queued, 1);
    second.abort();
    await assert.rejects(queued, CancelledError);
    first.abort();
    await assert.rejects(running, CancelledError);
    await delay(50);
    assert.equal(double.chatRequests().length - before, 1, 'the queued request never reached the server');
    await assert.rejects(p.chat(request('Already?'), { signal: AbortSignal.abort() }), CancelledError);
  });

  it('explains an unknown model, a missing /v1 and a rejected key', async () => {
    const p = new EndpointPool({
      endpoints: [{ baseUrl: double.url, model: 'nope/model' }],
      concurrency: 1,
      timeoutMs: 5_000,
      maxRetries: 2,
    });
    await assert.rejects(p.chat(request('Q?')), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, `Endpoint ${double.url} answered 404: model 'nope/model' does not exist.`);
      assert.match(describeError(e), /Check finger\.model \/ --model/);
      return true;
    });
    const noV1 = new EndpointPool({
      endpoints: [{ baseUrl: double.url.replace(/\/v1$/, ''), model }],
      concurrency: 1,
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    await assert.rejects(noV1.chat(request('Q?')), (e: unknown) => e instanceof ConfigError && /\/v1/.test(describeError(e)));

    const secret = 'sk-test-DO-NOT-LEAK-1234567890';
    const locked = await startEndpointDouble({ apiKey: 'the-right-key' });
    try {
      const logger = recordingLogger();
      const wrongKey = new EndpointPool({
        endpoints: [{ baseUrl: locked.url, model, apiKey: secret }],
        concurrency: 1,
        timeoutMs: 5_000,
        maxRetries: 0,
        logger,
      });
      let message = '';
      await assert.rejects(wrongKey.chat(request('Q?')), (e: unknown) => {
        message = describeError(e);
        return e instanceof ConfigError && /API key was rejected/.test(message);
      });
      assert.ok(!message.includes(secret));
      assert.ok(logger.lines.length > 0);
      assert.ok(
        logger.lines.every((l) => !l.includes(secret)),
        'the key never reaches the log',
      );
      const rightKey = new EndpointPool({
        endpoints: [{ baseUrl: locked.url, model, apiKey: 'the-right-key' }],
        concurrency: 1,
        timeoutMs: 5_000,
        maxRetries: 0,
      });
      assert.equal((await rightKey.chat(request('Q?'))).attempts, 1);
    } finally {
      await locked.close();
    }
  });

  it('explains a refused connection and an HTML error page', async () => {
    const gone = await startEndpointDouble();
    await gone.down();
    try {
      await assert.rejects(pool(gone, { maxRetries: 1 }).chat(request('Q?')), (e: unknown) => {
        assert.ok(e instanceof EndpointError);
        assert.equal(e.message, `Could not connect to ${gone.url}: connection refused (after 2 attempts).`);
        assert.match(describeError(e), /Is the server running\?/);
        return true;
      });
    } finally {
      await gone.close();
    }
    double.setOptions({ faults: () => 'html' });
    await assert.rejects(pool(double, { maxRetries: 0 }).chat(request('Q?')), (e: unknown) => {
      assert.ok(e instanceof EndpointError);
      assert.match(e.message, /answered 502: 502 Bad Gateway \(HTML error page\)/);
      assert.ok(!e.message.includes('<'));
      return true;
    });
  });

  it('rejects a 200 that is not a chat completion', async () => {
    double.setOptions({ faults: ['wrongShape'] });
    await assert.rejects(pool(double).chat(request('Shape?')), (e: unknown) => e instanceof EndpointError && e.details.kind === 'shape');
  });

  it('keeps at most `concurrency` requests in flight at the server', async () => {
    const d = await startEndpointDouble({ perRequestMs: 25 });
    try {
      const p = pool(d, { concurrency: 3 });
      await Promise.all(Array.from({ length: 20 }, (_, i) => p.chat(request(`Bound ${i}?`))));
      assert.equal(d.stats.peakInFlight, 3);
      assert.equal(d.stats.chatRequests, 20);
    } finally {
      await d.close();
    }
  });

  it('spreads load over two endpoints', async () => {
    const a = await startEndpointDouble({ perRequestMs: 10 });
    const b = await startEndpointDouble({ perRequestMs: 10 });
    try {
      const p = pool([a, b], { concurrency: 4 });
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => p.chat(request(`Spread ${i}?`))));
      assert.ok(a.stats.chatRequests >= 5 && b.stats.chatRequests >= 5, `${a.stats.chatRequests} / ${b.stats.chatRequests}`);
      assert.equal(a.stats.chatRequests + b.stats.chatRequests, 20);
      assert.deepEqual(new Set(responses.map((r) => r.endpoint.baseUrl)), new Set([a.url, b.url]));
      assert.ok(a.stats.peakInFlight <= 2 + 1 && b.stats.peakInFlight <= 2 + 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails over to another endpoint when one is down', async () => {
    const a = await startEndpointDouble();
    const b = await startEndpointDouble();
    await a.down();
    try {
      const logger = recordingLogger();
      const p = pool([a, b], { maxRetries: 0, logger });
      const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => p.chat(request(`Failover ${i}?`))));
      assert.ok(responses.every((r) => r.endpoint.baseUrl === b.url));
      assert.equal(b.stats.chatRequests, 6);
      assert.ok(p.stats.failovers >= 1);
      assert.ok(logger.lines.some((l) => /connection refused.*Trying another endpoint/.test(l)));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('checks endpoints: model present, model missing, server down', async () => {
    const down = await startEndpointDouble();
    await down.down();
    try {
      const p = new EndpointPool({
        endpoints: [
          { baseUrl: double.url, model },
          { baseUrl: double.url, model: 'other' },
          { baseUrl: down.url, model },
        ],
        concurrency: 2,
        timeoutMs: 2_000,
        maxRetries: 0,
      });
      const [ok, missing, gone] = await p.checkEndpoint();
      assert.deepEqual([ok!.reachable, ok!.modelPresent], [true, true]);
      assert.equal(ok!.message, `${double.url} answers, model ${model} present`);
      assert.deepEqual([missing!.reachable, missing!.modelPresent], [true, false]);
      assert.match(missing!.message, new RegExp(`model 'other' is not served \\(it serves: ${model.replace(/[.]/g, '\\.')}\\)`));
      assert.equal(gone!.reachable, false);
      assert.match(gone!.message, /connection refused/);
      assert.deepEqual(await p.listModels(), [model]);
    } finally {
      await down.close();
    }
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > until) throw new Error('condition not reached in time');
    await delay(10);
  }
}
