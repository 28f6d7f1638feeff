// Every fault of the endpoint double, through the real `finger score` CLI and the real openai
// client. In each case one question of one video meets the fault on every attempt while the other
// questions and another video are answered normally, and the CLI runs under a capped V8 heap:
// bounded retries (counted at the double), a readable error on that question, the other results
// saved, the run finishes (or is cancelled) and memory stays bounded.
//
// [reliability:endpoint]
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble, type Fault } from '../double/endpoint-double';
import { makeClip, makeTempDir } from '../helpers/clips';
import { buildCli, cleanEnv, runCli, startCli, type CliRun } from '../helpers/cli';
import { ResultSchema, type Result } from '../../src/core/types';
import { assertNoStack, assertResultsIntact, MODEL, parseSummary, questionSet, sleep } from './helpers';

const RETRIES = 2;
const HEAP_MB = 256;
const MARK = 'FAULTY';

let baseClip: string;
let clipDir: string;

async function workspace(tag: string): Promise<string> {
  const ws = await makeTempDir(`finger-rel-fault-${tag}`);
  await copyFile(baseClip, path.join(ws, 'target.mp4'));
  await copyFile(baseClip, path.join(ws, 'other.mp4'));
  await writeFile(
    path.join(ws, 'target.questions.json'),
    JSON.stringify(
      questionSet('A red ball', [`Is the ball red? (${tag})`, `${MARK} does the ball bounce? (${tag})`, `Is the floor wooden? (${tag})`]),
    ),
  );
  await writeFile(
    path.join(ws, 'other.questions.json'),
    JSON.stringify(questionSet('A red ball', [`Is there a ball? (${tag})`, `Is it daytime? (${tag})`])),
  );
  return ws;
}

interface FaultRun {
  ws: string;
  run: CliRun;
  double: EndpointDouble;
  target: Result;
  other: Result | undefined;
  attempts: number;
}

