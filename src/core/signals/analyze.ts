// One decoding pass per clip: every signal comes from ffmpeg's own analysis filters chained in a
// single filter graph, each adding its measurements to the frame's metadata, and one `metadata`
// filter printing them all to stdout (README.md, "Signals without a GPU"):
//
//   scale (longer side ≤ analysisSize, fast bilinear) → format=yuv420p
//   → blurdetect → freezedetect → scdet → blackdetect → siti → signalstats → metadata=print
//
// The frames are scaled first because the filters' cost is per pixel (siti and blurdetect cost
// more per frame at 720p than decoding does); at 160 px they add about a third to a bare decode
// (the `signals` row of `npm run bench`). parse.ts reads what is printed; detect.ts turns the
// per-frame values into signals.
import { FingerError } from '../errors';
import { runProcess } from '../video';
import { ffmpegInputArg } from '../video/paths';
import { detectSignals } from './detect';
import { FrameMetadataParser, type FrameStats } from './parse';
import type { SignalsReport } from './schema';
import type { SignalThresholds } from './thresholds';

/** The analysis size: the longer side at most `maxSide`, both sides even (yuv420p), never upscaled. */
export function analysisSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const even = (x: number) => Math.max(2, 2 * Math.round(x / 2));
  if (width <= 0 || height <= 0) return { width: even(maxSide), height: even(maxSide) };
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: even(width * scale), height: even(height * scale) };
}

/** The filter graph (as one -vf argument; nothing in it comes from a file name). */
export function signalsFilterGraph(size: { width: number; height: number }, t: SignalThresholds): string {
  return [
    `scale=${size.width}:${size.height}:flags=fast_bilinear`,
    'format=yuv420p',
    'blurdetect',
    `freezedetect=n=${t.frozen.noise}:d=${t.frozen.minSec}`,
    `scdet=threshold=${t.cut.threshold}`,
    `blackdetect=d=${t.black.minSec}:pix_th=${t.black.pixelThreshold}:pic_th=${t.black.pictureRatio}`,
    'siti',
    'signalstats',
    'metadata=mode=print:file=-',
  ].join(',');
}

/** The whole ffmpeg command line after the binary: argument array, never a shell string. */
export function signalsArgs(file: string, size: { width: number; height: number }, t: SignalThresholds): string[] {
  return [
    '-hide_banner',
    '-nostats',
    '-v',
    'error',
    '-an',
    '-sn',
    '-dn',
    '-i',
    ffmpegInputArg(file),
    '-map',
    '0:v:0',
    '-vf',
    signalsFilterGraph(size, t),
    '-f',
    'null',
    '-',
  ];
}

export interface AnalyzeOptions {
  ffmpeg: string;
  /** Display size of the clip (from the probe), for the analysis size. */
  width: number;
  height: number;
  /** Frame rate from the probe: the frame interval when the clip has a single frame. */
  fps?: number;
  thresholds: SignalThresholds;
  signal?: AbortSignal;
}

/** Frame-by-frame values of one pass (exported for tests and the benchmark). */
export async function measureFrames(
  file: string,
  o: AnalyzeOptions,
): Promise<{ frames: FrameStats[]; size: { width: number; height: number } }> {
  const size = analysisSize(o.width, o.height, o.thresholds.analysisSize);
  const parser = new FrameMetadataParser();
  const run = await runProcess(o.ffmpeg, signalsArgs(file, size, o.thresholds), {
    ...(o.signal ? { signal: o.signal } : {}),
    onStdout: (chunk) => parser.push(chunk),
  });
  const frames = parser.end();
  if (run.code !== 0) {
    const tail = run.stderr.trim().split('\n').slice(-3).join(' ');
    throw new FingerError(`ffmpeg could not analyse ${file} (exit ${run.code})${tail ? `: ${tail}` : ''}.`, {
      file,
      hint: 'Check that the file plays; re-export it (for example as MP4 with H.264) if it does not.',
    });
  }
  if (frames.length === 0) {
    throw new FingerError(`ffmpeg decoded no video frame of ${file}.`, { file, hint: 'Choose a video file with a video stream.' });
  }
  return { frames, size };
}

/** Runs the one pass and returns every signal with its value, flagged ranges and pass/fail. */
export async function analyzeSignals(file: string, o: AnalyzeOptions): Promise<SignalsReport> {
  const { frames, size } = await measureFrames(file, o);
  return detectSignals(frames, o.thresholds, { fps: o.fps, width: size.width, height: size.height });
}
