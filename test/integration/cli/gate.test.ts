// Gates end to end through the bundled CLI: `finger score --protocol signals` with no endpoint,
// `--fail-under` → exit 3 with the failing clips named, `--junit` / `--summary` files, `finger gate`
// over saved results, and `--then finger` sending only the clips the signals passed to the judge
// (the endpoint double counts what it was asked).
import assert from 'node:assert/strict';
import { access, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import { encodeLavfi, makeTempDir, removeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';
import { DIMENSIONS, ResultSchema } from '../../../src/core/types';

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );

let clipsDir: string;
const encode = (name: string, graph: string) => encodeLavfi(path.join(clipsDir, name), graph, { durationSec: 2 });

/** A workspace with a clean clip and a clip with black frames, in two folders. */
async function workspace(): Promise<string> {
  const ws = await makeTempDir('finger-gate-');
  await mkdir(path.join(ws, 'clips', 'bad'), { recursive: true });
  await copyFile(path.join(clipsDir, 'clean.mp4'), path.join(ws, 'clips', 'clean.mp4'));
  await copyFile(path.join(clipsDir, 'black.mp4'), path.join(ws, 'clips', 'bad', 'black.mp4'));
  return ws;
}

describe('gates in the CLI', () => {
  const workspaces: string[] = [];
  before(async () => {
    await buildCli();
    clipsDir = await makeTempDir('finger-gate-clips-');
    await encode('clean.mp4', 'testsrc2=size=160x120:rate=25');
    await encode('black.mp4', "testsrc2=size=160x120:rate=25,drawbox=color=black:t=fill:enable='between(t,0.6,1)'");
  });
  after(async () => {
    for (const ws of [clipsDir, ...workspaces]) await removeTempDir(ws);
  });

  it('signals with no endpoint: exit 3 naming the failing clip, its signal and range; JUnit and summary written', async () => {
    const ws = await workspace();
    workspaces.push(ws);
    const r = await runCli(
      ['score', 'clips', '--protocol', 'signals', '--fail-under', 'overall=1', '--junit', 'out/junit.xml', '--summary', 'out/summary.md'],
      { cwd: ws, env: cleanEnv() },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /✗ gate signals clips\/bad\/black\.mp4: below the gate: overall 0\.[0-9]+ < 1/);
    assert.match(r.stderr, /\[No, score 0\.00\] Is the clip free of black frames\? — Black frames: 0\.44 s flagged at 0\.60–1\.04 s/);
    assert.doesNotMatch(r.stderr, /gate signals clips\/clean\.mp4/);
    assert.match(r.stderr, /Gate \(signals\): 1 of 2 clips passed, 1 failed\./);
    const result = ResultSchema.parse(
      JSON.parse(await readFile(path.join(ws, '.finger', 'results-signals', 'clips', 'bad', 'black.mp4.json'), 'utf8')),
    );
    assert.equal(result.protocol, 'signals');
    const junit = await readFile(path.join(ws, 'out', 'junit.xml'), 'utf8');
    assert.match(junit, /<testcase classname="clips" name="clean\.mp4" time="[0-9.]+"\/>/);
    assert.match(junit, /<testcase classname="clips\.bad" name="black\.mp4" time="[0-9.]+">\s*<failure message="below the gate: overall/);
    const summary = await readFile(path.join(ws, 'out', 'summary.md'), 'utf8');
    assert.match(summary, /❌ 1 of 2 clips passed/);
  });

  it('a per-signal gate: --fail-under frozen=1 passes a clip whose only defect is black frames', async () => {
    const ws = await workspace();
    workspaces.push(ws);
    const r = await runCli(['score', 'clips', '--protocol', 'signals', '--fail-under', 'frozen=1', '--signal', 'frozen.minSec=2'], {
      cwd: ws,
      env: cleanEnv(),
    });
    assert.equal(r.code, 0, r.stderr);
    const bad = await runCli(['score', 'clips', '--protocol', 'signals', '--fail-under', 'black=1'], { cwd: ws, env: cleanEnv() });
    assert.equal(bad.code, 3, bad.stderr);
  });

  it('finger gate reads saved results without an endpoint, and exits 0 when every clip passes', async () => {
    const ws = await workspace();
    workspaces.push(ws);
    assert.equal((await runCli(['score', 'clips', '--protocol', 'signals'], { cwd: ws, env: cleanEnv() })).code, 0);
    const failing = await runCli(['gate', '--protocol', 'signals', '--fail-under', 'visual_quality=0.9', '--junit', 'j.xml'], {
      cwd: ws,
      env: cleanEnv(),
    });
    assert.equal(failing.code, 3, failing.stderr);
    assert.match(failing.stderr, /clips\/bad\/black\.mp4: below the gate: visual_quality 0\.500 < 0\.9/);
    assert.ok(await exists(path.join(ws, 'j.xml')));
    const passing = await runCli(['gate', '--protocol', 'signals', '--fail-under', 'dynamic_degree=1'], { cwd: ws, env: cleanEnv() });
    assert.equal(passing.code, 0, passing.stderr);
    const usage = await runCli(['gate', '--fail-under', 'overal=1'], { cwd: ws, env: cleanEnv() });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /the key must be one of overall/);
  });

  it('--protocol signals --then finger asks the judge only about the clips every signal passed', async () => {
    const double: EndpointDouble = await startEndpointDouble();
    try {
      const ws = await workspace();
      workspaces.push(ws);
      const qs = {
        version: 1,
        prompt: 'A test pattern',
        entities: [{ id: 'e1', name: 'pattern' }],
        questions: DIMENSIONS.map((d, i) => ({
          id: `q${i + 1}`,
          dimension: d,
          entity: 'pattern',
          text: `Question ${i + 1} about the pattern?`,
          polarity: 'positive',
        })),
      };
      await writeFile(path.join(ws, 'clips', 'clean.questions.json'), JSON.stringify(qs));
      await writeFile(path.join(ws, 'clips', 'bad', 'black.questions.json'), JSON.stringify(qs));
      const env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
      const r = await runCli(['score', 'clips', '--protocol', 'signals', '--then', 'finger', '--json', '--fail-under', 'overall=0.2'], {
        cwd: ws,
        env,
      });
      // The clean clip passes both gates; the black one fails the finger gate without a score.
      assert.equal(r.code, 3, r.stderr);
      assert.match(
        r.stderr,
        /✗ gate finger clips\/bad\/black\.mp4: could not be scored: not sent to finger: failed: .*black at 0\.6–1\.04 s/,
      );
      assert.doesNotMatch(r.stderr, /gate finger clips\/clean\.mp4/);
      assert.match(r.stderr, /Signals: 1 of 2 clips go on to finger \(1 failed a signal and are not sent\)/);
      const answers = double.requests.filter((q) => q.kind === 'answer');
      assert.equal(answers.length, DIMENSIONS.length, 'one clip × its questions');
      assert.ok(await exists(path.join(ws, '.finger', 'results', 'clips', 'clean.mp4.json')));
      assert.equal(await exists(path.join(ws, '.finger', 'results', 'clips', 'bad', 'black.mp4.json')), false);
      const json = JSON.parse(r.stdout);
      assert.deepEqual(
        json.passes.map((p: { protocol: string }) => p.protocol),
        ['signals', 'finger'],
      );
    } finally {
      await double.close();
    }
  });

  it('--then without an endpoint is a usage error (exit 2) naming what is missing', async () => {
    const ws = await workspace();
    workspaces.push(ws);
    const r = await runCli(['score', 'clips', '--protocol', 'signals', '--then', 'finger'], { cwd: ws, env: cleanEnv() });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No endpoint given/);
  });
});
