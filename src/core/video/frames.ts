// Frame sampling: which moments of a clip the judge sees, at what size, and one ffmpeg process
// per video that writes exactly those frames as a stream of JPEGs.
import { basename } from 'node:path';
import { FingerError } from '../errors';
import { ffmpegInputArg } from './paths';
import type { VideoInfo } from './probe';
import { lastLine } from './probe';
import { runProcess } from './spawn';

export interface Frame {
  /** 0-based position among the sampled frames. */
  index: number;
  /** The moment of the clip the frame shows, in seconds from its start. */
  timeSec: number;
  /** Size of the JPEG in pixels. */
  width: number;
  height: number;
  jpeg: Buffer;
}

export interface SamplingOptions {
  /** Frames per second of video to sample (2 by default in the settings). */
  fps: number;
  /** Upper bound on frames per video; longer clips are sampled more sparsely. */
  maxFrames: number;
  /** Upper bound on width × height of each frame. */
  maxPixels: number;
}

export interface SamplingPlan {
  count: number;
  /** Ascending, in seconds: the centre of each of `count` equal intervals over the whole clip. */
  times: number[];
}

/**
 * Which moments to sample: `fps` frames per second of video, but never more than `maxFrames`
 * and never fewer than one. The frames sit at the centres of `count` equal intervals covering
 * the whole clip, so a capped long clip is still covered from start to end and no interval is
 * longer than 1/fps when uncapped.
 */
export function planSampling(durationSec: number, opts: { fps: number; maxFrames: number }): SamplingPlan {
  const maxFrames = Math.max(1, Math.floor(opts.maxFrames));
  const duration = Number.isFinite(durationSec) && durationSec > 0 ? durationSec : 0;
  const wanted = opts.fps > 0 ? duration * opts.fps : 1;
  // The epsilon keeps 2.0 s × 2 fps at 4 frames despite floating-point error.
  const count = Math.min(maxFrames, Math.max(1, Math.ceil(wanted - 1e-9)));
  const step = duration / count;
  const times = Array.from({ length: count }, (_, i) => (i + 0.5) * step);
  return { count, times };
}

/**
 * The largest size with the same aspect ratio whose area fits in `maxPixels`, never larger than
 * the source, with even sides (4:2:0 JPEG and video codecs want them) and at least 2×2.
 */
export function fitFrameSize(width: number, height: number, maxPixels: number): { width: number; height: number } {
  const w = Math.max(1, Math.floor(width));
  const h = Math.max(1, Math.floor(height));
  const budget = Math.max(4, Math.floor(maxPixels));
  const evenFloor = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);
  const evenRound = (n: number): number => Math.max(2, Math.round(n / 2) * 2);
  // Never upscale: the even size at or below the source (2 for a 1-pixel side, the minimum).
  const maxW = evenFloor(w);
  const maxH = evenFloor(h);

  const scale = Math.min(1, Math.sqrt(budget / (w * h)));
  // Derive the shorter side from the longer one, so the rounding error on the aspect ratio is
  // relative to the larger number and therefore smallest.
  const landscape = w >= h;
  let long = Math.min(landscape ? maxW : maxH, evenFloor((landscape ? w : h) * scale));
  const shortOf = (l: number): number => Math.min(landscape ? maxH : maxW, evenRound((l * (landscape ? h : w)) / (landscape ? w : h)));
  let short = shortOf(long);
  if (short === 2) long = Math.min(long, evenFloor(budget / 2));
  while (long * short > budget && long > 2) {
    long -= 2;
    short = shortOf(long);
  }
  return landscape ? { width: long, height: short } : { width: short, height: long };
}

/**
 * Side lengths the judge's vision encoder takes without resizing: Qwen2-VL and Qwen2.5-VL cut
 * frames into 14-pixel patches merged 2×2, and their processor (transformers,
 * Qwen2VLImageProcessor / Qwen2VLVideoProcessor, smart_resize) rounds every side to a multiple of
 * 28 before encoding. A frame already on that grid (and within the processor's pixel bounds) is
 * encoded as sent instead of being resampled a second time on the server.
 */
export const PATCH_GRID_PX = 28;

/**
 * `size` (from fitFrameSize) shrunk to the largest multiple of `grid` on each side: never larger,
 * so still within the pixel budget and never upscaled. A side shorter than one grid step is left
 * as it is (the server scales such a frame up to its minimum whatever we send).
 */
export function alignToPatchGrid(size: { width: number; height: number }, grid: number = PATCH_GRID_PX): { width: number; height: number } {
  if (!(grid > 1) || size.width < grid || size.height < grid) return size;
  return { width: Math.floor(size.width / grid) * grid, height: Math.floor(size.height / grid) * grid };
}

