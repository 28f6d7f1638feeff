// Real video clips for tests, generated with ffmpeg's lavfi sources into a temporary folder, so
// tests exercise the real ffprobe/ffmpeg behaviour instead of canned output.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type ClipCodec = 'h264' | 'vp9' | 'mpeg4';

export interface ClipOptions {
  /** Default 2. */
  durationSec?: number;
  /** Default 320. Must be even for h264. */
  width?: number;
  /** Default 240. Must be even for h264. */
  height?: number;
  /** Default 24. */
  fps?: number;
  /** Default h264 when libx264 is available, else mpeg4. */
  codec?: ClipCodec;
  /** Adds a 440 Hz sine audio track. Default false. */
  audio?: boolean;
  /**
   * lavfi video source, e.g. `testsrc2` (default), `color=c=red`, `mandelbrot`. `size` and `rate`
   * options are appended to it, so it must be a single source that takes them.
   */
  source?: string;
  /**
   * Display rotation in degrees counterclockwise (ffprobe's convention), stored as container
   * metadata on top of the encoded picture, the way phones store portrait video.
   */
  rotation?: 90 | 180 | 270;
  /** Extra ffmpeg output options inserted before the output path (e.g. `['-vf', 'transpose=1']`). */
  outputArgs?: string[];
}

/** The ffmpeg binary the tests use: FINGER_TEST_FFMPEG, else `ffmpeg` on PATH. */
export const testFfmpeg = process.env.FINGER_TEST_FFMPEG ?? 'ffmpeg';
/** The ffprobe binary the tests use: FINGER_TEST_FFPROBE, else `ffprobe` on PATH. */
export const testFfprobe = process.env.FINGER_TEST_FFPROBE ?? 'ffprobe';

let encoderList: Promise<string> | undefined;

/** Whether this ffmpeg build has the named encoder (e.g. `libx264`). Memoised. */
export async function hasEncoder(name: string): Promise<boolean> {
  encoderList ??= execFileAsync(testFfmpeg, ['-hide_banner', '-encoders'], { maxBuffer: 4 << 20 }).then((r) => r.stdout);
  const list = await encoderList;
  return new RegExp(`^\\s*\\S+\\s+${name.replace(/[-]/g, '\\-')}\\s`, 'm').test(list);
}

async function codecArgs(codec: ClipCodec | undefined): Promise<{ args: string[]; ext: string }> {
  const chosen = codec ?? ((await hasEncoder('libx264')) ? 'h264' : 'mpeg4');
  switch (chosen) {
    case 'h264':
      return { args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], ext: '.mp4' };
    case 'vp9':
      // realtime + high cpu-used keeps VP9 encoding fast enough for tests.
      return {
        args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-pix_fmt', 'yuv420p'],
        ext: '.webm',
      };
    case 'mpeg4':
      return { args: ['-c:v', 'mpeg4', '-q:v', '5', '-pix_fmt', 'yuv420p'], ext: '.mp4' };
  }
}

/**
 * Generates a clip with ffmpeg and returns its absolute path. `name` is the file name inside `dir`;
 * without an extension one matching the codec is added (`.mp4`, or `.webm` for vp9).
 */
export async function makeClip(dir: string, name: string, opts: ClipOptions = {}): Promise<string> {
  const durationSec = opts.durationSec ?? 2;
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const fps = opts.fps ?? 24;
  const { args: encodeArgs, ext } = await codecArgs(opts.codec);
  const file = resolve(dir, extname(name) ? name : name + ext);
  const isWebm = extname(file).toLowerCase() === '.webm';
  const source = `${opts.source ?? 'testsrc2'}${(opts.source ?? 'testsrc2').includes('=') ? ':' : '='}size=${width}x${height}:rate=${fps}`;
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', source];
  if (opts.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(durationSec), ...encodeArgs);
  if (opts.audio) args.push('-c:a', isWebm ? 'libopus' : 'aac');
  args.push(...(opts.outputArgs ?? []));
  // An absolute path can never be read as an option, even when the name starts with '-'.
  args.push(file);
  if (!opts.rotation) {
    await ffmpegOrThrow(name, args);
    return file;
  }
  const plain = resolve(dir, `.unrotated-${process.pid}-${Date.now()}${extname(file)}`);
  args[args.length - 1] = plain;
  await ffmpegOrThrow(name, args);
  try {
    await setRotation(name, plain, file, opts.rotation);
  } finally {
    await rm(plain, { force: true });
  }
  return file;
}

async function setRotation(name: string, input: string, output: string, ccw: number): Promise<void> {
  // ffmpeg up to 5.x turns the legacy `rotate` tag into a display matrix on stream copy; ffmpeg 6+
  // dropped that and takes `-display_rotation` (counterclockwise) as an input option instead.
  await ffmpegOrThrow(name, ['-v', 'error', '-y', '-i', input, '-c', 'copy', '-metadata:s:v:0', `rotate=${ccw}`, output]);
  const probe = await execFileAsync(testFfprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', output]);
  if (/"rotation"/.test(probe.stdout)) return;
  await ffmpegOrThrow(name, ['-v', 'error', '-y', '-display_rotation', String(ccw), '-i', input, '-c', 'copy', output]);
}

async function ffmpegOrThrow(name: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(testFfmpeg, args, { maxBuffer: 4 << 20 });
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr ?? '';
    throw new Error(`makeClip(${name}) failed: ffmpeg ${args.join(' ')}\n${stderr}`, { cause: e });
  }
}

/** A fresh folder under the OS temporary directory. Remove it with removeTempDir (or leave it to the OS). */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix.replace(/[^\w.-]/g, '_')}-`));
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Encodes a lavfi filter graph with one video output to an H.264 clip of `durationSec` seconds:
 * the graph is the source itself, or, with `inputs`, a -filter_complex over those lavfi sources
 * (e.g. two sources concatenated). For clips whose defects are drawn by filters at known times.
 */
export async function encodeLavfi(file: string, graph: string, o: { durationSec: number; inputs?: string[] }): Promise<string> {
  const inputs = o.inputs ?? [];
  const src = inputs.length > 0 ? inputs.flatMap((i) => ['-f', 'lavfi', '-i', i]) : ['-f', 'lavfi', '-i', graph];
  const filter = inputs.length > 0 ? ['-filter_complex', graph] : [];
  await execFileAsync(testFfmpeg, [
    ...['-hide_banner', '-loglevel', 'error', '-y', ...src, ...filter, '-t', String(o.durationSec)],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', file],
  ]);
  return file;
}
