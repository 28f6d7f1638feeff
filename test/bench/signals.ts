// Signals protocol cost (issue 12): the one analysis pass of a clip (measureFrames: every frame
// decoded once, scaled, through blurdetect, freezedetect, scdet, blackdetect, siti and
// signalstats, metadata printed and parsed) against a bare `ffmpeg -i clip -f null -` decode of
// the same clip, interleaved, median of several pairs. The clip is what text-to-video models
// produce: 5 s of 1280×720 H.264 at 24 fps. Reported beside it: the whole protocol per clip
// (probe, hash, analysis, save) through scoreSignals.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_SIGNAL_THRESHOLDS, measureFrames } from '../../src/core/signals';
import { makeClip, testFfmpeg } from '../helpers/clips';
import { scoreVideo } from '../../src/core/pipeline';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { log, median, round, type Figure } from './common';

const REPS = 7;

function bareDecode(file: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(testFfmpeg, ['-v', 'error', '-i', file, '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`bare ffmpeg exited with ${code}`))));
  });
}

export async function runSignals(dir: string): Promise<Figure[]> {
  log('signals: making a 5 s 1280×720 24 fps clip');
  const ws = path.join(dir, 'ws');
  await mkdir(ws, { recursive: true });
  const clip = await makeClip(ws, 'clip.mp4', { durationSec: 5, width: 1280, height: 720, fps: 24, source: 'testsrc2' });
  const analyse = async () => {
    const t0 = performance.now();
    const { frames } = await measureFrames(clip, {
      ffmpeg: testFfmpeg,
      width: 1280,
      height: 720,
      fps: 24,
      thresholds: DEFAULT_SIGNAL_THRESHOLDS,
    });
    if (frames.length !== 120) throw new Error(`expected 120 frames, got ${frames.length}`);
    return performance.now() - t0;
  };
  await analyse(); // warm the page cache and the binary
  await bareDecode(clip);
  const ours: number[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < REPS; i++) {
    // Alternate which side goes first, so a slow moment of a shared machine hits both.
    let o: number;
    let b: number;
    if (i % 2 === 0) {
      o = await analyse();
      b = await bareDecode(clip);
    } else {
      b = await bareDecode(clip);
      o = await analyse();
    }
    ours.push(o);
    bare.push(b);
    ratios.push(o / b);
  }
  const whole: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await scoreVideo({
      protocol: 'signals',
      videoPath: clip,
      workspaceRoot: ws,
      settings: { ...DEFAULT_SETTINGS, endpoints: [], ffmpegPath: testFfmpeg },
    });
    whole.push(performance.now() - t0);
  }
  const ratio = median(ratios);
  return [
    {
      id: 'signals.ratio',
      name: 'Signals, 5 s 1280×720 clip: one analysis pass / bare ffmpeg decode',
      value: round(ratio),
      unit: '×',
      target: '≤ 1.5',
      met: ratio <= 1.5,
      detail: `120 frames analysed at ${DEFAULT_SIGNAL_THRESHOLDS.analysisSize} px (6 filters, one pass); median of ${REPS} interleaved pairs; ours ${Math.round(median(ours))} ms, bare \`ffmpeg -f null\` ${Math.round(median(bare))} ms; whole protocol per clip (probe + hash + analysis + save) ${Math.round(median(whole))} ms`,
      samples: { ours, bare, ratios, whole },
    },
  ];
}