/** How the plan maps onto ffmpeg's fps filter (see buildFilter). */
function samplingRate(durationSec: number, plan: SamplingPlan): { rate: string; offsetSec: number } {
  if (!(durationSec > 0)) return { rate: '1', offsetSec: 0 };
  // fps takes a rational; microsecond precision is plenty and keeps the numbers small.
  const micro = Math.max(1, Math.round(durationSec * 1e6));
  let num = plan.count * 1e6;
  let den = micro;
  const g = gcd(num, den);
  num /= g;
  den /= g;
  return { rate: `${num}/${den}`, offsetSec: durationSec / plan.count / 2 };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The filter graph that yields exactly the planned frames:
 * - `setpts` starts the clip at 0 and shifts it back by half an interval, so that the fps
 *   filter's output grid (0, 1/r, 2/r … in the shifted time) falls on the interval centres;
 * - `fps` with `round=up` takes, for each grid point, the frame on screen at that moment (the
 *   last one that started at or before it), duplicating frames when the source has fewer
 *   (variable frame rate, slideshows) and dropping the rest; `start_time=0` makes the first
 *   output the frame on screen at the first centre even though earlier frames now have negative
 *   timestamps;
 * - `scale` to the fitted size after ffmpeg's own autorotation, `setsar=1` so the JPEG has square
 *   pixels;
 * - `tpad` repeats the last frame at most twice, for a video track that ends slightly before
 *   its stated duration. It is bounded so that a truncated file (whose header promises more
 *   than can be decoded) still comes out short and is reported, not padded with copies.
 */
function buildFilter(durationSec: number, plan: SamplingPlan, size: { width: number; height: number }): string {
  const { rate, offsetSec } = samplingRate(durationSec, plan);
  return [
    `setpts=PTS-STARTPTS-${offsetSec.toFixed(6)}/TB`,
    `fps=fps=${rate}:start_time=0:round=up`,
    `scale=${size.width}:${size.height}:flags=bicubic`,
    'setsar=1',
    'tpad=stop=2:stop_mode=clone',
  ].join(',');
}

export async function extractFrames(
  file: string,
  info: VideoInfo,
  opts: SamplingOptions,
  run: { ffmpeg: string; signal?: AbortSignal },
): Promise<Frame[]> {
  const plan = planSampling(info.durationSec, opts);
  const size = alignToPatchGrid(fitFrameSize(info.width, info.height, opts.maxPixels));
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-i',
    ffmpegInputArg(file),
    '-map',
    '0:V:0',
    '-an',
    '-sn',
    '-dn',
    '-vf',
    buildFilter(info.durationSec, plan, size),
    '-frames:v',
    String(plan.count),
    '-f',
    'image2pipe',
    '-c:v',
    'mjpeg',
    // Full-range 4:2:0 is what JPEG decoders expect; q 3 is visually clean at a modest size.
    '-pix_fmt',
    'yuvj420p',
    '-q:v',
    '3',
    'pipe:1',
  ];

  const frames: Frame[] = [];
  const splitter = new JpegStreamSplitter((jpeg) => {
    const index = frames.length;
    if (index >= plan.count) return; // -frames:v makes this impossible; never trust it blindly.
    const dims = jpegSize(jpeg);
    frames.push({
      index,
      timeSec: plan.times[index] ?? 0,
      width: dims?.width ?? size.width,
      height: dims?.height ?? size.height,
      jpeg,
    });
  });

  const result = await runProcess(run.ffmpeg, args, {
    signal: run.signal,
    onStdout: (chunk) => splitter.push(chunk),
  });
  const name = basename(file);
  if (result.code !== 0) {
    throw new FingerError(`ffmpeg could not read the frames of ${name} (${lastLine(result.stderr, file)}).`, {
      file,
      hint: 'Re-export the clip (for example as MP4 with H.264), or re-download it if the copy is incomplete.',
    });
  }
  if (frames.length !== plan.count) {
    throw new FingerError(
      frames.length === 0
        ? `No frame of ${name} could be decoded; the file may be truncated or damaged.`
        : `Only ${frames.length} of ${plan.count} frames of ${name} could be decoded; the file may be truncated or damaged.`,
      { file, hint: 'Re-export the clip, or re-download it if the copy is incomplete.' },
    );
  }
  return frames;
}

const enum ScanState {
  /** Outside a picture, looking for the FF D8 that starts one. */
  SeekSoi,
  /** Expecting FF, then a marker byte. */
  MarkerFF,
  MarkerCode,
  /** Two length bytes of a marker segment. */
  LengthHi,
  LengthLo,
  /** Inside a marker segment's payload. */
  Skip,
  /** Inside entropy-coded scan data, where FF is followed by 00 or a restart marker. */
  Entropy,
  EntropyFF,
}

