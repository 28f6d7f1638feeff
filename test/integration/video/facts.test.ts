// The probe/hash memo of the frame cache: an unchanged video is neither probed nor read again; any
// change of size, mtime, ctime or inode makes it probe and hash again.
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../src/core/settings';
import { FrameCache, sampleVideo } from '../../../src/core/video';
import { makeClip, makeTempDir, removeTempDir, testFfmpeg, testFfprobe } from '../../helpers/clips';

const sampling = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };
let dir: string;
before(async () => {
  dir = await makeTempDir('finger-facts');
});
after(async () => {
  await removeTempDir(dir);
});

test('an unchanged video is sampled from the cache without ffprobe or ffmpeg; a touched one is probed again', async () => {
  const clip = await makeClip(dir, 'a.mp4', { durationSec: 1 });
  const cacheDir = join(dir, 'cache', 'frames');
  const first = await sampleVideo(clip, sampling, { ffmpeg: testFfmpeg, ffprobe: testFfprobe, cache: new FrameCache({ dir: cacheDir }) });
  const missing = { ffmpeg: join(dir, 'no-ffmpeg'), ffprobe: join(dir, 'no-ffprobe') };
  // A new session (empty memory layer), and no ffmpeg/ffprobe at all.
  const again = await sampleVideo(clip, sampling, { ...missing, cache: new FrameCache({ dir: cacheDir }) });
  assert.equal(again.fromCache, true);
  assert.equal(again.sha256, first.sha256);
  assert.deepEqual(again.info, first.info);
  assert.deepEqual(
    again.frames.map((f) => f.jpeg),
    first.frames.map((f) => f.jpeg),
  );
  // Same bytes, new mtime: the memo no longer applies, so ffprobe is needed (and missing here).
  await utimes(clip, new Date(), new Date(Date.now() + 5000));
  await assert.rejects(sampleVideo(clip, sampling, { ...missing, cache: new FrameCache({ dir: cacheDir }) }));
  const probed = await sampleVideo(clip, sampling, { ffmpeg: testFfmpeg, ffprobe: testFfprobe, cache: new FrameCache({ dir: cacheDir }) });
  assert.equal(probed.sha256, first.sha256);
});
