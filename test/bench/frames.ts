// Figure 3: frame extraction of a 10-second 1920×1080 clip at the default sampling, against a bare
// ffmpeg command that produces the same frames (same count, same size, JPEG q 3) to a pipe, run
// interleaved; and the wall time of a 60-second clip, counting the ffmpeg processes it starts.
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { extractFrames, fitFrameSize, planSampling, probeVideo, sampleVideo } from '../../src/core/video';
import { makeClip, testFfmpeg, testFfprobe } from '../helpers/clips';
import { log, median, round, type Figure } from './common';

const REPS = 5;
const sampling = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };

/** The plain command a person would type: fps + scale to a JPEG pipe, output drained and counted. */
function bareFfmpeg(file: string, width: number, height: number, count: number): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const child = spawn(
    testFfmpeg,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `fps=${sampling.fps},scale=${width}:${height}`,
      '-frames:v',
      String(count),
      '-c:v',
      'mjpeg',
      '-q:v',
      '3',
      '-f',
      'image2pipe',
      'pipe:1',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let bytes = 0;
  child.stdout.on('data', (d: Buffer) => (bytes += d.length));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ ms: performance.now() - t0, bytes }) : reject(new Error(`bare ffmpeg exited with ${code}`)),
    );
  });
}

export async function runFrames(dir: string): Promise<Figure[]> {
  log('frames: making a 10 s 1920×1080 clip and a 60 s 640×360 one');
  const clip10 = await makeClip(dir, 'hd-10s.mp4', { durationSec: 10, width: 1920, height: 1080, fps: 24 });
  const clip60 = await makeClip(dir, 'hd-60s.mp4', { durationSec: 60, width: 640, height: 360, fps: 24 });

  const info = await probeVideo(clip10, { ffprobe: testFfprobe });
  const plan = planSampling(info.durationSec, sampling);
  const size = fitFrameSize(info.width, info.height, sampling.maxPixels);

  // Warm the page cache and both code paths once, then interleave.
  await extractFrames(clip10, info, sampling, { ffmpeg: testFfmpeg });
  await bareFfmpeg(clip10, size.width, size.height, plan.count);
  const ours: number[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  let frames = 0;
  for (let i = 0; i < REPS; i++) {
    // Alternate which side goes first, so a drift in machine load hits both alike.
    const runOurs = async () => {
      const t0 = performance.now();
      frames = (await extractFrames(clip10, info, sampling, { ffmpeg: testFfmpeg })).length;
      return performance.now() - t0;
    };
    let a: number;
    let b: number;
    if (i % 2 === 0) {
      a = await runOurs();
      b = (await bareFfmpeg(clip10, size.width, size.height, plan.count)).ms;
    } else {
      b = (await bareFfmpeg(clip10, size.width, size.height, plan.count)).ms;
      a = await runOurs();
    }
    ours.push(a);
    bare.push(b);
    ratios.push(a / b);
  }
  const ratio = median(ratios);

  // The whole preparation of a video (probe + hash + extraction, no cache) on the same clip,
  // interleaved with the bare command again: what a first scoring pays per video.
  const whole: number[] = [];
  const wholeRatios: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await sampleVideo(clip10, sampling, { ffmpeg: testFfmpeg, ffprobe: testFfprobe });
    const w = performance.now() - t0;
    const b = (await bareFfmpeg(clip10, size.width, size.height, plan.count)).ms;
    whole.push(w);
    wholeRatios.push(w / b);
  }

  // 60 s clip through a counting wrapper: how many ffmpeg processes one video starts.
  const counter = path.join(dir, 'ffmpeg-count.log');
  const wrapper = path.join(dir, 'ffmpeg-counting.sh');
  await writeFile(counter, '');
  await writeFile(wrapper, `#!/bin/sh\necho x >> '${counter}'\nexec '${testFfmpeg.replace(/'/g, "'\\''")}' "$@"\n`);
  await chmod(wrapper, 0o755);
  const info60 = await probeVideo(clip60, { ffprobe: testFfprobe });
  await extractFrames(clip60, info60, sampling, { ffmpeg: testFfmpeg }); // warm the page cache
  await writeFile(counter, '');
  const t60: number[] = [];
  let frames60 = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    frames60 = (await extractFrames(clip60, info60, sampling, { ffmpeg: wrapper })).length;
    t60.push(performance.now() - t0);
  }
  const processes = (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length / 3;

  return [
    {
      id: 'frames.ratio',
      name: 'Frame extraction, 10 s 1920×1080 clip: ours / bare ffmpeg',
      value: round(ratio),
      unit: '×',
      target: '≤ 1.15',
      met: ratio <= 1.15,
      detail: `${frames} frames at ${size.width}×${size.height}; median of ${REPS} interleaved pairs; ours ${Math.round(median(ours))} ms, bare ${Math.round(median(bare))} ms; with probe + hash (no cache) ${Math.round(median(whole))} ms = ${median(wholeRatios).toFixed(2)}× bare`,
      samples: { oursMs: ours.map(Math.round), bareMs: bare.map(Math.round), withProbeAndHashMs: whole.map(Math.round) },
    },
    {
      id: 'frames.clip60s',
      name: 'Frame extraction, 60 s 640×360 clip: wall time',
      value: Math.round(median(t60)),
      unit: 'ms',
      met: null,
      detail: `${frames60} frames (capped at ${sampling.maxFrames}), ${processes} ffmpeg process per video; median of 3`,
      samples: { ms: t60.map(Math.round), ffmpegProcessesPerVideo: processes },
    },
  ];
}
