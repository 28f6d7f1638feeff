// probeVideo, resolveFfmpeg and runProcess against the real ffprobe/ffmpeg, including files that
// are not videos and a cancelled extraction.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CancelledError, ConfigError, FingerError } from '../../../src/core/errors';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { extractFrames, probeVideo, resolveFfmpeg, runProcess, sampleVideo, sha256File } from '../../../src/core/video';
import type { VideoInfo } from '../../../src/core/video';
import { makeClip, makeTempDir, removeTempDir, testFfmpeg, testFfprobe } from '../../helpers/clips';

const execFileAsync = promisify(execFile);
const defaults = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };
const tools = { ffmpeg: testFfmpeg, ffprobe: testFfprobe };

let dir: string;
before(async () => {
  dir = await makeTempDir('finger-probe');
});
after(async () => {
  await removeTempDir(dir);
});

/** Asserts that `promise` rejects with a FingerError about `file` whose text matches `pattern`. */
async function rejectsAbout(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<FingerError> {
  const err = await promise.then(
    () => assert.fail('expected a FingerError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof FingerError, `expected FingerError, got ${String(err)}`);
  assert.equal(err.file, file);
  const name = file.split('/').pop()!;
  assert.ok(err.describe().includes(name), `names the file: ${err.describe()}`);
  assert.match(err.describe(), pattern);
  return err;
}

describe('probeVideo', () => {
  test('reports duration, size, frame rate, codec and audio of an H.264 clip', async () => {
    const file = await makeClip(dir, 'h264.mp4', { durationSec: 3, width: 352, height: 288, fps: 25, audio: true });
    const info = await probeVideo(file, tools);
    assert.ok(Math.abs(info.durationSec - 3) < 0.05, `duration ${info.durationSec}`);
    assert.equal(info.width, 352);
    assert.equal(info.height, 288);
    assert.equal(info.fps, 25);
    assert.equal(info.codec, 'h264');
    assert.equal(info.rotation, 0);
    assert.equal(info.hasAudio, true);
    assert.equal(info.frameCountEstimate, 75);
  });

  test('reads duration of a VP9 WebM (duration only in Matroska tags)', async () => {
    const file = await makeClip(dir, 'vp9', { durationSec: 2.5, codec: 'vp9' });
    const info = await probeVideo(file, tools);
    assert.equal(info.codec, 'vp9');
    assert.ok(Math.abs(info.durationSec - 2.5) < 0.05, `duration ${info.durationSec}`);
    assert.equal(info.hasAudio, false);
    assert.equal(info.frameCountEstimate, 60);
  });

  test('MPEG-4 part 2 and a 180° rotation (size not swapped)', async () => {
    const file = await makeClip(dir, 'mpeg4-180.mp4', { codec: 'mpeg4', rotation: 180 });
    const info = await probeVideo(file, tools);
    assert.equal(info.codec, 'mpeg4');
    assert.equal(info.rotation, 180);
    assert.deepEqual([info.width, info.height], [320, 240]);
  });

  test('a zero-byte file', async () => {
    const file = join(dir, 'empty.mp4');
    await writeFile(file, '');
    await rejectsAbout(probeVideo(file, tools), file, /empty.*re-export/is);
  });

  test('a text file named .mp4', async () => {
    const file = join(dir, 'notes.mp4');
    await writeFile(file, 'A chef slices a tomato on a wooden board\n');
    await rejectsAbout(probeVideo(file, tools), file, /not a video.*re-export/is);
  });

  test('an audio-only file', async () => {
    const file = join(dir, 'voice.mp4');
    await execFileAsync(testFfmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-c:a', 'aac', file]);
    await rejectsAbout(probeVideo(file, tools), file, /no video stream/);
  });

  test('an audio file with cover art is not a video', async () => {
    const cover = join(dir, 'cover.png');
    await execFileAsync(testFfmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=blue:size=64x64', '-frames:v', '1', cover]);
    const file = join(dir, 'song.m4a');
    await execFileAsync(testFfmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-i',
      cover,
      '-map',
      '0',
      '-map',
      '1',
      '-t',
      '1',
      '-c:a',
      'aac',
      '-c:v',
      'png',
      '-disposition:v',
      'attached_pic',
      file,
    ]);
    await rejectsAbout(probeVideo(file, tools), file, /no video stream/);
  });

  test('a truncated file (download cut short)', async () => {
    const file = await makeClip(dir, 'cut.mp4', { durationSec: 3 });
    const { size } = await stat(file);
    await truncate(file, Math.floor(size / 2));
    await rejectsAbout(probeVideo(file, tools), file, /not a video.*re-export/is);
  });

  test('a missing file', async () => {
    const file = join(dir, 'missing.mp4');
    await rejectsAbout(probeVideo(file, tools), file, /not found/);
  });
});

describe('extractFrames on damaged files', () => {
  test('a truncated file whose index is intact (fast-start MP4) is reported, not padded with copies', async () => {
    const file = await makeClip(dir, 'cut-faststart.mp4', { durationSec: 4, outputArgs: ['-movflags', '+faststart'] });
    const info = await probeVideo(file, tools);
    const { size } = await stat(file);
    await truncate(file, Math.floor(size / 3));
    await rejectsAbout(extractFrames(file, info, defaults, tools), file, /truncated|damaged|could not read/);
  });

  test('sampleVideo reports the probe failure, not a cancellation of the hash that ran beside it', async () => {
    const file = join(dir, 'junk.mp4');
    await writeFile(file, Buffer.alloc(8 << 20, 7));
    await rejectsAbout(sampleVideo(file, defaults, tools), file, /not a video/);
  });
});

describe('resolveFfmpeg', () => {
  test('finds ffmpeg and ffprobe on PATH', async () => {
    const found = await resolveFfmpeg({});
    assert.match(found.ffmpeg, /ffmpeg[^/]*$/);
    assert.match(found.ffprobe, /ffprobe[^/]*$/);
    assert.ok(found.ffmpeg.startsWith('/'));
  });

  test('a configured ffmpeg brings the ffprobe next to it', async () => {
    const found = await resolveFfmpeg({});
    const bin = join(dir, 'my ffmpeg build');
    await mkdir(bin);
    await symlink(found.ffmpeg, join(bin, 'ffmpeg'));
    await symlink(found.ffprobe, join(bin, 'ffprobe'));
    const configured = await resolveFfmpeg({ ffmpegPath: join(bin, 'ffmpeg') });
    assert.deepEqual(configured, { ffmpeg: join(bin, 'ffmpeg'), ffprobe: join(bin, 'ffprobe') });
  });

  test('a configured path that does not exist is a ConfigError naming it and the setting', async () => {
    const missing = join(dir, 'nowhere', 'ffmpeg');
    const err = await resolveFfmpeg({ ffmpegPath: missing }).then(
      () => assert.fail('expected ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError);
    assert.equal(err.file, missing);
    assert.match(err.describe(), /finger\.ffmpegPath/);
    assert.match(err.describe(), /apt install ffmpeg/);
  });

  test('a configured binary that is not ffmpeg is a ConfigError', async () => {
    const fake = join(dir, 'fake-ffmpeg');
    await writeFile(fake, '#!/bin/sh\necho "usage: nothing" >&2\nexit 3\n');
    await chmod(fake, 0o755);
    const real = await resolveFfmpeg({});
    const err = await resolveFfmpeg({ ffmpegPath: fake, ffprobePath: real.ffprobe }).then(
      () => assert.fail('expected ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError);
    assert.match(err.describe(), /does not work as ffmpeg/);
  });

  test('nothing on PATH: ConfigError saying how to install', async () => {
    const saved = process.env.PATH;
    process.env.PATH = join(dir, 'empty-path');
    try {
      const err = await resolveFfmpeg({}).then(
        () => assert.fail('expected ConfigError'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConfigError);
      assert.match(err.describe(), /ffmpeg was not found/);
      assert.match(err.describe(), /brew install ffmpeg/);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('runProcess', () => {
  test('a missing program is a ConfigError that says how to install or configure ffmpeg', async () => {
    const missing = join(dir, 'no-such-ffmpeg');
    const err = await runProcess(missing, ['-version']).then(
      () => assert.fail('expected ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError);
    assert.match(err.describe(), /not found/);
    assert.match(err.describe(), /finger\.ffmpegPath/);
  });

  test('extractFrames with a missing ffmpeg is the same ConfigError', async () => {
    const file = await makeClip(dir, 'for-missing-ffmpeg.mp4', { durationSec: 1 });
    const info = await probeVideo(file, tools);
    await assert.rejects(extractFrames(file, info, defaults, { ffmpeg: join(dir, 'gone', 'ffmpeg') }), ConfigError);
  });

  test('returns exit code and stderr of a failing run, keeping only the tail of huge stderr', async () => {
    const script = 'for i in $(seq 1 3000); do echo "line $i of noise noise noise noise noise noise" >&2; done; echo last-line >&2; exit 5';
    const result = await runProcess('sh', ['-c', script]);
    assert.equal(result.code, 5);
    assert.ok(result.stderr.length <= 64 * 1024 + 16, `kept ${result.stderr.length} bytes`);
    assert.match(result.stderr, /last-line\n$/);
    assert.doesNotMatch(result.stderr, /^line 1 of/m);
  });

  test('arguments are passed as they are, never through a shell', async () => {
    const marker = join(dir, 'shell-ran');
    const result = await runProcess('printf', ['%s|', `; touch ${marker}`, '$(touch x)', '-v']);
    assert.equal(result.stdout.toString(), `; touch ${marker}|$(touch x)|-v|`);
    assert.ok(!(await readdir(dir)).includes('shell-ran'));
  });

  test('maxStdoutBytes stops a child that prints too much', async () => {
    let pid = 0;
    const err = await runProcess('sh', ['-c', 'exec yes'], { maxStdoutBytes: 1 << 20, onSpawn: (p) => (pid = p) }).then(
      () => assert.fail('expected FingerError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof FingerError);
    assert.match(err.message, /more than 1048576 bytes/);
    assert.equal(isRunning(pid), false);
  });
});

/** Process ids of our own children running `name` (Linux /proc). */
async function childrenNamed(name: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ..." — comm may contain spaces, so split after the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && comm === name) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('cancellation', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  test('aborting extractFrames kills the ffmpeg process and rejects with CancelledError', async () => {
    // A FIFO that delivers the start of a clip and then nothing: ffmpeg waits for more data
    // forever, like a clip on a stalled network drive, so only the abort can end it.
    const clip = await makeClip(dir, 'to-stall.mp4', { durationSec: 3, outputArgs: ['-movflags', '+faststart'] });
    const info: VideoInfo = await probeVideo(clip, tools);
    const fifo = join(dir, 'stalled.mp4');
    await execFileAsync('mkfifo', [fifo]);
    const head = join(dir, 'head.bin');
    await writeFile(head, (await readFile(clip)).subarray(0, 40_000));
    // The writer holds the FIFO open (fd 3) after sending the head; `exec` makes sleep take over
    // the shell's pid, so killing that pid closes the FIFO.
    const writer = spawn('sh', ['-c', 'exec 3>"$1"; cat "$2" >&3; exec sleep 600', 'sh', fifo, head], { stdio: 'ignore' });

    try {
      const controller = new AbortController();
      const running = extractFrames(fifo, info, defaults, { ffmpeg: testFfmpeg, signal: controller.signal });
      running.catch(() => undefined);
      let pids: number[] = [];
      while (pids.length === 0) {
        pids = await childrenNamed('ffmpeg');
        await new Promise((r) => setTimeout(r, 20));
      }
      controller.abort();
      await assert.rejects(running, CancelledError);
      for (const pid of pids) assert.equal(isRunning(pid), false, `ffmpeg ${pid} is gone`);
      assert.deepEqual(await childrenNamed('ffmpeg'), []);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  test('an already aborted signal starts nothing', async () => {
    const file = await makeClip(dir, 'never.mp4', { durationSec: 1 });
    const controller = new AbortController();
    controller.abort();
    const info = await probeVideo(file, tools);
    await assert.rejects(extractFrames(file, info, defaults, { ...tools, signal: controller.signal }), CancelledError);
    await assert.rejects(probeVideo(file, { ...tools, signal: controller.signal }), CancelledError);
    await assert.rejects(sha256File(file, controller.signal), CancelledError);
    await assert.rejects(sampleVideo(file, defaults, { ...tools, signal: controller.signal }), CancelledError);
    assert.deepEqual(await childrenNamed('ffmpeg'), []);
  });

  test('a child that ignores SIGTERM is killed with SIGKILL', async () => {
    const controller = new AbortController();
    let pid = 0;
    const running = runProcess('sh', ['-c', 'trap "" TERM; while true; do sleep 0.05; done'], {
      signal: controller.signal,
      onSpawn: (p) => (pid = p),
    });
    while (pid === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100)); // let the shell install its trap
    controller.abort();
    await assert.rejects(running, CancelledError);
    assert.equal(isRunning(pid), false);
  });
});

describe('sha256File', () => {
  test('matches sha256sum', async () => {
    const file = await makeClip(dir, 'hash me.mp4', { durationSec: 1 });
    const copy = join(dir, 'copy.mp4');
    await copyFile(file, copy);
    const { stdout } = await execFileAsync('sha256sum', [file]);
    assert.equal(await sha256File(file), stdout.split(' ')[0]);
    assert.equal(await sha256File(copy), await sha256File(file));
  });
});
