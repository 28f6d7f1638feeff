// Serving a fleet (README, "Serving a model"): the bundled CLI, real ffmpeg on generated clips,
// the real openai client over HTTP to four endpoint doubles that cache as vLLM replicas do
// (test/double/fleet.ts). Each video is encoded once in the whole fleet, a killed replica's
// videos move to the others without losing a question, and every request of a video carries the
// same timing kwargs, equal to frames / duration.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENTITIES_MAX_TOKENS, QUESTIONS_MAX_TOKENS } from '../../../src/core/questions/generate';
import { DEFAULT_ROUTING_HEADER } from '../../../src/core/settings';
import { DIMENSIONS, ResultSchema, type QuestionSet, type Result } from '../../../src/core/types';
import { DEFAULT_DOUBLE_MODEL, startEndpointDouble, type RecordedRequest } from '../../double/endpoint-double';
import { readFrameList, startFleet, type Fleet } from '../../double/fleet';
import { makeClip, makeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';

const CLIPS = 8;
const QUESTIONS = 6;

function questionSet(tag: string): QuestionSet {
  return {
    version: 1,
    prompt: `A ball rolls (${tag})`,
    entities: [{ id: 'e1', name: 'ball' }],
    questions: Array.from({ length: QUESTIONS }, (_, i) => ({
      id: `q${i + 1}`,
      dimension: DIMENSIONS[i % DIMENSIONS.length]!,
      entity: 'ball',
      text: `[${tag}] Question ${i + 1} about the ball?`,
      polarity: 'positive' as const,
    })),
  };
}

/** A workspace with CLIPS distinct clips (different lengths and sources), each with its questions. */
async function workspace(): Promise<string> {
  const ws = await makeTempDir('finger-fleet-');
  const sources = ['testsrc2', 'mandelbrot', 'testsrc', 'rgbtestsrc'];
  for (let i = 0; i < CLIPS; i++) {
    const name = `clip${i}`;
    await makeClip(ws, `${name}.mp4`, { durationSec: 1 + (i % 3) * 0.75, width: 320, height: 240, source: sources[i % sources.length]! });
    await writeFile(path.join(ws, `${name}.questions.json`), JSON.stringify(questionSet(name)));
  }
  return ws;
}

async function results(ws: string): Promise<Result[]> {
  const out: Result[] = [];
  for (let i = 0; i < CLIPS; i++)
    out.push(ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger', 'results', `clip${i}.mp4.json`), 'utf8'))));
  return out;
}

function scoreArgs(ws: string, fleet: Fleet, extra: string[] = []): string[] {
  return [
    'score',
    ws,
    '--endpoint',
    fleet.urls.join(','),
    '--model',
    DEFAULT_DOUBLE_MODEL,
    '--workspace',
    ws,
    '--concurrency',
    '16',
    '--json',
    ...extra,
  ];
}

const answers = (fleet: Fleet) => fleet.accounting().requests.filter((r) => r.record.kind === 'answer' && r.record.status === 200);

describe('a folder scored over 4 replicas', () => {
  before(() => buildCli());

  let fleet: Fleet;
  let ws: string;
  let run: Awaited<ReturnType<typeof runCli>>;
  before(async () => {
    ws = await workspace();
    fleet = await startFleet(4, { capacity: 4, perRequestMs: 30, encodeMs: 60 });
    run = await runCli(scoreArgs(ws, fleet), { cwd: ws, env: cleanEnv() });
  });
  after(() => fleet.close());

  it('scores every question', async () => {
    assert.equal(run.code, 0, run.stderr);
    for (const r of await results(ws))
      assert.ok(
        r.questions.every((q) => q.error === null && q.answer !== null),
        r.video.path,
      );
    assert.equal(answers(fleet).length, CLIPS * QUESTIONS);
  });

  it('encodes each video exactly once in the whole fleet, on one replica, and uses several replicas', () => {
    const acc = fleet.accounting();
    assert.equal(acc.encodingsByVideo.size, CLIPS);
    for (const [video, n] of acc.encodingsByVideo) assert.equal(n, 1, `video ${video} encoded ${n} times`);
    for (const [video, replicas] of acc.replicasByVideo)
      assert.equal(replicas.size, 1, `video ${video} went to replicas ${[...replicas].join(', ')}`);
    const used = new Set(acc.requests.map((r) => r.replica));
    assert.ok(used.size >= 3, `only replicas ${[...used].join(', ')} were used`);
  });

  it("sends the video's hash as its routing key, the same for all its requests", async () => {
    const byVideo = new Map((await results(ws)).map((r) => [r.video.sha256, r]));
    for (const { record } of answers(fleet)) {
      const key = record.headers[DEFAULT_ROUTING_HEADER];
      assert.ok(typeof key === 'string' && byVideo.has(key), `routing key ${String(key)}`);
    }
    const keysByVideo = new Map<string, Set<string>>();
    for (const { record, video } of answers(fleet)) {
      if (!keysByVideo.has(video!)) keysByVideo.set(video!, new Set());
      keysByVideo.get(video!)!.add(String(record.headers[DEFAULT_ROUTING_HEADER]));
    }
    for (const keys of keysByVideo.values()) assert.equal(keys.size, 1);
  });

  it('sends byte-identical timing kwargs with every request of a video, equal to frames / duration', async () => {
    const resultByKey = new Map((await results(ws)).map((r) => [r.video.sha256, r]));
    const timingByVideo = new Map<string, Set<string>>();
    for (const { record, video } of answers(fleet)) {
      const timing = JSON.stringify({ io: record.body.media_io_kwargs, processor: record.body.mm_processor_kwargs });
      if (!timingByVideo.has(video!)) timingByVideo.set(video!, new Set());
      timingByVideo.get(video!)!.add(timing);
      const result = resultByKey.get(String(record.headers[DEFAULT_ROUTING_HEADER]))!;
      const frames = result.sampling.frames;
      const rate = Math.round((frames / result.video.durationSec) * 1e6) / 1e6;
      assert.deepEqual(record.body.media_io_kwargs, { video: { fps: rate, num_frames: frames } });
      assert.deepEqual(record.body.mm_processor_kwargs, { fps: rate });
      // What vLLM's frame-list loader and Qwen2.5-VL's processor make of them.
      const reading = readFrameList(record.body)!;
      assert.equal(reading.framesSent, frames);
      assert.equal(reading.framesKept, frames);
      assert.equal(reading.loaderFps, rate);
      assert.equal(reading.secondPerGridT, 2 / rate);
    }
    for (const [video, timings] of timingByVideo) assert.equal(timings.size, 1, `video ${video}: ${[...timings].join(' | ')}`);
    // Clips of different lengths get different rates: the kwargs follow the clip, not a constant.
    assert.ok(new Set([...timingByVideo.values()].map((s) => [...s][0])).size >= 2);
  });

  it('asks for repetition_penalty 1.0 and a reply budget, with a request id of its own per request', () => {
    const ids = new Set<string>();
    for (const { record } of answers(fleet)) {
      assert.equal(record.body.repetition_penalty, 1);
      assert.equal(typeof record.body.max_tokens, 'number');
      ids.add(String(record.headers['x-request-id']));
    }
    assert.equal(ids.size, CLIPS * QUESTIONS);
  });
});

describe('a replica killed mid-run', () => {
  before(() => buildCli());

  it('moves its videos to the others and loses no question', async () => {
    const ws = await workspace();
    // The replica that receives the fleet's 12th answering request goes down on it (connection
    // refused from then on; its open connections dropped).
    let answered = 0;
    let killed = -1;
    const fleet = await startFleet(4, { capacity: 4, perRequestMs: 60, encodeMs: 60 });
    fleet.replicas.forEach((replica, i) =>
      replica.setOptions({
        faults: (record) => {
          if (record.kind !== 'answer' || killed >= 0) return undefined;
          if (++answered < 12) return undefined;
          killed = i;
          return 'down';
        },
      }),
    );
    try {
      const run = await runCli(scoreArgs(ws, fleet, ['--retries', '1', '--timeout', '20']), { cwd: ws, env: cleanEnv() });
      assert.equal(run.code, 0, run.stderr);
      assert.ok(killed >= 0, 'a replica was killed');
      for (const r of await results(ws))
        assert.ok(
          r.questions.every((q) => q.error === null && q.answer !== null),
          `${r.video.path}: ${JSON.stringify(r.questions.map((q) => q.error))}`,
        );

      const acc = fleet.accounting();
      const moved = [...acc.replicasByVideo].filter(([, replicas]) => replicas.has(killed) && replicas.size > 1).map(([video]) => video);
      assert.ok(moved.length >= 1, 'the killed replica had a video in progress');
      for (const [video, replicas] of acc.replicasByVideo) {
        const survivors = [...replicas].filter((r) => r !== killed);
        // Each video ended on one surviving replica, encoded there once.
        assert.ok(survivors.length <= 1, `video ${video} spread over ${survivors.join(', ')}`);
        const encodings = survivors.reduce((n, r) => n + (acc.encodingsByReplica[r]!.get(video) ?? 0), 0);
        assert.ok(encodings <= 1, `video ${video} encoded ${encodings} times on the survivors`);
      }
      // Every question of every video was answered by some replica.
      const answeredQuestions = new Set(answers(fleet).map((r) => `${r.video}\n${r.record.question}`));
      assert.equal(answeredQuestions.size, CLIPS * QUESTIONS);
    } finally {
      await fleet.close();
    }
  });
});

describe('request ids and refusals', () => {
  before(() => buildCli());

  it('gives every HTTP attempt its own request id, across the client retries', async () => {
    const ws = await makeTempDir('finger-ids-');
    await makeClip(ws, 'a.mp4', { durationSec: 1 });
    const qs = questionSet('a');
    await writeFile(path.join(ws, 'a.questions.json'), JSON.stringify({ ...qs, questions: qs.questions.slice(0, 1) }));
    const double = await startEndpointDouble({ faults: [{ status: 500 }, { status: 503 }] });
    try {
      const run = await runCli(
        ['score', ws, '--endpoint', double.url, '--model', DEFAULT_DOUBLE_MODEL, '--workspace', ws, '--retries', '3'],
        {
          cwd: ws,
          env: cleanEnv(),
        },
      );
      assert.equal(run.code, 0, run.stderr);
      const ids = double.chatRequests().map((r: RecordedRequest) => String(r.headers['x-request-id']));
      assert.equal(ids.length, 3, 'two failures and the answer');
      assert.equal(new Set(ids).size, 3, ids.join(', '));
      const chat = ids[0]!.replace(/-a\d+$/, '');
      assert.deepEqual(ids, [`${chat}-a1`, `${chat}-a2`, `${chat}-a3`]);
    } finally {
      await double.close();
    }
  });

  it("a top_logprobs above the server's --max-logprobs stops the run with one configuration error naming the flag", async () => {
    const ws = await makeTempDir('finger-logprobs-');
    await makeClip(ws, 'a.mp4', { durationSec: 1 });
    await makeClip(ws, 'b.mp4', { durationSec: 1, source: 'mandelbrot' });
    for (const name of ['a', 'b']) await writeFile(path.join(ws, `${name}.questions.json`), JSON.stringify(questionSet(name)));
    const double = await startEndpointDouble({ maxLogprobs: 5 });
    try {
      const run = await runCli(
        ['score', ws, '--endpoint', double.url, '--model', DEFAULT_DOUBLE_MODEL, '--workspace', ws, '--concurrency', '2'],
        {
          cwd: ws,
          env: cleanEnv(),
        },
      );
      assert.notEqual(run.code, 0, run.stderr);
      // Each video names the server's flag and what to restart it with.
      for (const name of ['a.mp4', 'b.mp4']) {
        assert.match(
          run.stderr,
          new RegExp(`${name.replace('.', '\\.')}: .*started with --max-logprobs 5\\..*--max-logprobs 20`),
          run.stderr,
        );
      }
      // Only what was in flight when the first refusal came back reached the server: not one
      // refused request per question (2 videos × 6 questions).
      const sent = double.chatRequests();
      assert.ok(sent.every((r) => r.status === 400));
      assert.ok(sent.length >= 1 && sent.length <= 2, `${sent.length} requests sent`);
    } finally {
      await double.close();
    }
  });

  it('--routing-header names the header (empty: none); a name that is no header name is a usage error', async () => {
    const ws = await makeTempDir('finger-header-');
    await makeClip(ws, 'a.mp4', { durationSec: 1 });
    const qs = questionSet('a');
    await writeFile(path.join(ws, 'a.questions.json'), JSON.stringify({ ...qs, questions: qs.questions.slice(0, 2) }));
    const double = await startEndpointDouble();
    try {
      const base = ['score', ws, '--endpoint', double.url, '--model', DEFAULT_DOUBLE_MODEL, '--workspace', ws, '--force'];
      assert.equal((await runCli([...base, '--routing-header', 'x-session-id'], { cwd: ws, env: cleanEnv() })).code, 0);
      const sha = ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger', 'results', 'a.mp4.json'), 'utf8'))).video.sha256;
      for (const r of double.chatRequests()) {
        assert.equal(r.headers['x-session-id'], sha);
        assert.equal(r.headers[DEFAULT_ROUTING_HEADER], undefined);
      }
      const before = double.chatRequests().length;
      assert.equal((await runCli([...base, '--routing-header', ''], { cwd: ws, env: cleanEnv() })).code, 0);
      for (const r of double.chatRequests().slice(before)) {
        assert.equal(r.headers['x-session-id'], undefined);
        assert.equal(r.headers[DEFAULT_ROUTING_HEADER], undefined);
      }
      const bad = await runCli([...base, '--routing-header', 'x session'], { cwd: ws, env: cleanEnv() });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--routing-header must be an HTTP header name/);
    } finally {
      await double.close();
    }
  });

  it('question generation asks for a bounded reply (max_tokens)', async () => {
    const ws = await makeTempDir('finger-gen-');
    await makeClip(ws, 'a.mp4', { durationSec: 1 });
    await writeFile(path.join(ws, 'a.txt'), 'A red ball rolls past a green box');
    const double = await startEndpointDouble();
    try {
      const run = await runCli(['questions', ws, '--endpoint', double.url, '--model', DEFAULT_DOUBLE_MODEL, '--workspace', ws], {
        cwd: ws,
        env: cleanEnv(),
      });
      assert.equal(run.code, 0, run.stderr);
      const byKind = (kind: string) => double.chatRequests().filter((r) => r.kind === kind);
      assert.ok(byKind('entities').length >= 1 && byKind('questions').length >= 1);
      for (const r of byKind('entities')) assert.equal(r.body.max_tokens, ENTITIES_MAX_TOKENS);
      for (const r of byKind('questions')) assert.equal(r.body.max_tokens, QUESTIONS_MAX_TOKENS);
    } finally {
      await double.close();
    }
  });
});
