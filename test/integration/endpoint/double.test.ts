// The endpoint double's own behaviour: deterministic answers, vLLM-shaped responses and errors,
// fault injection and the cost model. Driven through the real `openai` client over HTTP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import {
  DEFAULT_DOUBLE_MODEL,
  DOUBLE_DIMENSIONS,
  RESPONSE_FORMAT_REJECTION,
  answerFor,
  classify,
  extractEntities,
  findEntitiesInText,
  findPromptInText,
  generateQuestions,
  startEndpointDouble,
  tokenIds,
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
    const ask = () =>
      client.chat.completions.create({ model, messages: answerMessages(question), logprobs: true, top_logprobs: 20, temperature: 0 });
    const [a, b] = [await ask(), await ask()];
    const choice = a.choices[0]!;
    assert.equal(choice.message.content, b.choices[0]!.message.content);
    const expected = answerFor(question);
    assert.equal(choice.message.content, `<reason>${expected.reason}</reason><answer>${expected.answer}</answer>`);
    const tokens = choice.logprobs!.content!;
    assert.equal(tokens.map((t) => t.token).join(''), choice.message.content);
    // The reply is Qwen2's tokenization of the text, token for token.
    const qwen = tokenIds('qwen2', choice.message.content!);
    assert.equal(tokens.length, qwen.length);
    // After `<answer`: `>` (P = pYes) against `>No` (1 − pYes), then Yes / " Yes" (95 / 5).
    const at = tokens.findIndex((t, i) => t.token === 'answer' && tokens[i - 1]?.token === '><');
    const branch = Object.fromEntries(tokens[at + 1]!.top_logprobs.map((e) => [e.token, Math.exp(e.logprob)]));
    assert.deepEqual(Object.keys(branch).sort(), ['>', '>No']);
    assert.ok(Math.abs(branch['>']! - expected.pYes) < 1e-9);
    assert.equal(tokens[at + 1]!.token, expected.answer === 'Yes' ? '>' : '>No');
    if (expected.answer === 'Yes') {
      const word = Object.fromEntries(tokens[at + 2]!.top_logprobs.map((e) => [e.token, Math.exp(e.logprob)]));
      assert.ok(Math.abs(word['Yes']! - 0.95) < 1e-9 && Math.abs(word[' Yes']! - 0.05) < 1e-9);
    }
    assert.deepEqual(tokens[at + 1]!.top_logprobs[0]!.bytes, [...Buffer.from(tokens[at + 1]!.top_logprobs[0]!.token)]);
  });

  it('answers an assistant prefill with the next token after it, and refuses both generation-prompt flags like vLLM', async () => {
    double.setOptions({ answers: { prefilled: { pYes: 0, reason: 'Blue.', paths: { '>No': 0.7, '>Yes': 0.2, '> Yes': 0.1 } } } });
    try {
      const messages = answerMessages('Is the prefilled one blue?');
      const prefill = (content: string, extra: object) =>
        client.chat.completions.create({
          model,
          messages: [...messages, { role: 'assistant', content }],
          max_tokens: 1,
          logprobs: true,
          top_logprobs: 20,
          ...extra,
        });
      const next = await prefill('<reason>Blue.</reason><answer>', { continue_final_message: true, add_generation_prompt: false });
      assert.equal(next.choices[0]!.message.content, 'Yes');
      const top = Object.fromEntries(next.choices[0]!.logprobs!.content![0]!.top_logprobs.map((e) => [e.token, Math.exp(e.logprob)]));
      assert.ok(Math.abs(top['Yes']! - 2 / 3) < 1e-9 && Math.abs(top[' Yes']! - 1 / 3) < 1e-9);
      assert.equal(double.chatRequests().at(-1)!.kind, 'prefill');
      // vLLM's request validator (check_generation_prompt), wrapped by its validation handler.
      await assert.rejects(prefill('<answer', { continue_final_message: true, add_generation_prompt: true }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.match(e.message, /Cannot set both `continue_final_message` and `add_generation_prompt` to True\./);
        return true;
      });
      // add_generation_prompt defaults to true, which transformers refuses together with continue_final_message.
      await assert.rejects(
        prefill('<answer', { continue_final_message: true }),
        /continue_final_message and add_generation_prompt are not compatible/,
      );
    } finally {
      double.setOptions({ answers: {} });
    }
  });

  it('fast mode answers one token; top_logprobs cut to the requested count', async () => {
    const r = await client.chat.completions.create({
      model,
      messages: answerMessages('Is it raining?'),
      max_tokens: 1,
      logprobs: true,
      top_logprobs: 2,
    });
    const tokens = r.choices[0]!.logprobs!.content!;
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0]!.top_logprobs.length, 2);
    assert.equal(r.choices[0]!.message.content, answerFor('Is it raining?').answer);
    const none = await client.chat.completions.create({ model, messages: answerMessages('Is it raining?'), max_tokens: 1 });
    assert.equal(none.choices[0]!.logprobs ?? null, null);
  });

  it('per-question overrides pick the answer distribution and the reason', async () => {
    double.setOptions({ answers: { umbrella: { pYes: 0.3, paths: { '> yes': 0.55, '>No': 0.45 }, reason: 'Custom.' } } });
    try {
      const r = await client.chat.completions.create({
        model,
        messages: answerMessages('Is the UMBRELLA red?'),
        logprobs: true,
        top_logprobs: 20,
      });
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
    await assert.rejects(
      client.chat.completions.create({ model, messages: answerMessages('q?'), logprobs: true, top_logprobs: 21 }),
      (e: unknown) => {
        assert.ok(e instanceof OpenAI.BadRequestError);
        assert.match(e.message, /greater than max allowed: 20/);
        return true;
      },
    );
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
    const messages = [
      { role: 'user' as const, content: 'Extract the entities of the prompt as JSON.\n<prompt>"A dog chases a ball"</prompt>' },
    ];
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
      await assert.rejects(
        client.chat.completions.create({ model, messages, response_format }),
        (e: unknown) => e instanceof OpenAI.UnprocessableEntityError,
      );
    } finally {
      double.setOptions({ rejectResponseFormat: false });
    }
  });

  it('reads the prompt and entities from the user message, not from few-shot examples in the system text', async () => {
    const system =
      'Extract entities.\nExample 1\nPrompt: <prompt>"A chef in a white hat slices a red tomato."</prompt>\nEntities: <entities>[{"name":"chef"}]</entities>';
    const prompt = 'A dog chases a <b>ball</b>';
    const user = `<prompt>${JSON.stringify(prompt).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')}</prompt>`;
    const entities = await client.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'finger_entities', schema: {} } },
    });
    assert.deepEqual(JSON.parse(entities.choices[0]!.message.content!), { entities: extractEntities(prompt) });
    const listed = [{ name: 'dog', attributes: ['brown'] }];
    const questions = await client.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: `${user}\n<entities>${JSON.stringify(listed)}</entities>` },
      ],
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
        questions.map((q, i) =>
          client.chat.completions.create({ model, messages: answerMessages(q, i < 3 ? 'VIDEOA' : 'VIDEOB'), max_tokens: 1 }),
        ),
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
