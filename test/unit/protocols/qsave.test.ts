import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import {
  buildQSaveQuery,
  buildQSaveRequest,
  defaultSlowFast,
  parseQSaveReply,
  scoreQSaveCompletion,
} from '../../../src/core/protocols/qsave';
import { completionFrom, tokensOf } from '../../helpers/completion';
import { assertClose as close } from '../../helpers/assert';

const REPLY = [
  '<think>Frames are crisp; the dog walks backwards at one point; the red ball is missing.</think>',
  'visual quality: 4',
  'visual attribution: crisp fur and lighting, slight haze in the background',
  'dynamic quality: 2',
  'dynamic attribution: the dog walks backwards mid-clip',
  'text-video alignment: 3',
  'alignment attribution: the red ball is missing',
  'overall score: 3',
].join('\n');

describe('Q-Save query and request', () => {
  it('describes the SlowFast layout and asks for ratings, attributions and a MOS', () => {
    const q = buildQSaveQuery('a dog plays with a red ball', { slowFrames: 4, fastAsVideo: true });
    assert.match(q, /first 4 images are high-resolution key frames/);
    assert.match(q, /the video after them/);
    assert.match(q, /prompt: a dog plays with a red ball/);
    for (const label of ['visual quality:', 'dynamic quality:', 'text-video alignment:', 'overall score:', 'alignment attribution:'])
      assert.ok(q.includes(label), label);
    assert.match(
      buildQSaveQuery('x', { slowFrames: 1, fastAsVideo: false }),
      /The first image is a high-resolution key frame.*the remaining images/,
    );
  });

  it('puts the slow frames, then the fast pathway, then the query', () => {
    const img = (n: string) => ({ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${n}` } }) as ChatCompletionContentPart;
    const video = { type: 'video_url', video_url: { url: 'data:video/jpeg;base64,F' } } as unknown as ChatCompletionContentPart;
    const req = buildQSaveRequest({
      slowContent: [img('A'), img('B')],
      fastContent: [video],
      fastAsVideo: true,
      prompt: 'p',
      temperature: 0,
    });
    assert.equal(req.messages[0]!.role, 'system');
    const parts = req.messages[1]!.content as ChatCompletionContentPart[];
    assert.deepEqual(
      parts.map((p) => p.type),
      ['image_url', 'image_url', 'video_url', 'text'],
    );
    assert.match((parts[3] as { text: string }).text, /first 2 images/);
    assert.equal(req.logprobs, true);
  });

  it('SlowFast defaults: 4 slow frames at maxPixels, up to 32 fast frames at a quarter of it', () => {
    assert.deepEqual(defaultSlowFast(448 * 448, 2), {
      slowFrames: 4,
      slowMaxPixels: 200704,
      fastFps: 4,
      fastMaxFrames: 32,
      fastMaxPixels: 50176,
    });
    assert.equal(defaultSlowFast(1000, 8).fastFps, 8);
  });
});

describe('parseQSaveReply', () => {
  it('reads three ratings, their attributions, the MOS and the reasoning', () => {
    const p = parseQSaveReply(REPLY);
    assert.deepEqual([p.ratings.visual?.value, p.ratings.dynamic?.value, p.ratings.alignment?.value, p.mos?.value], [4, 2, 3, 3]);
    assert.equal(p.attributions.dynamic, 'the dog walks backwards mid-clip');
    assert.equal(p.attributions.alignment, 'the red ball is missing');
    assert.match(p.rationale!, /^Frames are crisp/);
  });

  it('accepts "MOS" and "overall quality" for the overall score, and other alignment spellings', () => {
    assert.equal(parseQSaveReply('MOS: 2').mos?.value, 2);
    assert.equal(parseQSaveReply('**Overall quality**: 5').mos?.value, 5);
    assert.equal(parseQSaveReply('Text-to-video alignment: 1').ratings.alignment?.value, 1);
  });
});

describe('scoreQSaveCompletion', () => {
  it("uses the attribution as each dimension's reason and the MOS as the overall", () => {
    // dynamic: P(2) .75, P(3) .25 → 2.25 → (2.25−1)/4 = 0.3125
    // MOS: P(3) .5, P(4) .5 → 3.5 → 0.625
    const template = REPLY.replace('dynamic quality: 2', 'dynamic quality: {{0}}').replace('overall score: 3', 'overall score: {{1}}');
    const completion = completionFrom(
      tokensOf(template, [
        { token: '2', top: { '2': 0.75, '3': 0.25 } },
        { token: '3', top: { '3': 0.5, '4': 0.5 } },
      ]),
    );
    const s = scoreQSaveCompletion(completion);
    assert.deepEqual(
      s.questions.map((q) => q.dimension),
      ['visual_quality', 'dynamic_degree', 'text_alignment'],
    );
    close(s.questions[0]!.score, 0.75); // certain 4
    close(s.questions[1]!.score, 0.3125);
    close(s.questions[2]!.score, 0.5);
    assert.equal(s.questions[1]!.reason, 'the dog walks backwards mid-clip');
    assert.equal(s.questions[1]!.answer, 'No');
    close(s.overall, 0.625);
    assert.ok(s.mos.ok && s.mos.rating.source === 'logprobs');
  });

  it('falls back to the reasoning when an attribution is missing, and has no overall without a MOS', () => {
    const s = scoreQSaveCompletion(
      completionFrom(tokensOf('<think>Looks fine.</think>\nvisual quality: 5\ndynamic quality: 5\ntext-video alignment: 5')),
    );
    assert.equal(s.questions[0]!.reason, 'Looks fine.');
    assert.equal(s.overall, null);
    assert.ok(!s.mos.ok);
  });
});
