// Frame sampling on real clips made by ffmpeg: how many frames, from which moments, at what size.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { alignToPatchGrid, extractFrames, fitFrameSize, jpegSize, planSampling, probeVideo, type Frame } from '../../../src/core/video';
import { makeClip, makeTempDir, removeTempDir, testFfmpeg, testFfprobe } from '../../helpers/clips';

const execFileAsync = promisify(execFile);
const defaults = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };
const tools = { ffmpeg: testFfmpeg, ffprobe: testFfprobe };

/**
 * A clip whose every frame is flat grey with a brightness that encodes its frame number
 * (16 + 8·(n mod 24) in limited range), so the mean brightness of a sampled JPEG says exactly
 * which source frame it shows.
 */
const FRAME_NUMBER_SOURCE = { source: 'color=c=black', outputArgs: ['-vf', "geq=lum='16+8*mod(N,24)':cb=128:cr=128"] };

/** The brightness level (0–23) of each JPEG: decodes them all with one ffmpeg run, averaged to 1×1. */
async function frameLevels(dir: string, frames: Frame[]): Promise<number[]> {
  const stream = join(dir, `levels-${Date.now()}.mjpeg`);
  await writeFile(stream, Buffer.concat(frames.map((f) => f.jpeg)));
  const { stdout } = await execFileAsync(
    testFfmpeg,
    [
      '-v',
      'error',
      '-f',
      'mjpeg',
      '-i',
      stream,
      '-vf',
      'scale=1:1:flags=area',
      '-fps_mode',
      'passthrough',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      'pipe:1',
    ],
    { encoding: 'buffer' },
  );
  await rm(stream);
  // Full-range JPEG: level k decodes to 8k·255/219.
  return [...stdout].map((v) => Math.round((v * 219) / 255 / 8));
}

async function sample(file: string, sampling = defaults): Promise<{ frames: Frame[]; times: number[] }> {
  const info = await probeVideo(file, tools);
  const frames = await extractFrames(file, info, sampling, tools);
  return { frames, times: planSampling(info.durationSec, sampling).times };
}

function digest(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

let dir: string;
before(async () => {
  dir = await makeTempDir('finger-frames');
});
after(async () => {
  await removeTempDir(dir);
});

describe('extractFrames: how many frames at the default settings (2 fps, at most 32)', () => {
  for (const [durationSec, expected] of [
    [2, 4],
    [5, 10],
    [30, 32],
  ] as const) {
    test(`${durationSec} s clip gives ${expected} frames, all different, evenly spaced`, async () => {
      const file = await makeClip(dir, `count-${durationSec}s.mp4`, { durationSec });
      const { frames } = await sample(file);
      assert.equal(frames.length, expected);
      assert.deepEqual(
        frames.map((f) => f.index),
        frames.map((_, i) => i),
      );
      // testsrc2 changes every frame, so frames from different moments have different bytes.
      assert.equal(new Set(frames.map((f) => digest(f.jpeg))).size, expected);
      const step = durationSec / expected;
      frames.forEach((f, i) => assert.ok(Math.abs(f.timeSec - (i + 0.5) * step) < 1e-6, `frame ${i} at ${f.timeSec}`));
      for (const f of frames) {
        assert.equal(f.jpeg[0], 0xff);
        assert.equal(f.jpeg[1], 0xd8);
        assert.equal(f.jpeg.at(-2), 0xff);
        assert.equal(f.jpeg.at(-1), 0xd9);
      }
    });
  }
});

describe('extractFrames: frames show the planned moments', () => {
  for (const { durationSec, fps } of [
    { durationSec: 2, fps: 25 },
    { durationSec: 5, fps: 30 },
    { durationSec: 30, fps: 24 },
    { durationSec: 7.3, fps: 30000 / 1001 },
  ]) {
    test(`${durationSec} s at ${fps.toFixed(2)} fps: frame i is the source frame on screen at its timeSec`, async () => {
      const file = await makeClip(dir, `moments-${durationSec}-${fps.toFixed(2)}.mp4`, {
        durationSec,
        fps,
        width: 64,
        height: 48,
        ...FRAME_NUMBER_SOURCE,
      });
      const { frames } = await sample(file);
      const levels = await frameLevels(dir, frames);
      const expected = frames.map((f) => Math.floor(f.timeSec * fps + 1e-9) % 24);
      assert.deepEqual(levels, expected);
    });
  }

  test('a variable-frame-rate clip: exact count, each frame the one on screen at its time', async () => {
    // Keep the first half of every second plus every 7th frame: irregular gaps between frames.
    const file = await makeClip(dir, 'vfr.mp4', {
      durationSec: 6,
      fps: 30,
      width: 64,
      height: 48,
      source: 'color=c=black',
      outputArgs: ['-vf', "geq=lum='16+8*mod(N,24)':cb=128:cr=128,select='lt(mod(t,2),1)+not(mod(n,7))'", '-fps_mode', 'vfr'],
    });
    const info = await probeVideo(file, tools);
    const { stdout } = await execFileAsync(testFfprobe, [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=pts_time',
      '-of',
      'csv=p=0',
      file,
    ]);
    const shown = stdout
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .sort((a, b) => a - b);
    const gaps = new Set(shown.slice(1).map((t, i) => Math.round((t - shown[i]!) * 30)));
    assert.ok(gaps.size > 1, 'the clip really has a variable frame rate');

    const frames = await extractFrames(file, info, defaults, tools);
    assert.equal(frames.length, planSampling(info.durationSec, defaults).count);
    const levels = await frameLevels(dir, frames);
    const expected = frames.map((f) => {
      const onScreen = shown.filter((t) => t <= f.timeSec + 1e-9).at(-1) ?? shown[0]!;
      return Math.round(onScreen * 30) % 24;
    });
    assert.deepEqual(levels, expected);
  });

  test('fewer source frames than samples (3 fps clip sampled at 8 fps): repeats frames, exact count', async () => {
    const file = await makeClip(dir, 'slow.mp4', { durationSec: 2, fps: 3, width: 64, height: 48, ...FRAME_NUMBER_SOURCE });
    const sampling = { ...defaults, fps: 8 };
    const { frames } = await sample(file, sampling);
    assert.equal(frames.length, 16);
    const levels = await frameLevels(dir, frames);
    assert.deepEqual(
      levels,
      frames.map((f) => Math.floor(f.timeSec * 3 + 1e-9) % 24),
    );
  });

  test('a one-frame clip gives one frame', async () => {
    const file = await makeClip(dir, 'one-frame.mp4', { durationSec: 1 / 24, fps: 24 });
    const info = await probeVideo(file, tools);
    assert.equal(info.frameCountEstimate, 1);
    const frames = await extractFrames(file, info, defaults, tools);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]!.index, 0);
    assert.ok(frames[0]!.jpeg.length > 100);
  });
});

