// Question generation against a server without structured output: the endpoint double refuses
// `response_format` like such a server (HTTP 400, vLLM's error body), reached through the real
// EndpointPool and `openai` client. The refused request is sent once more without
// response_format, that is logged once per endpoint, and later requests of the same client skip it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EndpointPool } from '../../../src/core/endpoint/pool';
import { generateQuestionSet, isResponseFormatRefusal, skipsResponseFormat } from '../../../src/core/questions';
import { loadTemplates, type Templates } from '../../../src/core/templates';
import {
  DEFAULT_DOUBLE_MODEL,
  RESPONSE_FORMAT_REJECTION,
  extractEntities,
  generateQuestions,
  startEndpointDouble,
  type EndpointDouble,
} from '../../double/endpoint-double';
import { recordingLogger } from '../../helpers/logger';

const newPool = (double: EndpointDouble) =>
  new EndpointPool({ endpoints: [{ baseUrl: double.url, model: DEFAULT_DOUBLE_MODEL }], concurrency: 4, timeoutMs: 5_000, maxRetries: 0 });

/** What the double's rules give for a prompt: entity names, then question texts. */
function expected(prompt: string): { entities: string[]; questions: string[] } {
  const entities = extractEntities(prompt);
  return { entities: entities.map((e) => e.name), questions: generateQuestions(entities).map((q) => q.text) };
}

describe('question generation without structured output', () => {
  let templates: Templates;
  let double: EndpointDouble;
  before(async () => {
    templates = await loadTemplates({});
    double = await startEndpointDouble({ rejectResponseFormat: true });
  });
  after(() => double.close());

  it('asks again without response_format, logs it once, and skips it for the rest of the session', async () => {
    const pool = newPool(double);
    const logger = recordingLogger();
    const first = double.chatRequests().length;
    const prompts = ['A chef slices a red tomato on a wooden board', 'A brown dog runs after a ball in the park'];
    // Two prompts at once: both entity requests may be refused before either learns of it.
    const sets = await Promise.all(prompts.map((p) => generateQuestionSet(pool, p, templates, { model: DEFAULT_DOUBLE_MODEL, logger })));
    prompts.forEach((p, i) => {
      assert.deepEqual(
        sets[i]!.entities.map((e) => e.name),
        expected(p).entities,
      );
      assert.deepEqual(sets[i]!.questions.map((q) => q.text).sort(), expected(p).questions.sort());
    });

    const sent = double.chatRequests().slice(first);
    const refused = sent.filter((r) => r.status === 400);
    assert.ok(refused.length >= 1 && refused.length <= 2, `${refused.length} refused`);
    for (const r of refused) {
      assert.equal(r.kind, 'entities');
      assert.equal(r.body.response_format.type, 'json_schema');
    }
    const answered = sent.filter((r) => r.status === 200);
    assert.equal(answered.length, 4, 'one entity and one question request per prompt');
    assert.ok(
      answered.every((r) => !('response_format' in r.body)),
      'answered requests carry no response_format',
    );
    assert.deepEqual(answered.map((r) => r.kind).sort(), ['entities', 'entities', 'questions', 'questions']);
    // The retry is the refused request without response_format, nothing else changed.
    const { response_format: _rf, ...refusedRest } = refused[0]!.body;
    assert.ok(answered.some((r) => JSON.stringify(r.body) === JSON.stringify(refusedRest)));

    assert.equal(logger.warnings.length, 1, logger.warnings.join('\n'));
    assert.match(logger.warnings[0]!, /response_format/);
    assert.ok(logger.warnings[0]!.includes(double.url), logger.warnings[0]);
    assert.ok(logger.warnings[0]!.includes(RESPONSE_FORMAT_REJECTION), logger.warnings[0]);
    assert.equal(skipsResponseFormat(pool), true);

    // Later requests of the same client go without response_format from the start.
    const later = double.chatRequests().length;
    await generateQuestionSet(pool, 'A cat sleeps on the sofa', templates, { model: DEFAULT_DOUBLE_MODEL, logger });
    const laterSent = double.chatRequests().slice(later);
    assert.deepEqual(
      laterSent.map((r) => r.status),
      [200, 200],
    );
    assert.equal(logger.warnings.length, 1, 'logged once');
  });

  it('a new client (next session) tries structured output again', async () => {
    const pool = newPool(double);
    assert.equal(skipsResponseFormat(pool), false);
    const start = double.chatRequests().length;
    await generateQuestionSet(pool, 'A red car drives down the street', templates, { model: DEFAULT_DOUBLE_MODEL });
    assert.deepEqual(
      double
        .chatRequests()
        .slice(start)
        .map((r) => r.status),
      [400, 200, 200],
    );
  });

  it("also recognises TGI's 422 'unknown variant' and keeps structured output where it is supported", async () => {
    double.setOptions({
      rejectResponseFormat: {
        status: 422,
        message:
          'Failed to deserialize the JSON body into the target type: response_format: unknown variant `json_schema`, expected `json` or `regex`',
      },
    });
    try {
      const pool = newPool(double);
      const set = await generateQuestionSet(pool, 'A horse jumps over a fence', templates, { model: DEFAULT_DOUBLE_MODEL });
      assert.deepEqual(
        set.entities.map((e) => e.name),
        expected('A horse jumps over a fence').entities,
      );
    } finally {
      double.setOptions({ rejectResponseFormat: true });
    }
    const supporting = await startEndpointDouble();
    try {
      const pool = newPool(supporting);
      await generateQuestionSet(pool, 'A horse jumps over a fence', templates, { model: DEFAULT_DOUBLE_MODEL });
      const sent = supporting.chatRequests();
      assert.deepEqual(
        sent.map((r) => [r.status, r.body.response_format?.type]),
        [
          [200, 'json_schema'],
          [200, 'json_schema'],
        ],
      );
      assert.equal(skipsResponseFormat(pool), false);
    } finally {
      await supporting.close();
    }
  });

  it('another 400 is not taken for a refusal of response_format: it fails as before, with the server message', async () => {
    const pool = newPool(double);
    double.setOptions({
      rejectResponseFormat: false,
      faults: [{ status: 400, message: "This model's maximum context length is 32768 tokens." }],
    });
    try {
      await assert.rejects(
        generateQuestionSet(pool, 'A bird sits on a branch', templates, { model: DEFAULT_DOUBLE_MODEL }),
        (e: unknown) => {
          assert.equal(isResponseFormatRefusal(e), false);
          assert.match(String((e as Error).message), /maximum context length/);
          return true;
        },
      );
      assert.equal(skipsResponseFormat(pool), false);
    } finally {
      double.setOptions({ rejectResponseFormat: true, faults: undefined });
    }
  });
});
