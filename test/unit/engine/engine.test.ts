// The engine owns the settings and refuses to start without an endpoint unless the protocol
// needs none (a protocol that scores from the video alone).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine } from '../../../src/core/engine';
import { FingerError } from '../../../src/core/errors';
import { DEFAULT_SETTINGS, type EvalSettings } from '../../../src/core/settings';

const noEndpoint: EvalSettings = { ...DEFAULT_SETTINGS, endpoints: [] };

describe('createEngine', () => {
  it('refuses an engine without an endpoint, naming the settings to set', () => {
    assert.throws(
      () => createEngine(noEndpoint),
      (e: unknown) =>
        e instanceof FingerError && /No endpoint is configured/.test(e.message) && /finger\.endpoint\.baseUrl/.test(e.describe()),
    );
  });

  it('endpointRequired: false makes one that works without the pool, and names the missing endpoint if the pool is asked for', () => {
    const engine = createEngine(noEndpoint, { endpointRequired: false });
    assert.equal(engine.settings, noEndpoint, 'the engine carries the settings it was given');
    assert.ok(engine.frameCache('/tmp/ws'));
    assert.throws(() => engine.pool, /No endpoint is configured/);
    assert.throws(() => engine.questionClient, /No endpoint is configured/);
    engine.dispose();
  });

  it('with an endpoint: one pool for judging and question generation when they are the same server', () => {
    const settings: EvalSettings = { ...DEFAULT_SETTINGS, endpoints: [{ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }] };
    const engine = createEngine(settings);
    assert.equal(engine.questionClient, engine.pool);
    assert.equal(engine.questionModel, 'm');
    engine.dispose();
  });
});
