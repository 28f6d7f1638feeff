// FrameCache and sampleVideo on real clips. A cache hit is observed by giving sampleVideo an
// ffmpeg path that does not exist: any attempt to extract would fail with a ConfigError.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../../src/core/errors';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { FrameCache, frameCacheKey, sampleVideo, sha256File, type Frame } from '../../../src/core/video';
import { makeClip, makeTempDir, removeTempDir, testFfmpeg, testFfprobe } from '../../helpers/clips';

const defaults = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };
const tools = { ffmpeg: testFfmpeg, ffprobe: testFfprobe };

let dir: string;
let noFfmpeg: string;
before(async () => {
  dir = await makeTempDir('finger-cache');
  noFfmpeg = join(dir, 'not-installed', 'ffmpeg');
});
after(async () => {
  await removeTempDir(dir);
});

function assertSameFrames(actual: Frame[], expected: Frame[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((f, i) => {
    const e = expected[i]!;
    assert.deepEqual(
      { index: f.index, timeSec: f.timeSec, width: f.width, height: f.height },
      { index: e.index, timeSec: e.timeSec, width: e.width, height: e.height },
    );
    assert.ok(f.jpeg.equals(e.jpeg), `frame ${i} bytes`);
  });
}

describe('sampleVideo with a FrameCache', () => {
  test('first call extracts, second returns identical frames without running ffmpeg', async () => {
    const file = await makeClip(dir, 'memo.mp4', { durationSec: 3 });
    const cache = new FrameCache();
    const first = await sampleVideo(file, defaults, { ...tools, cache });
    assert.equal(first.fromCache, false);
    assert.equal(first.frames.length, 6);
    assert.equal(first.sha256, await sha256File(file));
    assert.ok(cache.memoryBytes > 0);

    // Without a cache the missing ffmpeg is fatal, which proves the next call does not run it.
    await assert.rejects(sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg }), ConfigError);
    const second = await sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache });
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.info, first.info);
    assertSameFrames(second.frames, first.frames);
  });

  test('other sampling settings or other content are a miss', async () => {
    const file = await makeClip(dir, 'settings.mp4', { durationSec: 2 });
    const cache = new FrameCache();
    await sampleVideo(file, defaults, { ...tools, cache });
    const smaller = { ...defaults, maxPixels: 64 * 64 };
    await assert.rejects(sampleVideo(file, smaller, { ...tools, ffmpeg: noFfmpeg, cache }), ConfigError);
    const other = await sampleVideo(file, smaller, { ...tools, cache });
    assert.equal(other.fromCache, false);
    assert.ok(other.frames[0]!.width * other.frames[0]!.height <= 64 * 64);

    // Same name, new content (a re-rendered clip): the hash changes, so the cache misses.
    await makeClip(dir, 'settings.mp4', { durationSec: 2, source: 'smptebars' });
    await assert.rejects(sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache }), ConfigError);
  });

  test('the disk layer survives a new cache (a new session) and holds JPEGs plus an index', async () => {
    const file = await makeClip(dir, 'disk.mp4', { durationSec: 2 });
    const folder = join(dir, 'workspace', '.finger', 'cache', 'frames');
    const first = await sampleVideo(file, defaults, { ...tools, cache: new FrameCache({ dir: folder }) });
    const key = frameCacheKey(first.sha256, defaults);
    const files = (await readdir(join(folder, key))).sort();
    assert.deepEqual(files, ['frame-0000.jpg', 'frame-0001.jpg', 'frame-0002.jpg', 'frame-0003.jpg', 'index.json']);
    assert.deepEqual(await readdir(folder), [key], 'no temporary folders left behind');

    const later = await sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache: new FrameCache({ dir: folder }) });
    assert.equal(later.fromCache, true);
    assertSameFrames(later.frames, first.frames);
  });

  test('an entry cut short by a crash is a miss, never a damaged hit, and gets rewritten', async () => {
    const file = await makeClip(dir, 'crash.mp4', { durationSec: 2 });
    const folder = join(dir, 'crash-cache');
    const first = await sampleVideo(file, defaults, { ...tools, cache: new FrameCache({ dir: folder }) });
    const key = frameCacheKey(first.sha256, defaults);
    const entry = join(folder, key);

    // Crash before the index was written.
    await rm(join(entry, 'index.json'));
    await assert.rejects(sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache: new FrameCache({ dir: folder }) }), ConfigError);

    // A JPEG cut short under an intact index.
    const again = await sampleVideo(file, defaults, { ...tools, cache: new FrameCache({ dir: folder }) });
    assert.equal(again.fromCache, false);
    assertSameFrames(again.frames, first.frames);
    const jpegFile = join(entry, 'frame-0002.jpg');
    const jpeg = await readFile(jpegFile);
    await writeFile(jpegFile, jpeg.subarray(0, jpeg.length - 100));
    await assert.rejects(sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache: new FrameCache({ dir: folder }) }), ConfigError);

    // An index that is not JSON.
    await sampleVideo(file, defaults, { ...tools, cache: new FrameCache({ dir: folder }) });
    await writeFile(join(entry, 'index.json'), '{"version": 1, "key": ');
    await assert.rejects(sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache: new FrameCache({ dir: folder }) }), ConfigError);

    // After a good write, the entry is whole again.
    await sampleVideo(file, defaults, { ...tools, cache: new FrameCache({ dir: folder }) });
    const hit = await sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache: new FrameCache({ dir: folder }) });
    assertSameFrames(hit.frames, first.frames);
  });

  test('an unwritable cache folder does not fail the sampling', async () => {
    const file = await makeClip(dir, 'ro.mp4', { durationSec: 1 });
    const blocker = join(dir, 'a-file-not-a-folder');
    await writeFile(blocker, 'x');
    const cache = new FrameCache({ dir: join(blocker, 'frames') });
    const result = await sampleVideo(file, defaults, { ...tools, cache });
    assert.equal(result.frames.length, 2);
    // The memory layer still works.
    assert.equal((await sampleVideo(file, defaults, { ...tools, ffmpeg: noFfmpeg, cache })).fromCache, true);
  });
});

