// The endpoint double's own behaviour: deterministic answers, vLLM-shaped responses and errors,
// fault injection and the cost model. Driven through the real `openai` client over HTTP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import {
  DEFAULT_DOUBLE_MODEL,
  DOUBLE_DIMENSIONS,
  RESPONSE_FORMAT_REJECTION,
  answerDistribution,
  answerFor,
  classify,
  extractEntities,
  findEntitiesInText,
  findPromptInText,
  generateQuestions,
  startEndpointDouble,
  tokenize,
  type EndpointDouble,
} from '../../double/endpoint-double';

const model = DEFAULT_DOUBLE_MODEL;

function answerMessages(question: string, frame = 'AAAA') {
  return [
    { role: 'system' as const, content: 'You judge videos.' },
    {
      role: 'user' as const,
      content: [
        { type: 'image_url' as const, image_url: { url: `data:image/jpeg;base64,${frame}` } },
        { type: 'text' as const, text: question },
      ],
    },
  ];
}

describe('endpoint double: pure rules', () => {
  it('extracts article-introduced nouns with their adjectives, deduplicated, in order', () => {
    const entities = extractEntities('A chef slices a red tomato on a wooden board. The chef smiles; the TOMATO rolls.');
    assert.deepEqual(
      entities.map((e) => [e.id, e.name, e.attributes]),
      [
        ['e1', 'chef', []],
        ['e2', 'tomato', ['red']],
        ['e3', 'board', ['wooden']],
      ],
    );
    assert.equal(entities[0]!.type, 'person');
    assert.deepEqual(extractEntities('sunset over mountains'), [
      { id: 'e1', name: 'scene', type: 'scene', attributes: [], actions: [], relations: [] },
    ]);
  });

  it('generates one question per dimension per entity with both polarities', () => {
    const questions = generateQuestions([{ name: 'dog', attributes: ['brown'] }, { name: 'ball' }]);
    assert.equal(questions.length, 2 * DOUBLE_DIMENSIONS.length);
    for (const name of ['dog', 'ball']) {
      assert.deepEqual(
        questions.filter((q) => q.entity === name).map((q) => q.dimension),
        [...DOUBLE_DIMENSIONS],
      );
    }
    assert.ok(questions.some((q) => q.polarity === 'negative'));
    assert.ok(questions.some((q) => q.text.includes('brown dog')));
  });

  it('answerFor is a pure function of the question text, within (0, 1)', () => {
    const a = answerFor('Is the dog brown?');
    assert.deepEqual(answerFor('Is the dog brown?'), a);
    assert.ok(a.pYes > 0 && a.pYes < 1);
    assert.equal(a.answer, a.pYes >= 0.5 ? 'Yes' : 'No');
    const spread = new Set(Array.from({ length: 50 }, (_, i) => answerFor(`question ${i}?`).answer));
    assert.equal(spread.size, 2, 'both answers occur over many questions');
  });

  it('finds the prompt between markers and entities in JSON', () => {
    assert.equal(findPromptInText('Extract.\n<prompt>\nA cat on a mat\n</prompt>\nThanks'), 'A cat on a mat');
    assert.equal(findPromptInText('Prompt:\n"""A dog runs"""'), 'A dog runs');
    assert.equal(findPromptInText('Text prompt: "A boy jumps"\nmore'), 'A boy jumps');
    assert.deepEqual(findEntitiesInText('Entities: {"entities":[{"id":"e1","name":"cat","attributes":["black"]}]} go'), [
      { name: 'cat', attributes: ['black'] },
    ]);
    assert.equal(findEntitiesInText('no json here {not json}'), null);
  });

  it('tokenize splits tags and words and concatenates back exactly', () => {
    const text = '<reason>The frames clearly show it.</reason><answer>Yes</answer>';
    const tokens = tokenize(text);
    assert.equal(tokens.join(''), text);
    assert.deepEqual(tokens.slice(0, 3), ['<', 'reason', '>']);
    assert.ok(tokens.includes('Yes'));
    assert.ok(tokens.includes('</'));
  });

  it('answerDistribution puts pYes of the yes/no mass on yes variants', () => {
    for (const p of [0, 0.1, 0.5, 0.93, 1]) {
      const d = answerDistribution(p, p >= 0.5 ? 'Yes' : 'No');
      const mass = (re: RegExp) => d.filter((e) => re.test(e.token.trim())).reduce((s, e) => s + Math.exp(e.logprob), 0);
      const yes = mass(/^yes$/i);
      const no = mass(/^no$/i);
      assert.ok(Math.abs(yes / (yes + no) - p) < 1e-9);
      assert.ok(d.some((e) => e.token === 'Maybe'));
    }
  });

  it('classifies by schema name first, then media, then wording', () => {
    assert.equal(classify({ response_format: { json_schema: { name: 'finger_entities' } }, messages: [] }), 'entities');
    assert.equal(classify({ response_format: { json_schema: { name: 'finger_questions' } }, messages: [] }), 'questions');
    assert.equal(classify({ messages: answerMessages('Extract the entities?') }), 'answer');
    assert.equal(classify({ messages: [{ role: 'user', content: 'Extract the entities of <prompt>a cat</prompt>' }] }), 'entities');
    assert.equal(classify({ messages: [{ role: 'user', content: 'Generate yes/no questions for each entity' }] }), 'questions');
  });
});

