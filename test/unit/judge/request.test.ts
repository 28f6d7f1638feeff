// Building the answering request: video parts once per video, fixed message order, Eq. 2 score.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnswerRequest, buildVideoContent, entityScore, samplingRate, videoTimingFields } from '../../../src/core/judge';

const frames = [
  { jpeg: Buffer.from([0xff, 0xd8, 1, 2, 3]) },
  { jpeg: Buffer.from([0xff, 0xd8, 4, 5]) },
  { jpeg: Buffer.from('third frame') },
];

type Part = { type: string; text?: string; image_url?: { url: string }; video_url?: { url: string } };
const partsOf = (content: unknown) => content as Part[];

describe('buildVideoContent', () => {
  it('video mode: one video_url part with every frame as base64 JPEG, comma-separated', () => {
    const parts = partsOf(buildVideoContent({ mode: 'video', frames }));
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.type, 'video_url');
    const url = parts[0]!.video_url!.url;
    assert.ok(url.startsWith('data:video/jpeg;base64,'));
    const decoded = url
      .slice('data:video/jpeg;base64,'.length)
      .split(',')
      .map((b) => Buffer.from(b, 'base64'));
    assert.deepEqual(
      decoded,
      frames.map((f) => f.jpeg),
    );
  });

  it('frames mode: one image_url part per frame, in order', () => {
    const parts = partsOf(buildVideoContent({ mode: 'frames', frames }));
    assert.deepEqual(
      parts.map((p) => p.type),
      ['image_url', 'image_url', 'image_url'],
    );
    assert.deepEqual(
      parts.map((p) => Buffer.from(p.image_url!.url.replace('data:image/jpeg;base64,', ''), 'base64')),
      frames.map((f) => f.jpeg),
    );
  });

  it('file mode: the original file as a data URL with its MIME type', () => {
    const data = Buffer.from('not really an mp4');
    const parts = partsOf(buildVideoContent({ mode: 'file', frames: [], file: { data, mime: 'video/mp4' } }));
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.video_url!.url, `data:video/mp4;base64,${data.toString('base64')}`);
  });

  it('says what is wrong when there is nothing to send', () => {
    assert.throws(() => buildVideoContent({ mode: 'video', frames: [] }), /No frames were sampled/);
    assert.throws(() => buildVideoContent({ mode: 'file', frames }), /needs the video file/);
  });
});

describe('buildAnswerRequest', () => {
  const videoContent = buildVideoContent({ mode: 'frames', frames });

  it('puts the system text first, then the video parts, then the question text last', () => {
    const req = buildAnswerRequest({ systemText: 'SYSTEM', videoContent, questionText: 'Is the cup red?', reasoning: true });
    assert.equal(req.messages.length, 2);
    assert.deepEqual(req.messages[0], { role: 'system', content: 'SYSTEM' });
    const user = req.messages[1]!;
    assert.equal(user.role, 'user');
    const parts = partsOf(user.content);
    assert.deepEqual(parts.slice(0, -1), videoContent);
    assert.deepEqual(parts.at(-1), { type: 'text', text: 'Is the cup red?' });
  });

  it('reuses the same video parts for every question (no re-encoding)', () => {
    const a = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'A?', reasoning: true });
    const b = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'B?', reasoning: true });
    const pa = partsOf(a.messages[1]!.content);
    const pb = partsOf(b.messages[1]!.content);
    for (let i = 0; i < videoContent.length; i++) assert.equal(pa[i], pb[i]);
  });

  it('asks for logprobs, temperature 0 by default, one token in fast mode, and never constrains the answer', () => {
    const reasoning = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'Q?', reasoning: true });
    const fast = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'Q?', reasoning: false, temperature: 0.7 });
    assert.equal(reasoning.logprobs, true);
    assert.equal(reasoning.top_logprobs, 20);
    assert.equal(reasoning.temperature, 0);
    assert.ok((reasoning.max_tokens ?? 0) >= 256);
    assert.equal(fast.max_tokens, 1);
    assert.equal(fast.temperature, 0.7);
    for (const r of [reasoning, fast]) {
      for (const key of ['response_format', 'logit_bias', 'guided_choice', 'guided_regex', 'tools', 'stop']) assert.ok(!(key in r), key);
    }
  });
});

describe('entityScore', () => {
  it('is pYes for positive and 1 − pYes for negative questions', () => {
    for (const p of [0, 0.25, 0.5, 0.9, 1]) {
      assert.equal(entityScore('positive', p), p);
      assert.equal(entityScore('negative', p), 1 - p);
    }
  });
});

describe('video timing fields', () => {
  it('send the rate frames / duration and the frame count in the fields vLLM reads, for mode video only', () => {
    assert.deepEqual(videoTimingFields('video', 10, 5), {
      media_io_kwargs: { video: { fps: 2, num_frames: 10 } },
      mm_processor_kwargs: { fps: 2 },
    });
    // 7 frames over 3 s: 2.333333 (rounded to 1e-6, the same number every time).
    assert.deepEqual(videoTimingFields('video', 7, 3), {
      media_io_kwargs: { video: { fps: 2.333333, num_frames: 7 } },
      mm_processor_kwargs: { fps: 2.333333 },
    });
    assert.equal(videoTimingFields('frames', 10, 5), undefined);
    assert.equal(videoTimingFields('file', 10, 5), undefined);
    assert.equal(videoTimingFields('video', 10, 0), undefined, 'unknown duration: nothing is claimed');
    assert.equal(samplingRate(32, 60), 0.533333);
  });

  it('go with every answer, as given, with repetition_penalty 1.0', () => {
    const videoContent = buildVideoContent({ mode: 'video', frames });
    const videoTiming = videoTimingFields('video', frames.length, 1.5)!;
    const a = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'A?', reasoning: true, videoTiming });
    const b = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'B?', reasoning: false, videoTiming });
    for (const r of [a, b]) {
      assert.equal(r.repetition_penalty, 1);
      assert.equal(r.media_io_kwargs, videoTiming.media_io_kwargs);
      assert.equal(r.mm_processor_kwargs, videoTiming.mm_processor_kwargs);
    }
    const without = buildAnswerRequest({ systemText: 'S', videoContent, questionText: 'A?', reasoning: true });
    assert.ok(!('media_io_kwargs' in without) && !('mm_processor_kwargs' in without));
    assert.equal(without.repetition_penalty, 1);
  });
});
