// `finger score` end to end: the bundled CLI, real ffmpeg on generated clips, the real openai
// client over HTTP to the vLLM endpoint double.
import assert from 'node:assert/strict';
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, answerFor, type EndpointDouble } from '../../double/endpoint-double';
import { makeClip, makeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli, startCli } from '../../helpers/cli';
import { ResultSchema, DIMENSIONS, type QuestionSet } from '../../../src/core/types';
import { scoreDimensions } from '../../../src/core/scoring/finger';

function questionSet(prompt: string, n: number): QuestionSet {
  return {
    version: 1,
    prompt,
    entities: [{ id: 'e1', name: 'ball' }],
    questions: Array.from({ length: n }, (_, i) => ({
      id: `q${i + 1}`,
      dimension: DIMENSIONS[i % DIMENSIONS.length]!,
      entity: 'ball',
      text: `Question number ${i + 1} about the red ball?`,
      polarity: i % 3 === 0 ? ('negative' as const) : ('positive' as const),
    })),
  };
}

async function allFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true })).map((f) => path.join(dir, String(f)));
  } catch {
    return [];
  }
}

/** Every result file parses and validates: nothing half-written, no temp file left behind. */
async function assertResultsIntact(ws: string): Promise<string[]> {
  const files = (await allFiles(path.join(ws, '.finger', 'results'))).filter((f) => !f.endsWith('/') && path.extname(f) !== '');
  for (const f of files) {
    assert.ok(f.endsWith('.json'), `unexpected file in results: ${f}`);
    ResultSchema.parse(JSON.parse(await readFile(f, 'utf8')));
  }
  return files;
}