describe('endpoint double over HTTP', () => {
  let double: EndpointDouble;
  let client: OpenAI;
  before(async () => {
    double = await startEndpointDouble();
    client = new OpenAI({ baseURL: double.url, apiKey: 'EMPTY', maxRetries: 0 });
  });
  after(() => double.close());

  it('lists its models', async () => {
    const list = await client.models.list();
    assert.deepEqual(
      list.data.map((m) => m.id),
      [model],
    );
  });

  it('answers the same question the same way, reasoning mode with tags and logprobs', async () => {
    const question = 'Is the red umbrella open?';
    const ask = () => client.chat.completions.create({ model, messages: answerMessages(question), logprobs: true, top_logprobs: 20, temperature: 0 });
    const [a, b] = [await ask(), await ask()];
    const choice = a.choices[0]!;
    assert.equal(choice.message.content, b.choices[0]!.message.content);
    const expected = answerFor(question);
    assert.equal(choice.message.content, `<reason>${expected.reason}</reason><answer>${expected.answer}</answer>`);
    const tokens = choice.logprobs!.content!;
    assert.equal(tokens.map((t) => t.token).join(''), choice.message.content);
    assert.ok(tokens.length > 10, 'reply is split into many tokens');
    const answerToken = tokens.find((t) => t.token === expected.answer)!;
    const entries = answerToken.top_logprobs;
    const yes = entries.filter((e) => /^yes$/i.test(e.token.trim())).reduce((s, e) => s + Math.exp(e.logprob), 0);
    const no = entries.filter((e) => /^no$/i.test(e.token.trim())).reduce((s, e) => s + Math.exp(e.logprob), 0);
    assert.ok(Math.abs(yes / (yes + no) - expected.pYes) < 1e-9);
    assert.deepEqual(entries[0]!.bytes, [...Buffer.from(entries[0]!.token)]);
  });

  it('fast mode answers one token; top_logprobs cut to the requested count', async () => {
    const r = await client.chat.completions.create({ model, messages: answerMessages('Is it raining?'), max_tokens: 1, logprobs: true, top_logprobs: 2 });
    const tokens = r.choices[0]!.logprobs!.content!;
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0]!.top_logprobs.length, 2);
    assert.equal(r.choices[0]!.message.content, answerFor('Is it raining?').answer);
    const none = await client.chat.completions.create({ model, messages: answerMessages('Is it raining?'), max_tokens: 1 });
    assert.equal(none.choices[0]!.logprobs ?? null, null);
  });

  it('per-question overrides pick pYes, token and reason', async () => {
    double.setOptions({ answers: { umbrella: { pYes: 0.3, token: ' yes', reason: 'Custom.' } } });
    try {
      const r = await client.chat.completions.create({ model, messages: answerMessages('Is the UMBRELLA red?'), logprobs: true, top_logprobs: 20 });
      assert.equal(r.choices[0]!.message.content, '<reason>Custom.</reason><answer> yes</answer>');
    } finally {
      double.setOptions({ answers: {} });
    }
  });

  it('rejects unknown models and too many logprobs like vLLM', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: answerMessages('q?') }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.match(e.message, /The model `nope` does not exist/);
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model, messages: answerMessages('q?'), logprobs: true, top_logprobs: 21 }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError);
      assert.match(e.message, /greater than max allowed: 20/);
      return true;
    });
  });

  it('returns structured replies wrapped as configured, invalid JSON the first time when asked', async () => {
    const messages = [{ role: 'user' as const, content: 'Extract the entities.\n<prompt>A dog chases a ball</prompt>' }];
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'finger_entities', schema: {} } };
    double.setOptions({ jsonStyle: 'fenced', invalidJsonFirst: true });
    try {
      const first = await client.chat.completions.create({ model, messages, response_format });
      assert.throws(() => JSON.parse(first.choices[0]!.message.content!.replace(/```(json)?/g, '')));
      const second = await client.chat.completions.create({ model, messages, response_format });
      const content = second.choices[0]!.message.content!;
      assert.ok(content.startsWith('```json\n'));
      assert.deepEqual(JSON.parse(content.replace(/```(json)?/g, '')), { entities: extractEntities('A dog chases a ball') });
    } finally {
      double.setOptions({ jsonStyle: 'plain', invalidJsonFirst: false });
    }
    const q = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: `Entities: ${JSON.stringify({ entities: extractEntities('A dog chases a ball') })}` }],
      response_format: { type: 'json_schema', json_schema: { name: 'finger_questions', schema: {} } },
    });
    assert.deepEqual(JSON.parse(q.choices[0]!.message.content!), { questions: generateQuestions(extractEntities('A dog chases a ball')) });
  });

  it('refuses response_format like a server without structured output, when told to', async () => {
    const messages = [{ role: 'user' as const, content: 'Extract the entities of the prompt as JSON.\n<prompt>"A dog chases a ball"</prompt>' }];
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'finger_entities', schema: {} } };
    double.setOptions({ rejectResponseFormat: true });
    try {
      await assert.rejects(client.chat.completions.create({ model, messages, response_format }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.equal(e.status, 400);
        assert.equal(e.message, `400 ${RESPONSE_FORMAT_REJECTION}`);
        assert.deepEqual(e.error, { message: RESPONSE_FORMAT_REJECTION, type: 'BadRequestError', param: 'response_format', code: 400 });
        return true;
      });
      assert.equal(double.chatRequests().at(-1)!.kind, 'entities');
      // The same request without response_format (or with type text) is answered as usual.
      for (const extra of [{}, { response_format: { type: 'text' as const } }]) {
        const r = await client.chat.completions.create({ model, messages, ...extra });
        assert.deepEqual(JSON.parse(r.choices[0]!.message.content!), { entities: extractEntities('A dog chases a ball') });
      }
      double.setOptions({ rejectResponseFormat: { status: 422, message: 'response_format: unknown variant `json_schema`' } });
      await assert.rejects(client.chat.completions.create({ model, messages, response_format }), (e: unknown) => e instanceof OpenAI.UnprocessableEntityError);
    } finally {
      double.setOptions({ rejectResponseFormat: false });
    }
  });

  it('reads the prompt and entities from the user message, not from few-shot examples in the system text', async () => {
    const system = 'Extract entities.\nExample 1\nPrompt: <prompt>"A chef in a white hat slices a red tomato."</prompt>\nEntities: <entities>[{"name":"chef"}]</entities>';
    const prompt = 'A dog chases a <b>ball</b>';
    const user = `<prompt>${JSON.stringify(prompt).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')}</prompt>`;
    const entities = await client.chat.completions.create({
      model,
      messages: [{ role: 'system', content: system }, { role: 'user', content: user }],
      response_format: { type: 'json_schema', json_schema: { name: 'finger_entities', schema: {} } },
    });
    assert.deepEqual(JSON.parse(entities.choices[0]!.message.content!), { entities: extractEntities(prompt) });
    const listed = [{ name: 'dog', attributes: ['brown'] }];
    const questions = await client.chat.completions.create({
      model,
      messages: [{ role: 'system', content: system }, { role: 'user', content: `${user}\n<entities>${JSON.stringify(listed)}</entities>` }],
      response_format: { type: 'json_schema', json_schema: { name: 'finger_questions', schema: {} } },
    });
    assert.deepEqual(JSON.parse(questions.choices[0]!.message.content!), { questions: generateQuestions(listed) });
  });

  it('streams SSE chunks that concatenate to the same content', async () => {
    const stream = await client.chat.completions.create({ model, messages: answerMessages('Is it sunny?'), stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    const expected = answerFor('Is it sunny?');
    assert.equal(text, `<reason>${expected.reason}</reason><answer>${expected.answer}</answer>`);
  });

  it('injects queued faults, then answers normally', async () => {
    double.setOptions({ faults: [{ status: 503 }, 'html', 'wrongShape', 'noLogprobs'] });
    const ask = () => client.chat.completions.create({ model, messages: answerMessages('Is it?'), logprobs: true, top_logprobs: 5 });
    await assert.rejects(ask(), (e: unknown) => e instanceof OpenAI.InternalServerError && e.status === 503);
    await assert.rejects(ask(), (e: unknown) => e instanceof OpenAI.APIError && e.status === 502);
    const wrong = (await ask()) as unknown as { choices: unknown };
    assert.equal(Array.isArray(wrong.choices), false);
    const noLp = await ask();
    assert.equal(noLp.choices[0]!.logprobs, null);
    const ok = await ask();
    assert.ok(ok.choices[0]!.logprobs!.content!.length > 0);
  });

  it('goes down (connection refused) and comes back up on the same port', async () => {
    await double.down();
    await assert.rejects(client.models.list(), (e: unknown) => e instanceof OpenAI.APIConnectionError);
    await double.up();
    assert.equal((await client.models.list()).data.length, 1);
  });

  it('requires the API key when configured, answering 401 like vLLM', async () => {
    const locked = await startEndpointDouble({ apiKey: 'sekret' });
    try {
      const wrong = new OpenAI({ baseURL: locked.url, apiKey: 'other', maxRetries: 0 });
      await assert.rejects(wrong.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError);
      const right = new OpenAI({ baseURL: locked.url, apiKey: 'sekret', maxRetries: 0 });
      assert.equal((await right.models.list()).data.length, 1);
    } finally {
      await locked.close();
    }
  });
});

describe('endpoint double: cost model', () => {
  it('serves at most `capacity` at once and encodes each video prefix once', async () => {
    const double = await startEndpointDouble({ capacity: 2, perRequestMs: 60, encodeMs: 30 });
    try {
      const client = new OpenAI({ baseURL: double.url, apiKey: 'EMPTY', maxRetries: 0 });
      const questions = Array.from({ length: 6 }, (_, i) => `Question ${i}?`);
      await Promise.all(
        questions.map((q, i) => client.chat.completions.create({ model, messages: answerMessages(q, i < 3 ? 'VIDEOA' : 'VIDEOB'), max_tokens: 1 })),
      );
      assert.equal(double.stats.peakActive, 2);
      assert.ok(double.stats.peakInFlight > 2, 'requests beyond capacity wait at the server');
      assert.deepEqual(Object.values(double.stats.encodings).sort(), [1, 1]);
      assert.equal(double.stats.chatRequests, 6);
      assert.ok(double.stats.busyMs > 0);
      assert.ok(double.stats.bytesReceived > 0);
      assert.equal(double.stats.inFlight, 0);
      // Per request: which prefix, whether it paid the encoding, how long it held a slot.
      const served = double.chatRequests();
      assert.equal(new Set(served.map((r) => r.prefix)).size, 2);
      assert.equal(served.filter((r) => r.encoded).length, 2, 'one encoding per video prefix');
      for (const r of served) assert.ok(r.serviceMs! >= (r.encoded ? 85 : 55), `slot held ${r.serviceMs} ms`);
      const slotSum = served.reduce((sum, r) => sum + r.serviceMs!, 0);
      assert.ok(Math.abs(double.stats.slotMs - slotSum) < 1e-6, 'slotMs is the sum of the slot times');
      assert.ok(double.stats.slotMs >= 6 * 60 + 2 * 30 - 10);
    } finally {
      await double.close();
    }
  });
});
