// Crashes and concurrency with the real CLI: SIGKILL at random moments, again and again, leaves
// every result file either the old one or a new whole one; two processes scoring the same video at
// once end with one consistent result; Ctrl-C during frame extraction leaves no ffmpeg behind.
//
// [reliability:crash]
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble } from '../double/endpoint-double';
import { makeClip, makeTempDir } from '../helpers/clips';
import { buildCli, cleanEnv, runCli, startCli } from '../helpers/cli';
import { scoreDimensions } from '../../src/core/scoring/finger';
import { ResultSchema } from '../../src/core/types';
import { assertNoStack, filesUnder, MODEL, processesMentioning, sleep, smallSet } from './helpers';

const KILLS = 12;

describe('crashes and concurrency [reliability:crash]', () => {
  let double: EndpointDouble;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    await buildCli();
    double = await startEndpointDouble({ latencyMs: 20 });
    env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL });
  });
  after(() => double?.close());

  it(`SIGKILL while results are being written, ${KILLS} times: every result file is the old one or a whole new one`, async () => {
    const ws = await makeTempDir('finger-rel-kill');
    const names = ['a', 'b', 'c', 'd'];
    for (const [i, n] of names.entries()) {
      await makeClip(ws, `${n}.mp4`, { durationSec: 1, width: 160, height: 120, source: i % 2 ? 'testsrc2' : 'mandelbrot' });
      await writeFile(path.join(ws, `${n}.questions.json`), JSON.stringify(smallSet(`kill ${n}`, 4)));
    }
    const first = await runCli(['score', '.'], { cwd: ws, env });
    assert.equal(first.code, 0, first.stderr);
    const resultsDir = path.join(ws, '.finger', 'results');
    const snapshot = async () =>
      new Map(await Promise.all((await filesUnder(resultsDir)).map(async (f) => [f, await readFile(f, 'utf8')] as const)));
    /** Resolves once some result file differs from `before` (or after `limitMs`). */
    const untilRewritten = async (before: Map<string, string>, limitMs: number) => {
      for (const end = Date.now() + limitMs; Date.now() < end; await sleep(20)) {
        const now = await snapshot().catch(() => before);
        if ([...now].some(([file, text]) => file.endsWith('.json') && before.get(file) !== text)) return;
      }
    };
    let previous = await snapshot();
    assert.equal(previous.size, names.length);
    let changed = 0;
    let killed = 0;
    let tempLeft = 0;
    // A slower server (100 ms a request, 2 at a time) spreads the writes over the run.
    const slow = await startEndpointDouble({ latencyMs: 100 });
    const slowEnv = cleanEnv({ FINGER_ENDPOINT: slow.url, FINGER_MODEL: MODEL });
    try {
      for (let i = 0; i < KILLS; i++) {
        // --force re-asks every question, so every result file is rewritten during the run.
        const { child, done } = startCli(['score', '.', '--force', '--concurrency', '2'], { cwd: ws, env: slowEnv });
        // Even runs die at a moment fixed in time; odd runs a little after their first rewrite,
        // so some kills land mid-run after a write however slow the machine is (a loaded machine
        // can take longer than any fixed delay to reach its first write).
        if (i % 2 === 0) await sleep(300 + ((i * 397) % 1500));
        else await untilRewritten(previous, 60_000).then(() => sleep((i * 131) % 400));
        child.kill('SIGKILL');
        const run = await done;
        if (run.signal === 'SIGKILL') killed++;
        else assert.equal(run.code, 0, `a run that finished before the kill succeeded: ${run.stderr}`);
        const now = await snapshot();
        for (const [file, text] of now) {
          // write-file-atomic's temporary file (<name>.json.<n>) may stay behind after a SIGKILL;
          // it is never read as a result (checked with finger report below). Anything else is not allowed.
          if (/\.json\.\d+$/.test(file)) {
            tempLeft++;
            continue;
          }
          if (!file.endsWith('.json')) assert.fail(`stray file left by the killed run: ${file}`);
          if (previous.get(file) === text) continue;
          changed++;
          ResultSchema.parse(JSON.parse(text)); // a new file is whole
        }
        for (const file of previous.keys()) if (file.endsWith('.json')) assert.ok(now.has(file), `${file} disappeared`);
        previous = now;
      }
    } finally {
      await slow.close();
    }
    assert.ok(killed >= KILLS / 2, `most runs were killed mid-way (${killed} of ${KILLS})`);
    assert.ok(changed > 0, 'some kills landed after a rewrite (otherwise the test proves nothing)');
    // The caches survived the kills: a normal run completes and all results are whole.
    const last = await runCli(['score', '.'], { cwd: ws, env });
    assert.equal(last.code, 0, last.stderr);
    const report = await runCli(['report', '--format', 'json'], { cwd: ws, env });
    assert.equal(report.code, 0, `${tempLeft} leftover temporary file(s) must not break the report: ${report.stderr}`);
    assert.equal(JSON.parse(report.stdout).rows.length, names.length);
    await sleep(500);
    assert.deepEqual(
      await processesMentioning(ws).then((p) => p.filter((l) => /ffmpeg|ffprobe/.test(l))),
      [],
      'no ffmpeg left by a killed CLI',
    );
  });

  it('two CLI processes scoring the same video at once end with one consistent result', async () => {
    const ws = await makeTempDir('finger-rel-twice');
    await makeClip(ws, 'same.mp4', { durationSec: 1 });
    await writeFile(path.join(ws, 'same.questions.json'), JSON.stringify(smallSet('twice', 6)));
    const [one, two] = await Promise.all([
      runCli(['score', 'same.mp4', '--json'], { cwd: ws, env }),
      runCli(['score', 'same.mp4', '--json'], { cwd: ws, env }),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const files = await filesUnder(path.join(ws, '.finger', 'results'));
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ['same.mp4.json'],
    );
    const result = ResultSchema.parse(JSON.parse(await readFile(files[0]!, 'utf8')));
    assert.equal(result.questions.length, 6);
    assert.ok(result.questions.every((q) => q.error === null));
    const expected = scoreDimensions(result.questions);
    assert.deepEqual(result.dimensions, expected.dimensions, 'dimension scores match the questions in the file');
    assert.equal(result.overall, expected.overall);
    // Both processes reported an overall that equals the saved one (same answers, same scores).
    for (const run of [one, two]) assert.equal(JSON.parse(run.stdout).results[0].overall, result.overall);
  });

  it('Ctrl-C during frame extraction: exit 130, no ffmpeg left running, nothing half-written', async () => {
    const ws = await makeTempDir('finger-rel-cancel-ffmpeg');
    const clip = await makeClip(ws, 'long.mp4', { durationSec: 20, width: 640, height: 480, fps: 30 });
    await copyFile(clip, path.join(ws, 'long2.mp4'));
    for (const n of ['long', 'long2']) await writeFile(path.join(ws, `${n}.questions.json`), JSON.stringify(smallSet(`cancel ${n}`)));
    const { child, done } = startCli(['score', '.', '--fps', '30', '--max-frames', '600', '--max-pixels', '300000'], { cwd: ws, env });
    let seen: string[] = [];
    for (let i = 0; i < 400 && seen.length === 0; i++) {
      seen = (await processesMentioning(ws)).filter((l) => /\bffmpeg\b/.test(l) && !/\bnode\b/.test(l));
      if (seen.length === 0) await sleep(25);
    }
    assert.ok(seen.length > 0, 'caught ffmpeg extracting frames');
    child.kill('SIGINT');
    const run = await done;
    assert.equal(run.code, 130, run.stderr);
    assertNoStack(run.stderr);
    await sleep(300);
    assert.deepEqual(
      (await processesMentioning(ws)).filter((l) => /ffmpeg|ffprobe/.test(l)),
      [],
    );
    for (const f of await filesUnder(path.join(ws, '.finger', 'results'))) ResultSchema.parse(JSON.parse(await readFile(f, 'utf8')));
  });
});
