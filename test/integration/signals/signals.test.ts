// The signals protocol on real clips: lavfi sources with one planted defect each at a known time,
// encoded with libx264 and analysed by the real ffmpeg in one pass. Each defect must be flagged by
// its signal, in the right time range within one frame interval; clean moving clips must flag
// nothing (the false-positive count is reported in README.md, "Signals without a GPU").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeSignals, DEFAULT_SIGNAL_THRESHOLDS, resolveThresholds, type SignalId, type SignalsReport } from '../../../src/core/signals';
import { readResult } from '../../../src/core/store';
import { scoreVideo } from '../../../src/core/pipeline';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { encodeLavfi, makeTempDir, removeTempDir, testFfmpeg } from '../../helpers/clips';

const FPS = 25;
const FRAME = 1 / FPS;
const SIZE = 'size=160x120';

/** Encodes a lavfi filter graph (one video output) to a 3 s H.264 clip at 25 fps. */
const clip = (dir: string, name: string, graph: string, inputs: string[] = []) =>
  encodeLavfi(path.join(dir, `${name}.mp4`), graph, { durationSec: 3, inputs });

async function analyse(file: string): Promise<SignalsReport> {
  return analyzeSignals(file, { ffmpeg: testFfmpeg, width: 160, height: 120, fps: FPS, thresholds: DEFAULT_SIGNAL_THRESHOLDS });
}

function signal(r: SignalsReport, id: SignalId) {
  const s = r.signals.find((x) => x.id === id);
  assert.ok(s, `signal ${id} missing`);
  return s;
}

/** The signal failed with exactly one range, whose ends are within one frame interval of the truth. */
function assertFlagged(r: SignalsReport, id: SignalId, start: number, end: number): void {
  const s = signal(r, id);
  assert.equal(s.pass, false, `${id} should fail: ${JSON.stringify(s)}`);
  assert.equal(s.ranges.length, 1, `${id}: one range expected, got ${JSON.stringify(s.ranges)}`);
  const [range] = s.ranges;
  assert.ok(Math.abs(range!.start - start) <= FRAME + 1e-6, `${id} starts at ${range!.start}, expected ${start} ± ${FRAME}`);
  assert.ok(Math.abs(range!.end - end) <= FRAME + 1e-6, `${id} ends at ${range!.end}, expected ${end} ± ${FRAME}`);
}

const flaggedIds = (r: SignalsReport) => r.signals.filter((s) => !s.pass || s.ranges.length > 0).map((s) => s.id);

let dir: string;
before(async () => {
  dir = await makeTempDir('finger-signals');
});
after(async () => {
  await removeTempDir(dir);
});

describe('signals: planted defects are found where they are', () => {
  test('frozen stretch (loop repeats the frame at 0.96 s 24 times: frames 0.96–1.92 s identical)', async () => {
    // loop=start=25 keeps the 25th frame (t = 0.96 s) and repeats it 24 times; the next new
    // frame is at 1.96 s (checked by hand with -f framemd5).
    const r = await analyse(await clip(dir, 'frozen', `testsrc2=${SIZE}:rate=${FPS},loop=loop=24:size=1:start=25,setpts=N/${FPS}/TB`));
    assertFlagged(r, 'frozen', 0.96, 1.96);
    assert.ok(signal(r, 'frozen').value > 0.9);
    assert.equal(signal(r, 'dynamic').pass, true, 'the clip moves outside the stretch');
  });

  test('hard cut (testsrc2 for 1.6 s, then mandelbrot)', async () => {
    const r = await analyse(
      await clip(dir, 'cut', '[0][1]concat=n=2:v=1', [
        `testsrc2=${SIZE}:rate=${FPS}:d=1.6`,
        `mandelbrot=${SIZE}:rate=${FPS},trim=duration=1.4`,
      ]),
    );
    assertFlagged(r, 'cut', 1.6, 1.6 + FRAME);
    assert.equal(signal(r, 'cut').value, 1);
  });

  test('flicker (eq brightness alternating ±0.15 every frame from 1 s to 2 s)', async () => {
    const r = await analyse(
      await clip(dir, 'flicker', `testsrc2=${SIZE}:rate=${FPS},eq=brightness='0.15*(2*mod(n\\,2)-1)':eval=frame:enable='between(t,1,2)'`),
    );
    assertFlagged(r, 'flicker', 1, 2 + FRAME);
    assert.equal(signal(r, 'cut').pass, true, 'the flicker is not reported as cuts');
  });

  test('blurred stretch (gblur sigma 4 from 1 s to 2 s)', async () => {
    const r = await analyse(await clip(dir, 'blur', `testsrc2=${SIZE}:rate=${FPS},gblur=sigma=4:enable='between(t,1,2)'`));
    assertFlagged(r, 'blur', 1, 2 + FRAME);
  });

  test('black frames (a black box over the whole frame from 1 s to 1.48 s)', async () => {
    const r = await analyse(await clip(dir, 'black', `testsrc2=${SIZE}:rate=${FPS},drawbox=color=black:t=fill:enable='between(t,1,1.48)'`));
    assertFlagged(r, 'black', 1, 1.52);
  });

  test('still image (one frame held for 3 s)', async () => {
    const r = await analyse(
      await clip(dir, 'still', `testsrc2=${SIZE}:rate=${FPS},trim=end_frame=1,loop=loop=-1:size=1,setpts=N/${FPS}/TB`),
    );
    const dynamic = signal(r, 'dynamic');
    assert.equal(dynamic.pass, false);
    assert.ok(dynamic.value < DEFAULT_SIGNAL_THRESHOLDS.dynamic.minMeanTi);
    assertFlagged(r, 'dynamic', 0, 3);
    assertFlagged(r, 'frozen', 0, 3);
  });
});