describe('FrameCache memory layer', () => {
  async function framesOf(name: string, source = 'testsrc2'): Promise<{ key: string; frames: Frame[]; bytes: number }> {
    const file = await makeClip(dir, name, { durationSec: 2, source });
    const { frames, sha256 } = await sampleVideo(file, defaults, tools);
    return { key: frameCacheKey(sha256, defaults), frames, bytes: frames.reduce((n, f) => n + f.jpeg.length, 0) };
  }

  test('stays within its byte budget, evicting the least recently used entry', async () => {
    const a = await framesOf('a-lru.mp4');
    const b = await framesOf('b-lru.mp4', 'smptebars');
    const c = await framesOf('c-lru.mp4', 'testsrc');
    assert.equal(new Set([a.key, b.key, c.key]).size, 3);
    const budget = Math.max(a.bytes + b.bytes, a.bytes + c.bytes, b.bytes + c.bytes);
    const cache = new FrameCache({ maxBytes: budget });
    await cache.set(a.key, a.frames);
    await cache.set(b.key, b.frames);
    assert.ok(await cache.get(a.key), 'a is now the most recently used');
    await cache.set(c.key, c.frames);
    assert.ok(cache.memoryBytes <= budget);
    assert.equal(await cache.get(b.key), undefined, 'b was evicted');
    assertSameFrames((await cache.get(a.key))!, a.frames);
    assertSameFrames((await cache.get(c.key))!, c.frames);
  });

  test('an entry larger than the budget is not kept in memory', async () => {
    const a = await framesOf('a-big.mp4');
    const cache = new FrameCache({ maxBytes: a.bytes - 1 });
    await cache.set(a.key, a.frames);
    assert.equal(cache.memoryBytes, 0);
    assert.equal(await cache.get(a.key), undefined);
  });

  test('editing returned frames does not change the cache', async () => {
    const a = await framesOf('a-edit.mp4');
    const cache = new FrameCache();
    await cache.set(a.key, a.frames);
    const got = (await cache.get(a.key))!;
    got[0]!.index = 99;
    got.pop();
    assertSameFrames((await cache.get(a.key))!, a.frames);
  });
});

describe('frameCacheKey', () => {
  test('differs for each sampling setting and is a plain folder name', async () => {
    const sha = 'ab'.repeat(32);
    const keys = [
      frameCacheKey(sha, defaults),
      frameCacheKey(sha, { ...defaults, fps: 1 }),
      frameCacheKey(sha, { ...defaults, maxFrames: 16 }),
      frameCacheKey(sha, { ...defaults, maxPixels: 1000 }),
      frameCacheKey('cd'.repeat(32), defaults),
    ];
    assert.equal(new Set(keys).size, keys.length);
    for (const key of keys) assert.match(key, /^[\w.-]+$/);
    await mkdir(join(dir, keys[0]!)); // usable as a folder name
  });
});