describe('finger score', () => {
  let double: EndpointDouble;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
  });
  after(() => double.close());

  it('a 5-second clip with a 20-question set makes exactly 20 answering requests, video before question', async () => {
    const ws = await makeTempDir('finger-cli-');
    const clip = await makeClip(ws, 'ball.mp4', { durationSec: 5 });
    const qs = questionSet('A red ball bounces', 20);
    await writeFile(path.join(ws, 'ball.questions.json'), JSON.stringify(qs));
    const start = double.requests.length;
    const run = await runCli(['score', clip, '--json'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const sent = double.requests.slice(start).filter((r) => r.kind === 'answer');
    assert.equal(sent.length, 20);
    assert.equal(
      double.requests.slice(start).filter((r) => r.kind === 'entities' || r.kind === 'questions').length,
      0,
      'a question file means no generation',
    );
    for (const r of sent) {
      const messages = r.body.messages as { role: string; content: unknown }[];
      assert.equal(messages[0]!.role, 'system');
      const user = messages.at(-1)!.content as { type: string; text?: string }[];
      assert.equal(user[0]!.type, 'video_url', 'the video comes first');
      assert.equal(user.at(-1)!.type, 'text', 'the question text comes last');
      assert.equal(r.body.logprobs, true);
      assert.equal(r.body.top_logprobs, 20);
      assert.equal(r.body.temperature, 0);
    }
    // Every request carries byte-identical system text and video, so the server encodes it once.
    assert.equal(new Set(sent.map((r) => JSON.stringify([r.body.messages[0], (r.body.messages.at(-1).content as unknown[])[0]]))).size, 1);

    const summary = JSON.parse(run.stdout) as { results: { video: string; resultFile: string; overall: number; error: string | null }[] };
    assert.equal(summary.results.length, 1);
    assert.equal(summary.results[0]!.video, 'ball.mp4');
    assert.equal(summary.results[0]!.error, null);
    const result = ResultSchema.parse(JSON.parse(await readFile(summary.results[0]!.resultFile, 'utf8')));
    assert.equal(summary.results[0]!.resultFile, path.join(ws, '.finger', 'results', 'ball.mp4.json'));
    assert.equal(result.questions.length, 20);
    assert.equal(result.sampling.frames, 10, '5 s at 2 fps');
    assert.match(result.video.sha256, /^[0-9a-f]{64}$/);
    for (const q of result.questions) {
      // The double answers each request with a pYes derived from the text it received; the client
      // must read that probability back from the logprobs of the answer token.
      const received = sent.find((r) => r.question!.includes(q.text))!.question!;
      assert.ok(Math.abs(q.pYes! - answerFor(received).pYes) < 1e-6, `${q.text}: ${q.pYes} vs ${answerFor(received).pYes}`);
      assert.equal(q.score, q.polarity === 'positive' ? q.pYes : q.pNo);
      assert.equal(q.probabilitySource, 'logprobs');
      assert.ok(q.reason && q.reason.length > 0);
    }
    const expected = scoreDimensions(result.questions);
    assert.ok(Math.abs(result.overall! - expected.overall!) < 1e-12);
    assert.ok(Math.abs(summary.results[0]!.overall - expected.overall!) < 1e-12);
  });

  it('rescoring with nothing changed sends no answering request and keeps the scores', async () => {
    const ws = await makeTempDir('finger-cli-');
    const clip = await makeClip(ws, 'a.mp4', { durationSec: 2 });
    await writeFile(path.join(ws, 'a.questions.json'), JSON.stringify(questionSet('A red ball', 6)));
    assert.equal((await runCli(['score', clip], { cwd: ws, env })).code, 0);
    const first = JSON.parse(await readFile(path.join(ws, '.finger/results/a.mp4.json'), 'utf8'));
    const start = double.requests.length;
    const again = await runCli(['score', clip], { cwd: ws, env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(double.requests.slice(start).filter((r) => r.kind === 'answer').length, 0);
    const second = JSON.parse(await readFile(path.join(ws, '.finger/results/a.mp4.json'), 'utf8'));
    assert.deepEqual(second.questions, first.questions);
    // --force asks again
    const forced = double.requests.length;
    assert.equal((await runCli(['score', clip, '--force'], { cwd: ws, env })).code, 0);
    assert.equal(double.requests.slice(forced).filter((r) => r.kind === 'answer').length, 6);
  });

  it('a fully cached rescore starts no ffmpeg, reads no frame and never loads the openai client', async () => {
    const ws = await makeTempDir('finger-cli-');
    const clip = await makeClip(ws, 'b.mp4', { durationSec: 2 });
    await writeFile(path.join(ws, 'b.questions.json'), JSON.stringify(questionSet('A red ball', 5)));
    // Records every module the CLI requires whose name mentions openai (dist/cli-openai.js).
    const loads = path.join(ws, 'loads.txt');
    const preload = path.join(ws, 'record-requires.cjs');
    await writeFile(
      preload,
      `const M = require('node:module'); const fs = require('node:fs'); const orig = M.prototype.require;
       M.prototype.require = function (id) { if (/openai/.test(id)) fs.appendFileSync(${JSON.stringify(loads)}, id + '\\n'); return orig.apply(this, arguments); };`,
    );
    const traced = { ...env, NODE_OPTIONS: `--require ${preload}` };
    assert.equal((await runCli(['score', clip], { cwd: ws, env: traced })).code, 0);
    assert.match(await readFile(loads, 'utf8'), /openai/, 'the first scoring sends requests through openai');
    const first = await readFile(path.join(ws, '.finger/results/b.mp4.json'), 'utf8');
    await writeFile(loads, '');
    // Without ffmpeg and without the frames' pixels (index kept, JPEGs gone): any extraction, probe
    // or frame read would fail the run.
    const frameDirs = await readdir(path.join(ws, '.finger/cache/frames'));
    let removed = 0;
    for (const d of frameDirs) {
      for (const f of await readdir(path.join(ws, '.finger/cache/frames', d))) {
        if (f.endsWith('.jpg')) {
          await rm(path.join(ws, '.finger/cache/frames', d, f));
          removed++;
        }
      }
    }
    assert.ok(removed > 0);
    const start = double.requests.length;
    const again = await runCli(['score', clip, '--ffmpeg', path.join(ws, 'no-such-ffmpeg')], { cwd: ws, env: traced });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(double.requests.length - start, 0, 'no request of any kind');
    assert.equal(await readFile(loads, 'utf8'), '', 'openai is not loaded');
    assert.equal(await readFile(path.join(ws, '.finger/results/b.mp4.json'), 'utf8'), first, 'the same result');

    // A question that is not cached yet needs the frames again: they are extracted then.
    await writeFile(path.join(ws, 'b.questions.json'), JSON.stringify(questionSet('A red ball', 6)));
    const more = await runCli(['score', clip], { cwd: ws, env });
    assert.equal(more.code, 0, more.stderr);
    assert.equal(double.requests.slice(start).filter((r) => r.kind === 'answer').length, 1);
  });

  it('generates questions from the prompt file when there is no question set', async () => {
    const ws = await makeTempDir('finger-cli-');
    const clip = await makeClip(ws, 'chef.mp4', { durationSec: 2 });
    await writeFile(path.join(ws, 'chef.txt'), 'A chef slices a red tomato on a wooden board\n');
    const start = double.requests.length;
    const run = await runCli(['score', '.', '--json'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const reqs = double.requests.slice(start);
    assert.equal(reqs.filter((r) => r.kind === 'entities').length, 1);
    assert.equal(reqs.filter((r) => r.kind === 'questions').length, 1);
    const result = ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger/results/chef.mp4.json'), 'utf8')));
    assert.equal(result.prompt, 'A chef slices a red tomato on a wooden board');
    assert.equal(reqs.filter((r) => r.kind === 'answer').length, result.questions.length);
    assert.deepEqual(new Set(result.questions.map((q) => q.dimension)), new Set(DIMENSIONS));
    assert.ok(result.questions.some((q) => q.entity.includes('tomato')));
    void clip;
  });

  it('killing the endpoint halfway through a folder: finished videos saved, failures named, exit 1', async () => {
    const down = await startEndpointDouble();
    try {
      const ws = await makeTempDir('finger-cli-');
      const names = ['a.mp4', 'b.mp4', 'c.mp4', 'd.mp4', 'e.mp4', 'f.mp4'];
      await mkdir(path.join(ws, 'clips'));
      for (const [i, n] of names.entries()) {
        // Different content per clip: identical files would share cached answers (by content hash).
        await makeClip(path.join(ws, 'clips'), n, { durationSec: 1 + i * 0.25 });
        await writeFile(path.join(ws, 'clips', n.replace('.mp4', '.questions.json')), JSON.stringify(questionSet(`prompt ${n}`, 5)));
      }
      // The server dies for good after 12 answers (the endpoint of a GPU box that went away).
      let answered = 0;
      down.setOptions({ faults: (r) => (r.kind === 'answer' && ++answered > 12 ? 'down' : undefined) });
      const run = await runCli(['score', 'clips', '--json', '--concurrency', '2', '--retries', '1', '--timeout', '5'], {
        cwd: ws,
        env: cleanEnv({ FINGER_ENDPOINT: down.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' }),
      });
      assert.equal(run.code, 1, run.stderr);
      const summary = JSON.parse(run.stdout) as { results: { video: string; error: string | null; resultFile: string | null }[] };
      assert.equal(summary.results.length, names.length);
      const ok = summary.results.filter((r) => r.error === null);
      const failed = summary.results.filter((r) => r.error !== null);
      assert.ok(ok.length >= 2, `some videos finished before the endpoint died: ${run.stderr}`);
      assert.ok(failed.length >= 1);
      for (const f of failed) {
        assert.match(f.error!, /connect|refused|ECONNREFUSED|failed/i);
        assert.ok(run.stderr.includes(f.video), `stderr names ${f.video}`);
      }
      const files = await assertResultsIntact(ws);
      for (const r of ok) assert.ok(files.includes(r.resultFile!));
    } finally {
      await down.close();
    }
  });

  it('rescoring while the endpoint is down never makes a saved result worse', async () => {
    const flaky = await startEndpointDouble();
    try {
      const ws = await makeTempDir('finger-cli-');
      const clip = await makeClip(ws, 'a.mp4', { durationSec: 1 });
      await writeFile(path.join(ws, 'a.questions.json'), JSON.stringify(questionSet('A red ball', 4)));
      const e = cleanEnv({ FINGER_ENDPOINT: flaky.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
      assert.equal((await runCli(['score', clip], { cwd: ws, env: e })).code, 0);
      const resultFile = path.join(ws, '.finger/results/a.mp4.json');
      const before = await readFile(resultFile, 'utf8');
      // New questions, and the endpoint is gone: the complete result must stay as it was.
      await writeFile(
        path.join(ws, 'a.questions.json'),
        JSON.stringify({
          ...questionSet('A red ball', 4),
          questions: questionSet('A blue ball', 4).questions.map((q) => ({ ...q, text: q.text.replace('red', 'blue') })),
        }),
      );
      await flaky.down();
      const run = await runCli(['score', clip, '--retries', '0', '--timeout', '3'], { cwd: ws, env: e });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /a\.mp4/);
      assert.equal(await readFile(resultFile, 'utf8'), before);
    } finally {
      await flaky.close();
    }
  });

  it('Ctrl-C stops promptly, leaves no ffmpeg running and nothing half-written', async () => {
    const slow = await startEndpointDouble({ latencyMs: 30_000 });
    try {
      const ws = await makeTempDir('finger-cli-');
      for (const n of ['a', 'b', 'c']) {
        await makeClip(ws, `${n}.mp4`, { durationSec: 1 });
        await writeFile(path.join(ws, `${n}.questions.json`), JSON.stringify(questionSet('A red ball', 4)));
      }
      const { child, done } = startCli(['score', '.'], {
        cwd: ws,
        env: cleanEnv({ FINGER_ENDPOINT: slow.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' }),
      });
      // Wait until requests are in flight, then press Ctrl-C.
      for (let i = 0; i < 200 && slow.stats.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(slow.stats.inFlight > 0, 'requests were in flight');
      const sentAt = Date.now();
      child.kill('SIGINT');
      const run = await done;
      const tookMs = Date.now() - sentAt;
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /Cancelled/);
      // Generous bound for a loaded CI machine; the design target (1 s) is measured in the benchmarks.
      assert.ok(tookMs < 5000, `exited ${tookMs} ms after SIGINT`);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(
        slow.requests.filter((r) => r.kind === 'answer').every((r) => r.clientClosed || r.status !== undefined),
        'in-flight requests were aborted',
      );
      await assertResultsIntact(ws);
    } finally {
      await slow.close();
    }
  });
});

describe('finger score: bad usage and configuration exit 2 with a clear message', () => {
  let ws: string;
  before(async () => {
    await buildCli();
    ws = await makeTempDir('finger-cli-');
    await makeClip(ws, 'a.mp4', { durationSec: 1 });
  });

  it('no endpoint configured', async () => {
    const run = await runCli(['score', 'a.mp4'], { cwd: ws, env: cleanEnv() });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /FINGER_ENDPOINT/);
  });

  it('a path that does not exist', async () => {
    const run = await runCli(['score', 'missing.mp4'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: 'http://127.0.0.1:9/v1', FINGER_MODEL: 'm' }),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /missing\.mp4: does not exist/);
  });

  it('an unknown flag value', async () => {
    const run = await runCli(['score', 'a.mp4', '--mode', 'pixels'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: 'http://127.0.0.1:9/v1', FINGER_MODEL: 'm' }),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pixels/);
  });

  it('--soft-score with a protocol that has no 1–5 ratings', async () => {
    const run = await runCli(['score', 'a.mp4', '--soft-score', 'expected'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: 'http://127.0.0.1:9/v1', FINGER_MODEL: 'm' }),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--soft-score applies to the 1–5 ratings of --protocol videoscore2 and qsave, not to finger/);
    const bad = await runCli(['score', 'a.mp4', '--protocol', 'videoscore2', '--soft-score', 'median'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: 'http://127.0.0.1:9/v1', FINGER_MODEL: 'm' }),
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /median/);
  });

  it('a malformed question set names the file and the field', async () => {
    await mkdir(path.join(ws, 'q'), { recursive: true });
    await writeFile(
      path.join(ws, 'q', 'bad.json'),
      JSON.stringify({
        version: 1,
        prompt: 'x',
        entities: [],
        questions: [{ id: 'q1', dimension: 'beauty', entity: 'x', text: 'y?', polarity: 'positive' }],
      }),
    );
    const run = await runCli(['score', 'a.mp4', '--questions', 'q/bad.json'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: 'http://127.0.0.1:9/v1', FINGER_MODEL: 'm' }),
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /bad\.json/);
    assert.match(run.stderr, /questions\[0\]\.dimension/);
  });
});
