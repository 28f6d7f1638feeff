// JpegStreamSplitter on a real ffmpeg image2pipe stream, fed in chunks of every awkward size.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { JpegStreamSplitter, jpegSize } from '../../../src/core/video';
import { makeTempDir, removeTempDir, testFfmpeg } from '../../helpers/clips';

const execFileAsync = promisify(execFile);

let dir: string;
let stream: Buffer;
const FRAMES = 5;

before(async () => {
  dir = await makeTempDir('finger-jpeg');
  const { stdout } = await execFileAsync(
    testFfmpeg,
    [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=96x64:rate=10',
      '-frames:v',
      String(FRAMES),
      '-f',
      'image2pipe',
      '-c:v',
      'mjpeg',
      '-pix_fmt',
      'yuvj420p',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  stream = stdout;
});
after(async () => {
  await removeTempDir(dir);
});

function split(data: Buffer, chunkSize: number): Buffer[] {
  const images: Buffer[] = [];
  const splitter = new JpegStreamSplitter((jpeg) => images.push(jpeg));
  for (let i = 0; i < data.length; i += chunkSize) splitter.push(data.subarray(i, i + chunkSize));
  assert.equal(splitter.pending, false, 'nothing left half-read');
  return images;
}

test('splits ffmpeg output into its pictures whatever the chunk sizes', () => {
  const whole = split(stream, stream.length);
  assert.equal(whole.length, FRAMES);
  assert.ok(Buffer.concat(whole).equals(stream), 'the pictures are the stream, byte for byte');
  for (const jpeg of whole) assert.deepEqual(jpegSize(jpeg), { width: 96, height: 64 });
  for (const size of [1, 2, 3, 7, 64, 1000, 4096]) {
    const parts = split(stream, size);
    assert.equal(parts.length, FRAMES, `chunks of ${size}`);
    parts.forEach((p, i) => assert.ok(p.equals(whole[i]!), `picture ${i}, chunks of ${size}`));
  }
});

test('an FF D9 byte pair inside a segment is not mistaken for the end of the picture', () => {
  const first = split(stream, stream.length)[0]!;
  // A comment segment (FF FE) right after SOI whose text contains FF D9.
  const comment = Buffer.from([0xff, 0xfe, 0x00, 0x06, 0x41, 0xff, 0xd9, 0x42]);
  const tricky = Buffer.concat([first.subarray(0, 2), comment, first.subarray(2)]);
  const parts = split(Buffer.concat([tricky, tricky]), 5);
  assert.equal(parts.length, 2);
  assert.ok(parts[0]!.equals(tricky));
  assert.deepEqual(jpegSize(parts[0]!), { width: 96, height: 64 });
});

test('a picture cut off at the end of the stream is not emitted', () => {
  const cut = stream.subarray(0, stream.length - 10);
  const images: Buffer[] = [];
  const splitter = new JpegStreamSplitter((jpeg) => images.push(jpeg));
  splitter.push(cut);
  assert.equal(images.length, FRAMES - 1);
  assert.equal(splitter.pending, true);
});