/**
 * Cuts a concatenation of JPEG files (ffmpeg's image2pipe) into single pictures as the bytes
 * arrive. It walks the marker segments instead of searching for FF D9, because FF D9 may occur
 * inside a segment payload; only in scan data is FF D9 guaranteed to be the end of the image.
 */
export class JpegStreamSplitter {
  private state = ScanState.SeekSoi;
  private parts: Buffer[] = [];
  private remaining = 0;
  private lengthHi = 0;
  private marker = 0;
  private sawFFBeforeSoi = false;

  constructor(private readonly onImage: (jpeg: Buffer) => void) {}

  push(chunk: Buffer): void {
    let start = this.state === ScanState.SeekSoi ? -1 : 0; // where the current image begins in this chunk
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case ScanState.SeekSoi: {
          const byte = chunk[i]!;
          if (this.sawFFBeforeSoi && byte === 0xd8) {
            this.state = ScanState.MarkerFF;
            if (i === 0) {
              // FF was the last byte of the previous chunk.
              this.parts = [Buffer.from([0xff])];
              start = 0;
            } else {
              this.parts = [];
              start = i - 1;
            }
          }
          this.sawFFBeforeSoi = byte === 0xff;
          i++;
          break;
        }
        case ScanState.MarkerFF:
          if (chunk[i] === 0xff) this.state = ScanState.MarkerCode;
          i++; // bytes between segments that are not FF are not valid JPEG; skip them leniently
          break;
        case ScanState.MarkerCode: {
          const code = chunk[i]!;
          i++;
          if (code === 0xff) break; // fill byte
          if (code === 0xd9) {
            start = this.emit(chunk, start, i);
          } else if (code === 0xd8 || code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
            this.state = ScanState.MarkerFF; // markers without a payload
          } else {
            this.marker = code;
            this.state = ScanState.LengthHi;
          }
          break;
        }
        case ScanState.LengthHi:
          this.lengthHi = chunk[i]!;
          this.state = ScanState.LengthLo;
          i++;
          break;
        case ScanState.LengthLo: {
          const length = (this.lengthHi << 8) | chunk[i]!;
          i++;
          this.remaining = Math.max(0, length - 2);
          this.state = this.remaining > 0 ? ScanState.Skip : this.afterSegment();
          break;
        }
        case ScanState.Skip: {
          const take = Math.min(this.remaining, chunk.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = this.afterSegment();
          break;
        }
        case ScanState.Entropy: {
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            i = chunk.length;
          } else {
            i = ff + 1;
            this.state = ScanState.EntropyFF;
          }
          break;
        }
        case ScanState.EntropyFF: {
          const code = chunk[i]!;
          i++;
          if (code === 0xff) break; // fill byte
          if (code === 0x00 || (code >= 0xd0 && code <= 0xd7)) {
            this.state = ScanState.Entropy; // stuffed byte or restart marker: still scan data
          } else if (code === 0xd9) {
            start = this.emit(chunk, start, i);
          } else {
            // Another segment (progressive JPEGs have several scans with tables between them).
            this.marker = code;
            this.state = ScanState.LengthHi;
          }
          break;
        }
      }
    }
    if (this.state !== ScanState.SeekSoi && start >= 0 && start < chunk.length) this.parts.push(chunk.subarray(start));
  }

  /** Whether bytes of an unfinished picture are pending (the stream ended mid-picture). */
  get pending(): boolean {
    return this.state !== ScanState.SeekSoi;
  }

  private afterSegment(): ScanState {
    return this.marker === 0xda ? ScanState.Entropy : ScanState.MarkerFF; // DA = start of scan
  }

  /** Hands over the picture that ends at `end` in `chunk`; returns the new start (none). */
  private emit(chunk: Buffer, start: number, end: number): number {
    this.parts.push(chunk.subarray(Math.max(0, start), end));
    const jpeg = this.parts.length === 1 ? Buffer.from(this.parts[0]!) : Buffer.concat(this.parts);
    this.parts = [];
    this.state = ScanState.SeekSoi;
    this.sawFFBeforeSoi = false;
    this.onImage(jpeg);
    return -1;
  }
}

/** Width and height from a JPEG's start-of-frame segment, or undefined when there is none. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  let i = 2; // after SOI
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined;
    const code = jpeg[i + 1]!;
    if (code === 0xff) {
      i++;
      continue;
    }
    if (code === 0xd8 || code === 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      i += 2;
      continue;
    }
    const length = jpeg.readUInt16BE(i + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (code >= 0xc0 && code <= 0xcf && code !== 0xc4 && code !== 0xc8 && code !== 0xcc) {
      if (i + 9 > jpeg.length) return undefined;
      return { height: jpeg.readUInt16BE(i + 5), width: jpeg.readUInt16BE(i + 7) };
    }
    if (code === 0xda || code === 0xd9) return undefined;
    i += 2 + length;
  }
  return undefined;
}
