import { ConfigError, describeError } from '../../../src/core/errors';
// answerQuestion end to end: EndpointPool → real openai client → HTTP → endpoint double.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointPool } from '../../../src/core/endpoint/pool';
import { CancelledError } from '../../../src/core/errors';
import { answerQuestion, buildVideoContent, MAX_PREFILL_REQUESTS, REASONING_MAX_TOKENS } from '../../../src/core/judge';
import { prefillRefusal } from '../../../src/core/judge/answer';
import type { Question } from '../../../src/core/types';
import { DEFAULT_DOUBLE_MODEL, answerFor, startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';

const systemText = 'You are a careful video judge. Answer with <reason>…</reason><answer>Yes or No</answer>.';
const videoContent = buildVideoContent({ mode: 'video', frames: [{ jpeg: Buffer.from('frame-1') }, { jpeg: Buffer.from('frame-2') }] });

function question(text: string, polarity: 'positive' | 'negative' = 'positive', id = 'q1'): Question {
  return { id, dimension: 'visual_quality', entity: 'cup', text, polarity };
}

describe('answerQuestion against the endpoint double', () => {
  let double: EndpointDouble;
  let pool: EndpointPool;
  before(async () => {
    double = await startEndpointDouble();
    pool = new EndpointPool({
      endpoints: [{ baseUrl: double.url, model: DEFAULT_DOUBLE_MODEL }],
      concurrency: 4,
      timeoutMs: 5_000,
      maxRetries: 2,
    });
  });
  afterEach(() => double.setOptions({ answers: {}, faults: undefined, tokenizer: 'qwen2', answerFormat: 'asked' }));
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
    const questionText =
      'Question: Is the cup steady?\nReply as <reason>…</reason><answer>Yes</answer> or <reason>…</reason><answer>No</answer>.';
    const r = await answerQuestion(pool, { question: q, systemText, videoContent, questionText, reasoning: true, temperature: 0 });
    const expected = answerFor(questionText);
    assert.equal(double.chatRequests().at(-1)!.question, questionText);
    assert.equal(r.answer, expected.answer);
    assert.equal(r.probabilitySource, 'logprobs');
    assert.ok(Math.abs(r.pYes! - expected.pYes) < 1e-9);
  });

  /** The prefill requests the double received for one question. */
  const prefillsFor = (text: string) => double.chatRequests().filter((r) => r.kind === 'prefill' && r.question === text);

  for (const tokenizer of ['qwen2', 'llama3'] as const) {
    it(`${tokenizer}: pYes is the path sum, with one prefill for a No glued to the tag and none for a Yes`, async () => {
      double.setOptions({
        tokenizer,
        answers: {
          glued: { pYes: 0, reason: 'Yes, it wobbles; no, it does not fall.', paths: { '>No': 0.62, '>Yes': 0.3, '> yes': 0.08 } },
          split: { pYes: 0, reason: 'No sign of a wobble, yes.', paths: { '>Yes': 0.61, '> Yes': 0.12, '>No': 0.27 } },
        },
      });
      const glued = await ask(question(`Is the glued one steady (${tokenizer})?`));
      assert.equal(glued.answer, 'No');
      assert.equal(glued.probabilitySource, 'logprobs');
      assert.ok(Math.abs(glued.pYes! - 0.38) < 1e-9, `${glued.pYes}`);
      const gluedPrefills = prefillsFor(`Is the glued one steady (${tokenizer})?`);
      assert.equal(gluedPrefills.length, 1);
      const body = gluedPrefills[0]!.body;
      assert.deepEqual(body.messages.at(-1), {
        role: 'assistant',
        content: '<reason>Yes, it wobbles; no, it does not fall.</reason><answer>',
      });
      assert.equal(body.continue_final_message, true);
      assert.equal(body.add_generation_prompt, false);
      assert.equal(body.max_tokens, 1);
      assert.equal(body.temperature, 0);
      assert.equal(body.logprobs, true);
      assert.equal(body.top_logprobs, 20);
      const main = double.chatRequests().find((r) => r.kind === 'answer' && r.question === `Is the glued one steady (${tokenizer})?`)!;
      assert.deepEqual(body.messages.slice(0, -1), main.body.messages, 'the prefill repeats the question request (cached prefix)');

      const split = await ask(question(`Is the split one steady (${tokenizer})?`));
      assert.equal(split.answer, 'Yes');
      assert.ok(Math.abs(split.pYes! - 0.73) < 1e-9, `${split.pYes}`);
      assert.equal(prefillsFor(`Is the split one steady (${tokenizer})?`).length, 0, 'no branch left to read');
    });
  }

  it('asks at most two prefills per question, and none for a branch that cannot move pYes by 0.001', async () => {
    double.setOptions({
      answers: {
        // `>` (Yes 0.2, " No" 0.05), `>"` (Yes 0.1) and `>*` (0.0004) are all branches off `>No`.
        three: { pYes: 0, paths: { '>No': 0.6496, '>Yes': 0.2, '> No': 0.05, '>"Yes': 0.1, '>*No': 0.0004 } },
        tiny: { pYes: 0, paths: { '>Yes': 0.7, '>No': 0.2995, '>"No': 0.0005 } },
      },
    });
    const three = await ask(question('Are there three branches?'));
    assert.equal(prefillsFor('Are there three branches?').length, MAX_PREFILL_REQUESTS);
    // Read: `>` and `>"`; `>*` (0.0004) is left out. P(Yes) = 0.3, P(No) = 0.6496 + 0.05.
    assert.ok(Math.abs(three.pYes! - 0.3 / 0.9996) < 1e-9, `${three.pYes}`);
    assert.equal(three.probabilitySource, 'logprobs');
    const tiny = await ask(question('Is the branch tiny?'));
    assert.equal(prefillsFor('Is the branch tiny?').length, 0);
    assert.ok(Math.abs(tiny.pYes! - 0.7 / 0.9995) < 1e-9);
  });

  it('fast mode: the first token is read, and a FingER-tuned model that writes <reason> anyway is read after a prefill of <answer', async () => {
    double.setOptions({
      answers: {
        plain: { pYes: 0, fastPaths: { Yes: 0.4, ' yes': 0.05, No: 0.5, '"No': 0.05 } },
        tuned: { pYes: 0, paths: { '>No': 0.35, '>Yes': 0.6, '> Yes': 0.05 } },
      },
    });
    const plain = await ask(question('Is the plain one fast?'), false);
    assert.equal(plain.answer, 'No');
    assert.ok(Math.abs(plain.pYes! - 0.45) < 1e-9);
    assert.equal(prefillsFor('Is the plain one fast?').length, 0);
    double.setOptions({ answerFormat: 'finger' });
    const tuned = await ask(question('Is the tuned one fast?'), false);
    const sent = double.chatRequests().filter((r) => r.question === 'Is the tuned one fast?');
    assert.equal(sent[0]!.body.max_tokens, 1);
    assert.deepEqual(
      sent.filter((r) => r.kind === 'prefill').map((r) => r.prefill),
      ['<answer', '<answer>'],
      'after <answer: `>No` and `>`; after <answer>: Yes and " Yes"',
    );
    assert.equal(tuned.answer, 'Yes');
    assert.ok(Math.abs(tuned.pYes! - 0.65) < 1e-9, `${tuned.pYes}`);
    assert.equal(tuned.reason, null);
  });

  it('a FingER-tuned model in reasoning mode is read whatever the system text asked', async () => {
    double.setOptions({
      answerFormat: 'finger',
      answers: { format: { pYes: 0, reason: 'It is blue.', paths: { '>No': 0.7, '>Yes': 0.3 } } },
    });
    const r = await answerQuestion(pool, {
      question: question('Is the format ignored?'),
      systemText: 'Answer with one word: Yes or No.',
      videoContent,
      questionText: 'Is the format ignored?',
      reasoning: true,
      temperature: 0,
    });
    assert.equal(r.answer, 'No');
    assert.equal(r.reason, 'It is blue.');
    assert.ok(Math.abs(r.pYes! - 0.3) < 1e-9);
  });

  it('a server that refuses prefill: one refusal, remembered for the client; then approximate, never a silent 0', async () => {
    const hosted = await startEndpointDouble({
      refusePrefill: true,
      answers: { refused: { pYes: 0, paths: { '>No': 0.6, '>Yes': 0.4 } } },
    });
    try {
      const client = new EndpointPool({
        endpoints: [{ baseUrl: hosted.url, model: DEFAULT_DOUBLE_MODEL }],
        concurrency: 1,
        timeoutMs: 5_000,
        maxRetries: 0,
      });
      const results = [];
      for (const i of [1, 2, 3]) results.push(await ask(question(`Is the refused one ${i} steady?`), true, undefined, client));
      const refused = hosted.chatRequests().filter((r) => r.kind === 'prefill');
      assert.equal(refused.length, 1, 'asked once, not once per question');
      assert.equal(refused[0]!.status, 400);
      assert.match(prefillRefusal(client)!, /Unrecognized request argument supplied: continue_final_message/);
      for (const r of results) {
        assert.equal(r.answer, 'No');
        assert.equal(r.probabilitySource, 'approximate');
        // The unread `>` branch (0.4) is split evenly: (0 + 0.2) / (0.6 + 0.4).
        assert.ok(Math.abs(r.pYes! - 0.2) < 1e-9, `${r.pYes}`);
      }
      assert.equal(prefillRefusal(pool), undefined, 'another client still asks');
    } finally {
      await hosted.close();
    }
  });

  it('finds the answer after a long reason', async () => {
    const reason = Array.from({ length: 50 }, (_, i) => `observation${i} shows the cup is steady,`).join(' ');
    double.setOptions({ answers: { long: { pYes: 0.2, reason } } });
    const r = await ask(question('Is this a long one?'));
    assert.equal(
      double
        .chatRequests()
        .filter((r) => r.kind === 'answer')
        .at(-1)!.body.max_tokens,
      REASONING_MAX_TOKENS,
    );
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
    double.setOptions({
      answers: {
        unclosed: { pYes: 1, content: '<reason>Looks right<answer> yes' },
        garbage: { pYes: 1, content: 'I cannot tell from these frames.' },
      },
    });
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
    const strict = new EndpointPool({
      endpoints: [{ baseUrl: double.url, model: DEFAULT_DOUBLE_MODEL }],
      concurrency: 4,
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    const results = await Promise.all(
      ['Is one broken?', 'Is two fine?', 'Is three fine?'].map((t, i) => ask(question(t, 'positive', `q${i}`), true, undefined, strict)),
    );
    assert.equal(results[0]!.answer, null);
    assert.match(results[0]!.error!, /answered 500: CUDA out of memory/);
    assert.ok(results.slice(1).every((r) => r.error === null && r.answer !== null));
  });

  it('throws an unknown model as a readable ConfigError (the pipeline stops once, not per question)', async () => {
    const wrong = new EndpointPool({
      endpoints: [{ baseUrl: double.url, model: 'missing/model' }],
      concurrency: 1,
      timeoutMs: 5_000,
      maxRetries: 0,
    });
    await assert.rejects(
      ask(question('Is the model there?'), true, undefined, wrong),
      (e: Error) =>
        e instanceof ConfigError && /answered 404: model 'missing\/model' does not exist\. Check finger\.model/.test(describeError(e)),
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
      const client = new EndpointPool({
        endpoints: [{ baseUrl: fresh.url, model: DEFAULT_DOUBLE_MODEL }],
        concurrency: 3,
        timeoutMs: 5_000,
        maxRetries: 0,
      });
      const texts = ['Is A?', 'Is B?', 'Is C?', 'Is D?'];
      await Promise.all(texts.map((t, i) => ask(question(t, 'positive', `q${i}`), true, undefined, client)));
      const sent = fresh.chatRequests().filter((r) => r.kind === 'answer');
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