describe('signals: clean moving clips flag nothing', () => {
  const CLEAN: Record<string, string> = {
    testsrc2: `testsrc2=${SIZE}:rate=${FPS}`,
    mandelbrot: `mandelbrot=${SIZE}:rate=${FPS}`,
    // Smooth moving gradients, which have no edges for blurdetect to read (thresholds.ts,
    // blur.minSi). Drawn with geq rather than the gradients source: Debian 12's ffmpeg moves
    // gradients differently on every run even with a seed (mean TI 5–18 for one seed), so a test
    // on it is a coin toss.
    'drifting gradient': `color=black:${SIZE}:rate=${FPS},format=rgb24,geq=r='128+100*sin(2*PI*(X/W+T/3))':g='128+100*sin(2*PI*(Y/H+T/4))':b='128+80*cos(2*PI*(X/W-Y/H+T/5))'`,
    'rotating gradient': `color=black:${SIZE}:rate=${FPS},format=rgb24,geq=r='128+120*cos(2*PI*((X-W/2)*cos(2*T)+(Y-H/2)*sin(2*T))/W)':g='128+60*sin(2*PI*T/3)':b='128+120*sin(2*PI*((X-W/2)*cos(2*T)+(Y-H/2)*sin(2*T))/W)'`,
    'mandelbrot pan': `mandelbrot=size=320x240:rate=${FPS},crop=160:120:x='40+30*sin(t)':y='60+20*cos(t)'`,
    'scrolling testsrc': `testsrc=size=320x240:rate=${FPS},scroll=h=0.004:v=0.002,scale=160:120`,
    life: `life=${SIZE}:mold=10:ratio=0.1:death_color=#202040:life_color=#c0c040:rate=5,fps=${FPS}`,
  };
  for (const [name, graph] of Object.entries(CLEAN)) {
    test(name, async () => {
      const r = await analyse(await clip(dir, `clean-${name.replace(/\W+/g, '-')}`, graph));
      assert.deepEqual(flaggedIds(r), [], JSON.stringify(r.signals.filter((s) => !s.pass || s.ranges.length)));
      assert.equal(r.frames, 75);
      assert.ok(Math.abs(r.durationSec - 3) < 1e-6);
    });
  }
});

describe('signals: thresholds and the saved result', () => {
  test('a threshold changes the verdict: a 1 s freeze passes when only 2 s freezes count', async () => {
    const file = path.join(dir, 'frozen.mp4');
    const t = resolveThresholds({ frozen: { minSec: 2 } });
    const r = await analyzeSignals(file, { ffmpeg: testFfmpeg, width: 160, height: 120, fps: FPS, thresholds: t });
    assert.equal(signal(r, 'frozen').pass, true);
    assert.deepEqual(signal(r, 'frozen').ranges, []);
  });

  test('scoring with the signals protocol writes a result of the common shape under .finger/results-signals', async () => {
    const ws = await makeTempDir('finger-signals-ws');
    try {
      const { mkdir, copyFile } = await import('node:fs/promises');
      await mkdir(path.join(ws, 'clips'));
      await copyFile(path.join(dir, 'black.mp4'), path.join(ws, 'clips', 'black.mp4'));
      const out = await scoreVideo({
        protocol: 'signals',
        videoPath: path.join(ws, 'clips', 'black.mp4'),
        workspaceRoot: ws,
        settings: { ...DEFAULT_SETTINGS, endpoints: [] },
      });
      assert.equal(out.resultFile, path.join(ws, '.finger', 'results-signals', 'clips', 'black.mp4.json'));
      const saved = await readResult(out.resultFile);
      assert.equal(saved.protocol, 'signals');
      assert.equal(saved.video.path, 'clips/black.mp4');
      const black = saved.questions.find((q) => q.id === 'black');
      assert.equal(black?.answer, 'No');
      assert.equal(black?.dimension, 'visual_quality');
      assert.match(black?.reason ?? '', /1–1\.52 s/);
      assert.equal(saved.questions.find((q) => q.id === 'blur')?.answer, 'Yes');
      assert.ok(saved.dimensions.visual_quality!.score! < 1);
      assert.deepEqual(saved.signals?.signals.find((s) => s.id === 'black')?.ranges, [{ start: 1, end: 1.52 }]);
    } finally {
      await removeTempDir(ws);
    }
  });
});
