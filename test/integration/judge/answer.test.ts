import { ConfigError, describeError } from '../../../src/core/errors';
// answerQuestion end to end: EndpointPool → real openai client → HTTP → endpoint double.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointPool } from '../../../src/core/endpoint/pool';
import { CancelledError } from '../../../src/core/errors';
import { answerQuestion, buildVideoContent, REASONING_MAX_TOKENS } from '../../../src/core/judge';
import type { Question } from '../../../src/core/types';
import { DEFAULT_DOUBLE_MODEL, answerFor, startEndpointDouble, type EndpointDouble, type TokenStyle } from '../../double/endpoint-double';

const systemText = 'You are a careful video judge. Answer with <reason>…</reason><answer>Yes or No</answer>.';
const videoContent = buildVideoContent({ mode: 'video', frames: [{ jpeg: Buffer.from('frame-1') }, { jpeg: Buffer.from('frame-2') }] });

function question(text: string, polarity: 'positive' | 'negative' = 'positive', id = 'q1'): Question {
  return { id, dimension: 'visual_quality', entity: 'cup', text, polarity };
}

/** Eq. 1 over the entries the test gave the double, with its own yes/no test. */
function eq1(entries: Array<{ token: string; logprob: number }>): number {
  const norm = (t: string) => t.trim().replace(/^["'>]+|["'.]+$/g, '').toLowerCase();
  const yes = entries.filter((e) => norm(e.token) === 'yes').reduce((s, e) => s + Math.exp(e.logprob), 0);
  const no = entries.filter((e) => norm(e.token) === 'no').reduce((s, e) => s + Math.exp(e.logprob), 0);
  return yes / (yes + no);
}

describe('answerQuestion against the endpoint double', () => {
  let double: EndpointDouble;
  let pool: EndpointPool;
  before(async () => {
    double = await startEndpointDouble();
    pool = new EndpointPool({ endpoints: [{ baseUrl: double.url, model: DEFAULT_DOUBLE_MODEL }], concurrency: 4, timeoutMs: 5_000, maxRetries: 2 });
  });
  afterEach(() => double.setOptions({ answers: {}, faults: undefined, tokenStyle: 'fine' }));
  after(() => double.close());

  const ask = (q: Question, reasoning = true, signal?: AbortSignal, client = pool) =>
    answerQuestion(client, { question: q, systemText, videoContent, questionText: q.text, reasoning, temperature: 0 }, signal);

  it('scores the default answer from the logprobs (positive and negative polarity)', async () => {
    const text = 'Is the cup on the table the whole time?';
    const expected = answerFor(text);
    const positive = await ask(question(text, 'positive'));
    assert.equal(positive.answer, expected.answer);
    assert.equal(positive.reason, expected.reason);
    assert.equal(positive.probabilitySource, 'logprobs');
    assert.ok(Math.abs(positive.pYes! - expected.pYes) < 1e-9);
    assert.ok(Math.abs(positive.score! - expected.pYes) < 1e-9);
    const negative = await ask(question(text, 'negative'));
    assert.ok(Math.abs(negative.score! - (1 - expected.pYes)) < 1e-9);
    assert.equal(negative.error, null);
  });

  it('reads the real answer when the question text carries the answer-format instructions', async () => {
    const q = question('Is the cup steady?');
    const questionText = 'Question: Is the cup steady?\nReply as <reason>…</reason><answer>Yes</answer> or <reason>…</reason><answer>No</answer>.';
    const r = await answerQuestion(pool, { question: q, systemText, videoContent, questionText, reasoning: true, temperature: 0 });
    const expected = answerFor(questionText);
    assert.equal(double.chatRequests().at(-1)!.question, questionText);
    assert.equal(r.answer, expected.answer);
    assert.equal(r.probabilitySource, 'logprobs');
    assert.ok(Math.abs(r.pYes! - expected.pYes) < 1e-9);
  });

  it('counts Yes, " yes", YES and "Yes variants with mixed Yes/No mass, for every tokenisation', async () => {
    const topLogprobs = [
      { token: '"Yes', logprob: -0.3 },
      { token: ' yes', logprob: -1.2 },
      { token: 'YES', logprob: -2.0 },
      { token: 'Yes', logprob: -2.6 },
      { token: 'No', logprob: -1.1 },
      { token: ' no', logprob: -3.0 },
      { token: 'Maybe', logprob: -2.2 },
      { token: 'Yesterday', logprob: -4.0 },
    ];
    const want = eq1(topLogprobs);
    for (const style of ['fine', 'coarse', 'glued'] satisfies TokenStyle[]) {
      double.setOptions({ tokenStyle: style, answers: { variants: { pYes: 0.5, token: '"Yes', topLogprobs, reason: 'Mixed.' } } });
      const r = await ask(question(`Which variants count (${style})?`));
      assert.equal(r.probabilitySource, 'logprobs', style);
      assert.ok(Math.abs(r.pYes! - want) < 1e-12, `${style}: ${r.pYes} vs ${want}`);
      assert.equal(r.answer, 'Yes');
      assert.equal(r.reason, 'Mixed.');
    }
    const fast = await ask(question('Which variants count (fast)?'), false);
    assert.ok(Math.abs(fast.pYes! - want) < 1e-12);
    assert.equal(fast.reason, null);
    assert.equal(double.chatRequests().at(-1)!.body.max_tokens, 1);
  });

  it('finds the answer after a long reason', async () => {
    const reason = Array.from({ length: 50 }, (_, i) => `observation${i} shows the cup is steady,`).join(' ');
    double.setOptions({ answers: { long: { pYes: 0.2, reason } } });
    const r = await ask(question('Is this a long one?'));
    assert.equal(double.chatRequests().at(-1)!.body.max_tokens, REASONING_MAX_TOKENS);
    assert.equal(r.answer, 'No');
    assert.equal(r.reason, reason);
    assert.ok(Math.abs(r.pYes! - 0.2) < 1e-9);
  });

  it('records a reply cut off before its answer as an error', async () => {
    const reason = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    double.setOptions({ answers: { endless: { pYes: 0.9, reason } } });
    const r = await ask(question('Is it endless?'));
    assert.equal(r.answer, null);
    assert.equal(r.score, null);
    assert.match(r.error!, /cut off before it gave a Yes\/No answer/);
  });

  it('falls back to the sampled answer without logprobs or without tags', async () => {
    double.setOptions({ faults: ['noLogprobs', 'noTags'] });
    const text = 'Is the sampled fallback used?';
    const expected = answerFor(text);
    for (const fault of ['noLogprobs', 'noTags']) {
      const r = await ask(question(text));
      assert.equal(r.probabilitySource, 'sampled', fault);
      assert.equal(r.answer, expected.answer);
      assert.equal(r.pYes, expected.answer === 'Yes' ? 1 : 0);
    }
  });

  it('copes with a ~10 MB reply', async () => {
    double.setOptions({ faults: ['huge'] });
    const text = 'Is the reply huge?';
    const r = await ask(question(text));
    assert.equal(r.answer, answerFor(text).answer);
    assert.equal(r.probabilitySource, 'sampled');
    assert.ok(r.reason!.length > 9_000_000);
  });

  it('reads malformed tags and records unreadable replies as errors', async () => {
    double.setOptions({ answers: { unclosed: { pYes: 1, content: '<reason>Looks right<answer> yes' }, garbage: { pYes: 1, content: 'I cannot tell from these frames.' } } });
    const unclosed = await ask(question('Is the tag unclosed?'));
    assert.equal(unclosed.answer, 'Yes');
    assert.equal(unclosed.reason, 'Looks right');
    const garbage = await ask(question('Is this garbage?'));
    assert.equal(garbage.answer, null);
    assert.equal(garbage.score, null);
    assert.match(garbage.error!, /no Yes\/No answer: "I cannot tell/);
  });

  it('records an endpoint failure on the question and keeps the others', async () => {
    double.setOptions({ faults: (req) => (req.question?.includes('broken') ? { status: 500, message: 'CUDA out of memory' } : undefined) });
    const strict = new EndpointPool({ endpoints: [{ baseUrl: double.url, model: DEFAULT_DOUBLE_MODEL }], concurrency: 4, timeoutMs: 5_000, maxRetries: 0 });
    const results = await Promise.all(['Is one broken?', 'Is two fine?', 'Is three fine?'].map((t, i) => ask(question(t, 'positive', `q${i}`), true, undefined, strict)));
    assert.equal(results[0]!.answer, null);
    assert.match(results[0]!.error!, /answered 500: CUDA out of memory/);
    assert.ok(results.slice(1).every((r) => r.error === null && r.answer !== null));
  });

  it('throws an unknown model as a readable ConfigError (the pipeline stops once, not per question)', async () => {
    const wrong = new EndpointPool({ endpoints: [{ baseUrl: double.url, model: 'missing/model' }], concurrency: 1, timeoutMs: 5_000, maxRetries: 0 });
    await assert.rejects(
      ask(question('Is the model there?'), true, undefined, wrong),
      (e: Error) => e instanceof ConfigError && /answered 404: model 'missing\/model' does not exist\. Check finger\.model/.test(describeError(e)),
    );
  });

  it('throws CancelledError when aborted mid-request', async () => {
    double.setOptions({ faults: () => 'hang' });
    const controller = new AbortController();
    const pending = ask(question('Will this hang?'), true, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, CancelledError);
  });

  it('sends system text first, the video before the question, and one shared video prefix', async () => {
    const fresh = await startEndpointDouble({ encodeMs: 5 });
    try {
      const client = new EndpointPool({ endpoints: [{ baseUrl: fresh.url, model: DEFAULT_DOUBLE_MODEL }], concurrency: 3, timeoutMs: 5_000, maxRetries: 0 });
      const texts = ['Is A?', 'Is B?', 'Is C?', 'Is D?'];
      await Promise.all(texts.map((t, i) => ask(question(t, 'positive', `q${i}`), true, undefined, client)));
      const sent = fresh.chatRequests();
      assert.equal(sent.length, texts.length);
      const videoUrl = (videoContent[0] as unknown as { video_url: { url: string } }).video_url.url;
      for (const r of sent) {
        const [system, user] = r.body.messages;
        assert.deepEqual(system, { role: 'system', content: systemText });
        assert.equal(user.role, 'user');
        assert.deepEqual(user.content[0], { type: 'video_url', video_url: { url: videoUrl } });
        assert.deepEqual(user.content.at(-1), { type: 'text', text: r.question });
        assert.equal(r.body.logprobs, true);
        assert.equal(r.body.top_logprobs, 20);
        assert.equal(r.body.temperature, 0);
      }
      assert.deepEqual(new Set(sent.map((r) => r.question)), new Set(texts));
      assert.deepEqual(Object.values(fresh.stats.encodings), [1], 'the video prefix was encoded once');
    } finally {
      await fresh.close();
    }
  });
});
