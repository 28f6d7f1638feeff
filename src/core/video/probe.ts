// What a video is (duration, display size, frame rate, rotation) according to ffprobe, with
// messages a person can act on when the file is not a readable video.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as z from 'zod';
import { FingerError, isAbortError } from '../errors';
import { runProcess } from './spawn';
import { ffmpegInputArg } from './paths';

export interface VideoInfo {
  /** Length of the video stream in seconds (0 when the container does not say). */
  durationSec: number;
  /** Display size in pixels: after rotation and sample aspect ratio, as a player shows it. */
  width: number;
  height: number;
  /** Average frame rate (0 when unknown). */
  fps: number;
  /** ffprobe's codec name: h264, hevc, vp9, av1, mpeg4 … */
  codec: string;
  /** Degrees counterclockwise that players turn the stored picture (0, 90, 180 or 270). */
  rotation: number;
  hasAudio: boolean;
  /** Number of frames: from the container when it says, else duration × fps. */
  frameCountEstimate: number;
}

const ProbeStreamSchema = z.looseObject({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  sample_aspect_ratio: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: z.string().optional(),
  nb_frames: z.string().optional(),
  disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.looseObject({ side_data_type: z.string().optional(), rotation: z.number().optional() })).optional(),
});
type ProbeStream = z.infer<typeof ProbeStreamSchema>;

const ProbeOutputSchema = z.looseObject({
  streams: z.array(ProbeStreamSchema).optional(),
  format: z.looseObject({ duration: z.string().optional(), format_name: z.string().optional() }).optional(),
});

const REEXPORT_HINT = 'Re-export the clip (for example as MP4 with H.264), or re-download it if the copy is incomplete.';

export async function probeVideo(file: string, opts: { ffprobe: string; signal?: AbortSignal }): Promise<VideoInfo> {
  const name = basename(file);
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new FingerError(`${name} is not a file.`, { file, hint: 'Choose a video file.' });
    size = st.size;
  } catch (e) {
    if (e instanceof FingerError) throw e;
    throw new FingerError(`Video ${name} was not found or cannot be read.`, {
      file,
      hint: 'Check that the file exists and that you may read it.',
      cause: e,
    });
  }
  if (size === 0) {
    throw new FingerError(`Video ${name} is empty (0 bytes).`, { file, hint: REEXPORT_HINT });
  }

  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ffmpegInputArg(file)];
  const run = await runProcess(opts.ffprobe, args, { signal: opts.signal, maxStdoutBytes: 16 << 20 });
  if (run.code !== 0) {
    throw new FingerError(`${name} is not a video that ffprobe can read (${lastLine(run.stderr, file)}).`, {
      file,
      hint: REEXPORT_HINT,
    });
  }

  let parsed: z.infer<typeof ProbeOutputSchema>;
  try {
    parsed = ProbeOutputSchema.parse(JSON.parse(run.stdout.toString('utf8')));
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw new FingerError(`ffprobe gave unreadable information about ${name}.`, { file, hint: REEXPORT_HINT, cause: e });
  }

  const streams = parsed.streams ?? [];
  // Cover art in audio files shows up as a one-picture "video" stream; it is not a video.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video) {
    const what = streams.some((s) => s.codec_type === 'audio') ? 'has audio but no video stream' : 'has no video stream';
    throw new FingerError(`${name} ${what}.`, { file, hint: 'Choose a video file; only clips with pictures can be scored.' });
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (codedWidth <= 0 || codedHeight <= 0) {
    throw new FingerError(`${name} has a video stream without a picture size.`, { file, hint: REEXPORT_HINT });
  }

  const rotation = rotationOf(video);
  const sar = parseRatio(video.sample_aspect_ratio);
  // Non-square pixels: a player stretches the width; frames should look like what a person sees.
  const storedWidth = sar > 0 && Math.abs(sar - 1) > 1e-3 ? Math.max(1, Math.round(codedWidth * sar)) : codedWidth;
  const turned = rotation === 90 || rotation === 270;
  const fps = parseRatio(video.avg_frame_rate) || parseRatio(video.r_frame_rate);
  const durationSec =
    positive(video.duration) ?? parseClock(video.tags?.DURATION ?? video.tags?.duration) ?? positive(parsed.format?.duration) ?? 0;
  const nbFrames = Number.parseInt(video.nb_frames ?? '', 10);

  return {
    durationSec,
    width: turned ? codedHeight : storedWidth,
    height: turned ? storedWidth : codedHeight,
    fps,
    codec: video.codec_name ?? 'unknown',
    rotation,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
    frameCountEstimate: Number.isFinite(nbFrames) && nbFrames > 0 ? nbFrames : Math.round(durationSec * fps),
  };
}

function rotationOf(stream: ProbeStream): number {
  // The display matrix is what ffmpeg's autorotation follows; ffprobe reports it counterclockwise.
  const matrix = stream.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && typeof d.rotation === 'number');
  let ccw: number | undefined = matrix?.rotation;
  // Older ffmpeg builds only show the legacy `rotate` tag, which is clockwise.
  if (ccw === undefined && stream.tags?.rotate !== undefined) {
    const cw = Number.parseFloat(stream.tags.rotate);
    if (Number.isFinite(cw)) ccw = -cw;
  }
  if (ccw === undefined || !Number.isFinite(ccw)) return 0;
  const quarter = Math.round(ccw / 90) * 90;
  return ((quarter % 360) + 360) % 360;
}

function parseRatio(text: string | undefined): number {
  if (!text) return 0;
  const [num, den] = text.split(/[/:]/).map(Number);
  if (num === undefined || !Number.isFinite(num)) return 0;
  if (den === undefined) return num > 0 ? num : 0;
  return den > 0 && num > 0 ? num / den : 0;
}

function positive(text: string | undefined): number | undefined {
  const n = Number.parseFloat(text ?? '');
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Matroska/WebM stream durations are tags like "00:00:02.000000000". */
function parseClock(text: string | undefined): number | undefined {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const total = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return total > 0 ? total : undefined;
}

/** The last line of ffmpeg's stderr, without the `file:/long/path: ` prefix it repeats. */
export function lastLine(stderr: string, file: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines[lines.length - 1] ?? 'no details';
  const input = ffmpegInputArg(file);
  return line.startsWith(input + ':') ? line.slice(input.length + 1).trim() : line;
}