describe('extractFrames: frame size', () => {
  test('1920x1080 is scaled to at most 200,704 pixels with its aspect ratio kept', async () => {
    const file = await makeClip(dir, 'full-hd.mp4', { durationSec: 1, width: 1920, height: 1080 });
    const { frames } = await sample(file);
    assert.equal(frames.length, 2);
    for (const f of frames) {
      assert.deepEqual(jpegSize(f.jpeg), { width: f.width, height: f.height }, 'reported size is the JPEG size');
      assert.ok(f.width * f.height <= 200_704, `${f.width}x${f.height}`);
      assert.ok(f.width * f.height > 0.95 * 200_704, 'uses the pixel budget');
      // On Qwen2.5-VL's 28-pixel patch grid, so its processor does not resample them again.
      assert.equal(f.width % 28, 0, `width ${f.width}`);
      assert.equal(f.height % 28, 0, `height ${f.height}`);
      // Within one grid step of the source's aspect ratio.
      assert.ok(Math.abs(f.width - (f.height * 16) / 9) < 28, `aspect ${f.width / f.height}`);
    }
  });

  test('a small clip is never upscaled, only cut to the patch grid', async () => {
    const file = await makeClip(dir, 'small.mp4', { durationSec: 1, width: 160, height: 120 });
    const { frames } = await sample(file);
    // 160 = 5 × 28 + 20, 120 = 4 × 28 + 8.
    for (const f of frames) assert.deepEqual(jpegSize(f.jpeg), { width: 140, height: 112 });
  });

  test('a clip smaller than one patch step on a side keeps its size', async () => {
    const file = await makeClip(dir, 'tiny.mp4', { durationSec: 1, width: 64, height: 20 });
    const { frames } = await sample(file);
    for (const f of frames) assert.deepEqual(jpegSize(f.jpeg), { width: 64, height: 20 });
  });

  test('a portrait clip stays portrait', async () => {
    const file = await makeClip(dir, 'portrait.mp4', { durationSec: 1, width: 720, height: 1280 });
    const { frames } = await sample(file);
    for (const f of frames) {
      assert.deepEqual(jpegSize(f.jpeg), { width: f.width, height: f.height });
      assert.ok(f.height > f.width);
      assert.ok(f.width * f.height <= defaults.maxPixels);
      assert.equal(f.width % 28, 0);
      assert.equal(f.height % 28, 0);
      assert.ok(Math.abs(f.height - (f.width * 1280) / 720) < 28);
    }
  });

  for (const rotation of [90, 270] as const) {
    test(`a landscape-coded clip with ${rotation}° display rotation (phone video) gives upright portrait frames`, async () => {
      const file = await makeClip(dir, `rotated-${rotation}.mp4`, { durationSec: 1, width: 640, height: 360, rotation });
      const info = await probeVideo(file, tools);
      assert.equal(info.rotation, rotation);
      assert.deepEqual({ width: info.width, height: info.height }, { width: 360, height: 640 });
      const frames = await extractFrames(file, info, defaults, tools);
      const fitted = alignToPatchGrid(fitFrameSize(360, 640, defaults.maxPixels));
      for (const f of frames) {
        assert.deepEqual({ width: f.width, height: f.height }, fitted);
        assert.deepEqual(jpegSize(f.jpeg), fitted);
      }
    });
  }
});

describe('extractFrames: file names are never options or protocols', () => {
  test('a name with spaces, unicode and a leading "-"', async () => {
    const file = await makeClip(dir, '-i weird name ü 🎬.mp4', { durationSec: 1 });
    const { frames } = await sample(file);
    assert.equal(frames.length, 2);
  });

  test('a relative path that starts with "-" or looks like a protocol', async () => {
    const sub = join(dir, 'relative');
    await mkdir(sub);
    const dashed = await makeClip(sub, '-y.mp4', { durationSec: 1 });
    await makeClip(sub, 'concat:x.mp4', { durationSec: 1 });
    const cwd = process.cwd();
    process.chdir(sub);
    try {
      for (const name of ['-y.mp4', 'concat:x.mp4']) {
        const { frames } = await sample(name);
        assert.equal(frames.length, 2, name);
      }
    } finally {
      process.chdir(cwd);
    }
    // Nothing was written next to the clips (an option like -y or an output name would have).
    assert.deepEqual((await readdir(sub)).sort(), ['-y.mp4', 'concat:x.mp4'].sort());
    assert.ok((await readFile(dashed)).length > 0);
  });
});
