// Many distinct short clips from ONE ffmpeg run: a long moving test pattern cut into segments that
// each start on a keyframe, so 500 clips take seconds to make and no two have the same content
// (the same content would share the frame and answer caches and prove nothing).
import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { testFfmpeg } from '../helpers/clips';

const execFileAsync = promisify(execFile);

export interface ClipSetOptions {
  count: number;
  durationSec: number;
  width: number;
  height: number;
  fps: number;
  /** File names: `${prefix}${index padded to 3}.mp4`. */
  prefix?: string;
}

export async function makeClipSet(dir: string, o: ClipSetOptions): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const prefix = o.prefix ?? 'clip';
  const gop = Math.max(1, Math.round(o.fps * o.durationSec));
  await execFileAsync(
    testFfmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`,
      '-t',
      String(o.count * o.durationSec),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(gop),
      '-keyint_min',
      String(gop),
      '-sc_threshold',
      '0',
      '-f',
      'segment',
      '-segment_time',
      String(o.durationSec),
      '-reset_timestamps',
      '1',
      path.join(dir, `${prefix}%03d.mp4`),
    ],
    { maxBuffer: 4 << 20 },
  );
  const files = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.mp4')).sort();
  if (files.length < o.count) throw new Error(`makeClipSet: expected ${o.count} clips in ${dir}, got ${files.length}`);
  return files.slice(0, o.count).map((f) => path.join(dir, f));
}