async function runWithFault(tag: string, fault: Fault, extra: string[] = []): Promise<FaultRun> {
  const double = await startEndpointDouble({ faults: (r) => (r.kind === 'answer' && r.question?.includes(MARK) ? fault : undefined) });
  try {
    const ws = await workspace(tag);
    const run = await runCli(['score', '.', '--json', '--retries', String(RETRIES), '--timeout', '2', ...extra], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL, NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` }),
    });
    await assertResultsIntact(ws);
    const read = async (v: string) =>
      ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger', 'results', `${v}.json`), 'utf8')));
    const target = await read('target.mp4').catch((e: unknown) => assert.fail(`target.mp4 result saved (${String(e)}): ${run.stderr}`));
    const other = await read('other.mp4').catch(() => undefined);
    const attempts = double.chatRequests().filter((r) => r.question?.includes(MARK)).length;
    return { ws, run, double, target, other, attempts };
  } finally {
    await double.close();
  }
}

/** The faulty question failed readably after at most 1 + RETRIES attempts; everything else was saved. */
function assertContained(r: FaultRun, message: RegExp, o: { retried: boolean }): void {
  assertNoStack(r.run.stderr, 'stderr');
  assert.equal(r.run.code, 1, r.run.stderr);
  const bad = r.target.questions.find((q) => q.text.includes(MARK))!;
  assert.equal(bad.answer, null);
  assert.equal(bad.score, null);
  assert.match(bad.error ?? '', message);
  assert.ok((bad.error ?? '').length < 600, `a short message, not a dump: ${bad.error?.length} chars`);
  assert.doesNotMatch(bad.error ?? '', /<html|<body|<!DOCTYPE/i, 'no HTML page in the message');
  for (const q of r.target.questions.filter((x) => x !== bad)) assert.equal(q.error, null, q.error ?? '');
  assert.ok(r.other && r.other.questions.every((q) => q.error === null), 'the other video was scored');
  assert.ok(r.attempts >= 1 && r.attempts <= 1 + RETRIES, `bounded retries: ${r.attempts} attempts`);
  if (o.retried) assert.equal(r.attempts, 1 + RETRIES, 'a transient failure is retried');
  const summary = parseSummary(r.run);
  const row = summary.results.find((x) => x.video === 'target.mp4')!;
  assert.match(row.error ?? '', /1 of 3 questions failed/);
  assert.equal(summary.results.find((x) => x.video === 'other.mp4')!.error, null);
}

describe('endpoint faults through the CLI [reliability:endpoint]', () => {
  before(async () => {
    await buildCli();
    clipDir = await makeTempDir('finger-rel-fault-clip');
    baseClip = await makeClip(clipDir, 'base.mp4', { durationSec: 1 });
  });

  it('a 429 storm with Retry-After', async () => {
    const r = await runWithFault('429ra', { status: 429, retryAfter: 1 });
    assertContained(r, /429|rate|busy|too many/i, { retried: true });
  });

  it('a 429 storm without Retry-After', async () => {
    assertContained(await runWithFault('429', { status: 429 }), /429|rate|busy|too many/i, { retried: true });
  });

  it('500 on every attempt', async () => {
    assertContained(await runWithFault('500', { status: 500 }), /500|server error/i, { retried: true });
  });

  it('a connection reset before the response', async () => {
    assertContained(await runWithFault('reset', 'reset'), /reset|connection|closed|terminated|socket/i, { retried: true });
  });

  it('a reset in the middle of the response body', async () => {
    assertContained(await runWithFault('midbody', 'resetMidBody'), /reset|connection|closed|terminated|interrupted|socket|cut/i, {
      retried: true,
    });
  });

  it('a response that never ends times out and is retried a bounded number of times', async () => {
    assertContained(await runWithFault('hang', 'hang'), /time|did not answer/i, { retried: true });
  });

  it('an HTML error page from a proxy', async () => {
    assertContained(await runWithFault('html', 'html'), /502|HTML|proxy|gateway/i, { retried: false });
  });

  it('JSON of the wrong shape', async () => {
    assertContained(await runWithFault('shape', 'wrongShape'), /chat completion|shape|unexpected|choices/i, { retried: false });
  });

  for (const [tag, fault, source] of [
    ['nologprobs', 'noLogprobs', 'sampled'],
    ['notags', 'noTags', undefined],
  ] as const) {
    it(`${fault}: the answer is still read (sampled token), nothing fails`, async () => {
      // A generous timeout: this asserts that nothing is retried, and on a loaded machine a reply can
      // take longer than the 2 s the fault tests use to see a timeout.
      const r = await runWithFault(tag, fault, ['--timeout', '30']);
      assert.equal(r.run.code, 0, r.run.stderr);
      const q = r.target.questions.find((x) => x.text.includes(MARK))!;
      assert.equal(q.error, null);
      assert.ok(q.answer === 'Yes' || q.answer === 'No');
      if (source) assert.equal(q.probabilitySource, source);
      assert.equal(r.attempts, 1);
    });
  }

  it(`a 10 MB response is read within a ${HEAP_MB} MB heap`, async () => {
    const r = await runWithFault('huge', 'huge');
    assert.equal(r.run.code, 0, r.run.stderr);
    assert.doesNotMatch(r.run.stderr, /heap out of memory|allocation failed/i);
    assert.ok(r.target.questions.every((q) => q.error === null || q.error.length < 600));
  });

  it('a model the server does not know: named, not retried, exit 1', async () => {
    const double = await startEndpointDouble();
    try {
      const ws = await workspace('model');
      const run = await runCli(['score', '.', '--json', '--retries', String(RETRIES), '--model', 'no-such-model'], {
        cwd: ws,
        env: cleanEnv({ FINGER_ENDPOINT: double.url }),
      });
      assert.equal(run.code, 1);
      assertNoStack(run.stderr);
      assert.match(run.stderr, /no-such-model/);
      assert.ok(double.chatRequests().length <= 5, `one request per question at most: ${double.chatRequests().length}`);
      const summary = parseSummary(run);
      for (const row of summary.results) assert.match(row.error ?? '', /no-such-model/);
    } finally {
      await double.close();
    }
  });

  it('connection refused: every question fails readably and quickly', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const ws = await workspace('refused');
    const run = await runCli(['score', '.', '--json', '--retries', '1', '--timeout', '2'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: `http://127.0.0.1:${port}/v1`, FINGER_MODEL: MODEL }),
    });
    assert.equal(run.code, 1);
    assertNoStack(run.stderr);
    assert.match(run.stderr, /refused|connect|reach/i);
    assert.match(run.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
    // Failed questions are recorded (each with its error), in whole files.
    for (const f of await assertResultsIntact(ws)) {
      const r = ResultSchema.parse(JSON.parse(await readFile(f, 'utf8')));
      assert.ok(r.questions.every((q) => q.answer === null && /refused|connect|reach/i.test(q.error ?? '')));
      assert.equal(r.overall, null);
    }
  });

  it('the endpoint goes down halfway and comes back: retries ride it out, everything is saved', async () => {
    const double = await startEndpointDouble();
    try {
      let answers = 0;
      double.setOptions({
        faults: (r) => {
          if (r.kind !== 'answer' || ++answers !== 2) return undefined;
          setTimeout(() => void double.up(), 1500);
          return 'down';
        },
      });
      const ws = await workspace('downup');
      const run = await runCli(['score', '.', '--json', '--retries', '5', '--timeout', '5', '--concurrency', '1'], {
        cwd: ws,
        env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }),
      });
      assert.equal(run.code, 0, run.stderr);
      const summary = parseSummary(run);
      assert.ok(summary.results.every((x) => x.error === null));
      assert.equal((await assertResultsIntact(ws)).length, 2);
      assert.ok(double.stats.faultsInjected >= 1);
    } finally {
      await double.close();
    }
  });

  it('a 429 storm with a long Retry-After is cancellable with Ctrl-C: exit 130, nothing half-written', async () => {
    const double = await startEndpointDouble({ faults: (r) => (r.kind === 'answer' ? { status: 429, retryAfter: 30 } : undefined) });
    try {
      const ws = await workspace('cancel');
      const { child, done } = startCli(['score', '.'], { cwd: ws, env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }) });
      for (let i = 0; i < 300 && double.stats.faultsInjected === 0; i++) await sleep(50);
      assert.ok(double.stats.faultsInjected > 0, 'the storm started');
      await sleep(300);
      const t0 = Date.now();
      child.kill('SIGINT');
      const run = await done;
      assert.equal(run.code, 130, run.stderr);
      assert.ok(Date.now() - t0 < 10_000, 'stopped without waiting for Retry-After');
      assertNoStack(run.stderr);
      await assertResultsIntact(ws);
    } finally {
      await double.close();
    }
  });
});
