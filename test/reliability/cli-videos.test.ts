// Bad and unusual videos through the real `finger score` CLI, all in ONE folder scored by ONE run:
// each bad file gets its own readable message (file name + what to do, no stack trace), every
// other file of the run is still scored, and a result saved before is never lost.
//
// [reliability:videos]
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble } from '../double/endpoint-double';
import { makeClip, makeTempDir } from '../helpers/clips';
import { buildCli, cleanEnv, runCli, type CliRun } from '../helpers/cli';
import { DEFAULT_ROUTING_HEADER } from '../../src/core/settings';
import { ResultSchema, type Result } from '../../src/core/types';
import { assertNoStack, assertResultsIntact, ffmpeg, MODEL, parseSummary, rowOf, smallSet, type Summary } from './helpers';

/** Width × height of a baseline JPEG (SOF0..SOF3 marker). */
function jpegSize(jpeg: Buffer): { width: number; height: number } {
  let i = 2;
  while (i < jpeg.length) {
    if (jpeg[i] !== 0xff) throw new Error('not a JPEG marker');
    const marker = jpeg[i + 1]!;
    const len = jpeg.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return { height: jpeg.readUInt16BE(i + 5), width: jpeg.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  throw new Error('no SOF marker');
}

describe('finger score over a folder of bad and unusual videos [reliability:videos]', () => {
  let double: EndpointDouble;
  let ws: string;
  let outside: string;
  let run: CliRun;
  let summary: Summary;
  /** sha256 of the clip outside the workspace: the routing key any request about it would carry. */
  let farSha256: string;
  const savedBefore = new Map<string, string>();
  const resultOf = async (name: string): Promise<Result> =>
    ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger', 'results', `${name}.json`), 'utf8')));

  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    ws = await makeTempDir('finger-rel-videos');
    outside = await makeTempDir('finger-rel-outside');
    const base = await makeClip(ws, 'plain.mp4', { durationSec: 1 });
    const sets: string[] = ['plain.mp4'];
    const add = (name: string) => sets.push(name);

    // Broken files.
    await writeFile(path.join(ws, 'zero.mp4'), '');
    add('zero.mp4');
    await writeFile(path.join(ws, 'notes.mp4'), 'This is a text file that somebody named .mp4\n'.repeat(50));
    add('notes.mp4');
    await makeClip(ws, 'cut.mp4', { durationSec: 2 });
    await truncate(path.join(ws, 'cut.mp4'), Math.floor((await stat(path.join(ws, 'cut.mp4'))).size / 2));
    add('cut.mp4');
    await makeClip(ws, 'cut-faststart.mp4', { durationSec: 3, outputArgs: ['-movflags', '+faststart'] });
    await truncate(path.join(ws, 'cut-faststart.mp4'), Math.floor((await stat(path.join(ws, 'cut-faststart.mp4'))).size / 3));
    add('cut-faststart.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=1', '-c:a', 'aac', path.join(ws, 'audio-only.mp4')]);
    add('audio-only.mp4');

    // Unusual but valid files.
    await makeClip(ws, 'one-frame.mp4', { durationSec: 1 / 24, source: 'color=c=blue' });
    add('one-frame.mp4');
    // A 10-minute clip made cheaply: a flat colour at 1 fps.
    await makeClip(ws, 'ten-minutes.mp4', { codec: 'h264', source: 'color=c=gray', width: 320, height: 240, fps: 1, durationSec: 600 });
    add('ten-minutes.mp4');
    await makeClip(ws, 'uhd-4k.mp4', { codec: 'h264', source: 'testsrc2', width: 3840, height: 2160, fps: 2, durationSec: 1 });
    add('uhd-4k.mp4');
    await makeClip(ws, 'uhd-8k.mp4', { codec: 'h264', source: 'color=c=green', width: 7680, height: 4320, fps: 1, durationSec: 1 });
    add('uhd-8k.mp4');
    await makeClip(ws, 'portrait.mp4', { durationSec: 1, width: 240, height: 320 });
    add('portrait.mp4');
    await makeClip(ws, 'rotated.mp4', { durationSec: 1, rotation: 90 });
    add('rotated.mp4');
    await makeClip(ws, 'vfr.mp4', {
      durationSec: 3,
      fps: 30,
      width: 64,
      height: 48,
      source: 'color=c=black',
      outputArgs: ['-vf', "geq=lum='16+8*mod(N,24)':cb=128:cr=128,select='lt(mod(t,2),1)+not(mod(n,7))'", '-fps_mode', 'vfr'],
    });
    add('vfr.mp4');
    await makeClip(ws, 'vp9.webm', { durationSec: 1, codec: 'vp9', width: 160, height: 120 });
    add('vp9.webm');

    // Odd names (same bytes as plain.mp4: the point is the name).
    for (const name of ['with spaces.mp4', 'ünïcødé 動画 🎬.mp4', `it's "quoted".mp4`, '-leading-dash.mp4', '<b>&amp;<i>.mp4']) {
      await copyFile(base, path.join(ws, name));
      add(name);
    }

    // A symlink to a clip outside the workspace, and one that points nowhere.
    // Content of its own (plain.mp4 has the default options), so its hash identifies it.
    const far = await makeClip(outside, 'far.mp4', { durationSec: 1, width: 176, height: 144, source: 'mandelbrot' });
    farSha256 = createHash('sha256')
      .update(await readFile(far))
      .digest('hex');
    await symlink(far, path.join(ws, 'link-outside.mp4'));
    await symlink(path.join(outside, 'gone.mp4'), path.join(ws, 'dangling.mp4'));

    for (const name of sets) {
      const stem = name.slice(0, -path.extname(name).length);
      await writeFile(path.join(ws, `${stem}.questions.json`), JSON.stringify(smallSet(`videos ${name}`, 2)));
    }

    // A result saved earlier for zero.mp4 (before the download broke): it must survive the run.
    const plainRun = await runCli(['score', 'plain.mp4'], { cwd: ws, env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }) });
    assert.equal(plainRun.code, 0, plainRun.stderr);
    const plainResult = await resultOf('plain.mp4');
    const earlier = JSON.stringify({ ...plainResult, video: { ...plainResult.video, path: 'zero.mp4' } }, null, 2);
    await mkdir(path.join(ws, '.finger', 'results'), { recursive: true });
    await writeFile(path.join(ws, '.finger', 'results', 'zero.mp4.json'), earlier);
    savedBefore.set('zero.mp4', earlier);

    run = await runCli(['score', '.', '--json', '--timeout', '30'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }),
    });
    summary = parseSummary(run);
  });
  after(async () => {
    await double?.close();
  });

  const failsClearly = (name: string, message: RegExp, hint: RegExp) => async () => {
    const row = rowOf(summary, name);
    assert.ok(row.error, `${name} should fail`);
    assert.ok(row.error.includes(name), `the message names ${name}: ${row.error}`);
    assert.match(row.error, message);
    assert.match(row.error, hint, `the message says what to do: ${row.error}`);
    assert.ok(run.stderr.includes(`✗ ${name}`) || run.stderr.includes(name), `stderr names ${name}`);
    assertNoStack(run.stderr, 'stderr');
    if (!savedBefore.has(name)) assert.equal(row.resultFile, null);
  };

  it('the run finishes with exit 1 (some failed), a summary row per video and no stack trace', async () => {
    assert.equal(run.code, 1, run.stderr);
    assertNoStack(run.stderr, 'stderr');
    assert.ok(summary.results.length >= 20, `${summary.results.length} rows`);
    await assertResultsIntact(ws);
  });

  it('zero bytes', failsClearly('zero.mp4', /empty \(0 bytes\)/, /export|download|again|Choose/i));
  it('a text file named .mp4', failsClearly('notes.mp4', /not a video/, /export|Choose|video file/i));
  it('cut off halfway (index at the end)', failsClearly('cut.mp4', /not a video|damaged|truncated/, /export|download|again/i));
  it(
    'cut off with its index intact (fast-start)',
    failsClearly('cut-faststart.mp4', /truncated|damaged|could not read/, /export|download|again/i),
  );
  it('audio only', failsClearly('audio-only.mp4', /no video|audio|picture/i, /Choose a video file/));

  it('a symlink pointing outside the workspace is refused and nothing outside is read', async () => {
    const row = summary.results.find((r) => r.video.endsWith('link-outside.mp4'));
    assert.ok(row?.error, 'refused');
    assert.match(row.error, /outside the workspace/);
    assert.match(row.error, /copy it into the workspace|--workspace/);
    // No request names it or is about its content (every request about a video carries the
    // video's sha256 as its routing key; a substring of the base64 frames proves nothing).
    const texts = (r: (typeof double.requests)[number]) =>
      JSON.stringify(r.body?.messages ?? '', (_k, v: unknown) => (typeof v === 'string' && v.startsWith('data:') ? '' : v));
    assert.ok(
      double.requests.some((r) => r.headers[DEFAULT_ROUTING_HEADER] !== undefined),
      'requests carry their routing key',
    );
    assert.ok(!double.requests.some((r) => r.headers[DEFAULT_ROUTING_HEADER] === farSha256), 'nothing of it was sent');
    assert.ok(!double.requests.some((r) => /far\.mp4|link-outside/.test(texts(r))), 'its name was not sent');
  });

  it('a symlink pointing nowhere is reported, not fatal to the run', async () => {
    const row = summary.results.find((r) => r.video.endsWith('dangling.mp4'));
    assert.ok(row?.error, `dangling.mp4 has a row with an error: ${JSON.stringify(summary.results.map((r) => r.video))}`);
    assert.ok(row.error.length > 10);
  });

  it('a result saved before the file broke is kept byte for byte', async () => {
    assert.equal(await readFile(path.join(ws, '.finger', 'results', 'zero.mp4.json'), 'utf8'), savedBefore.get('zero.mp4'));
  });

  const scores = (name: string, check?: (r: Result) => void | Promise<void>) => async () => {
    const row = rowOf(summary, name);
    assert.equal(row.error, null, `${name}: ${row.error}`);
    assert.ok(row.resultFile && row.resultFile.endsWith(`${name}.json`));
    const result = await resultOf(name);
    assert.equal(result.video.path, name);
    assert.equal(result.questions.length, 2);
    assert.ok(result.questions.every((q) => q.error === null && q.score !== null));
    await check?.(result);
  };

  it(
    'a one-frame clip',
    scores('one-frame.mp4', (r) => assert.equal(r.sampling.frames, 1)),
  );
  it(
    'a 10-minute clip: at most maxFrames frames',
    scores('ten-minutes.mp4', (r) => {
      assert.ok(Math.abs(r.video.durationSec - 600) < 2);
      assert.equal(r.sampling.frames, 32);
    }),
  );
  it(
    '4K frames are scaled down to maxPixels before sending',
    scores('uhd-4k.mp4', (r) => assert.equal(r.video.width, 3840)),
  );
  it(
    '8K frames are scaled down to maxPixels before sending',
    scores('uhd-8k.mp4', async (r) => {
      assert.equal(r.video.width, 7680);
      const req = double.chatRequests().find((x) => x.kind === 'answer' && x.question?.includes('videos uhd-8k.mp4'));
      assert.ok(req, 'an answer request for the 8K clip');
      const url = (req.body.messages.at(-1).content as { type: string; video_url?: { url: string } }[]).find((p) => p.type === 'video_url')!
        .video_url!.url;
      const frames = url.slice(url.indexOf(',') + 1).split(',');
      assert.equal(frames.length, r.sampling.frames);
      for (const f of frames) {
        const { width, height } = jpegSize(Buffer.from(f, 'base64'));
        assert.ok(width * height <= r.sampling.maxPixels, `${width}x${height}`);
        assert.ok(Math.abs(width / height - 16 / 9) < 0.05, 'aspect ratio kept');
      }
    }),
  );
  it(
    'a portrait clip',
    scores('portrait.mp4', (r) => assert.ok(r.video.height > r.video.width)),
  );
  it('a rotated (display matrix) clip', scores('rotated.mp4'));
  it(
    'a variable-frame-rate clip',
    scores('vfr.mp4', (r) => assert.ok(r.sampling.frames >= 5)),
  );
  it('a VP9 WebM', scores('vp9.webm'));
  it('a name with spaces', scores('with spaces.mp4'));
  it('a name with unicode and emoji', scores('ünïcødé 動画 🎬.mp4'));
  it('a name with quotes', scores(`it's "quoted".mp4`));
  it('a name with a leading dash is a file, never an option', scores('-leading-dash.mp4'));
  it('a name with HTML characters', scores('<b>&amp;<i>.mp4'));

  it('--debug shows where a failure came from; without it there is none', async () => {
    const debug = await runCli(['score', 'zero.mp4', '--debug'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }),
    });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /zero\.mp4/);
    assert.match(debug.stderr, /^\s+at /m, 'a stack trace with --debug');
    const plain = await runCli(['score', 'zero.mp4'], { cwd: ws, env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }) });
    assert.equal(plain.code, 1);
    assertNoStack(plain.stderr);
  });
});
