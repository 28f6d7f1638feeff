import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import {
  VIDEOSCORE2_FIELDS,
  buildVideoScore2Query,
  buildVideoScore2Request,
  parseVideoScore2Reply,
  scoreVideoScore2Completion,
} from '../../../src/core/protocols/videoscore2';
import { scoreDimensions } from '../../../src/core/scoring/finger';
import { completionFrom, tokensOf } from '../../helpers/completion';
import { assertClose as close } from '../../helpers/assert';

// The reply format of the released model (data/data_rl.py in TIGER-AI-Lab/VideoScore2).
const RL_REPLY = [
  '<think>',
  'The kitten is blurry when it moves; the room is missing; its legs warp between frames.',
  '</think>',
  '',
  '(1) visual quality: 3',
  '(2) text-to-video alignment: 2',
  '(3) physical/common-sense consistency: 4',
].join('\n');

describe('VideoScore2 query', () => {
  it('names the three dimensions, the prompt and the exact output labels', () => {
    const q = buildVideoScore2Query('  A kitten chases a string  ');
    assert.match(q, /Video prompt: A kitten chases a string\n/);
    assert.match(q, /visual quality: <v_score>/);
    assert.match(q, /text-to-video alignment: <t_score>/);
    assert.match(q, /physical\/common-sense consistency: <p_score>/);
    assert.match(q, /1 \(bad\) to 5/);
  });

  it('orders system text, then the video, then the query last, and asks for logprobs', () => {
    const video = [{ type: 'video_url', video_url: { url: 'data:video/jpeg;base64,AAAA' } }] as unknown as ChatCompletionContentPart[];
    const req = buildVideoScore2Request({ videoContent: video, prompt: 'a cat', temperature: 0 });
    assert.equal(req.messages.length, 2);
    assert.equal(req.messages[0]!.role, 'system');
    const user = req.messages[1]!;
    assert.equal(user.role, 'user');
    const parts = user.content as ChatCompletionContentPart[];
    assert.equal(parts.length, 2);
    assert.equal((parts[0] as unknown as { type: string }).type, 'video_url');
    assert.equal(parts[1]!.type, 'text');
    assert.match((parts[1] as { text: string }).text, /Video prompt: a cat/);
    assert.equal(req.logprobs, true);
    assert.ok((req.top_logprobs ?? 0) >= 5 && (req.top_logprobs ?? 0) <= 20);
    assert.equal(req.temperature, 0);
  });
});

describe('parseVideoScore2Reply', () => {
  it('reads the released model format and the reasoning inside <think>', () => {
    const p = parseVideoScore2Reply(RL_REPLY);
    assert.equal(p.ratings.visual?.value, 3);
    assert.equal(p.ratings.t2v?.value, 2);
    assert.equal(p.ratings.physical?.value, 4);
    assert.equal(p.rationale, 'The kitten is blurry when it moves; the room is missing; its legs warp between frames.');
  });

  it('reads the one-line inference format; the rationale is what precedes the verdict', () => {
    const p = parseVideoScore2Reply(
      'Sharp frames, but no umbrella.\nvisual quality: 4; text-to-video alignment: 2, physical/common-sense consistency: 5',
    );
    assert.deepEqual([p.ratings.visual?.value, p.ratings.t2v?.value, p.ratings.physical?.value], [4, 2, 5]);
    assert.equal(p.rationale, 'Sharp frames, but no umbrella.');
  });

  it('tolerates drift: markdown, other label spellings, the SFT "### Score" layout', () => {
    const p = parseVideoScore2Reply(
      '### Thinking Process:\nHands look fine.\n\n### Score:\n**Visual Quality:** 5\n**Text Alignment**: 3\n**Physical Consistency** - 1\n**Physical consistency:** 2',
    );
    assert.deepEqual([p.ratings.visual?.value, p.ratings.t2v?.value, p.ratings.physical?.value], [5, 3, 2]);
    assert.equal(p.rationale, 'Hands look fine.');
  });

  it('takes the verdict, not a score mentioned in the reasoning', () => {
    const p = parseVideoScore2Reply(
      '<think>At first I thought visual quality: 2.</think>\nvisual quality: 4\ntext-to-video alignment: 4\nphysical consistency: 4',
    );
    assert.equal(p.ratings.visual?.value, 4);
  });
});

describe('scoreVideoScore2Completion', () => {
  it('maps the three ratings onto our dimensions, with expected-value soft scores on request', () => {
    // visual: P(3) .5, P(4) .5 → 3.5 → (3.5−1)/4 = 0.625
    // t2v: P(2) .8, P(1) .1, P(3) .05, "two" .05 (not a digit) → renormalised over .95:
    //      (2·.8 + 1·.1 + 3·.05)/.95 = 1.85/.95 → ((1.85/.95) − 1)/4
    // physical: P(4) 1 → 4 → 0.75
    const completion = completionFrom(
      tokensOf(
        '<think>Blurry kitten.</think>\n(1) visual quality: {{0}}\n(2) text-to-video alignment: {{1}}\n(3) physical/common-sense consistency: {{2}}',
        [
          { token: '3', top: { '3': 0.5, '4': 0.5 } },
          { token: '2', top: { '2': 0.8, '1': 0.1, '3': 0.05, two: 0.05 } },
          { token: '4', top: { '4': 1 } },
        ],
      ),
    );
    const { questions } = scoreVideoScore2Completion(completion, { softScore: 'expected' });
    assert.deepEqual(
      questions.map((q) => q.dimension),
      ['visual_quality', 'text_alignment', 'factual_consistency'],
    );
    close(questions[0]!.score, 0.625);
    close(questions[1]!.score, (1.85 / 0.95 - 1) / 4, 1e-9);
    close(questions[2]!.score, 0.75);
    assert.ok(questions.every((q) => q.probabilitySource === 'logprobs' && q.reason === 'Blurry kitten.' && q.error === null));
    assert.deepEqual(
      questions.map((q) => q.answer),
      ['Yes', 'No', 'Yes'],
    );
    // The result's overall is the mean of the three (equal weights).
    const { overall } = scoreDimensions(questions);
    close(overall, (0.625 + (1.85 / 0.95 - 1) / 4 + 0.75) / 3, 1e-9);
  });

  it("scores by default as VideoScore2's vs2_inference.py: best rating × its probability renormalised over 1–5", () => {
    // ll_based_soft_score_normed: best = the digit with the largest probability (the first in 1…5
    // on a tie), normalized_prob = max_prob / Σ probs of 1…5, soft = best · normalized_prob.
    // visual: 3 .6, 4 .4 → 3 · .6 / 1 = 1.8 → (1.8 − 1)/4 = 0.2
    // t2v: 2 .45, 5 .45, "two" .1 → tie: 2 (first) · .45 / .9 = 1 → 0
    // physical: 4 .5, 3 .3, 5 .1, " the" .1 → 4 · .5 / .9 = 2.2222… → (20/9 − 1)/4
    const completion = completionFrom(
      tokensOf('visual quality: {{0}}\ntext-to-video alignment: {{1}}\nphysical consistency: {{2}}', [
        { token: '3', top: { '3': 0.6, '4': 0.4 } },
        { token: '5', top: { '5': 0.45, '2': 0.45, two: 0.1 } },
        { token: '4', top: { '4': 0.5, '3': 0.3, '5': 0.1, ' the': 0.1 } },
      ]),
    );
    const { questions } = scoreVideoScore2Completion(completion);
    close(questions[0]!.score, 0.2, 1e-12);
    close(questions[1]!.score, 0, 1e-12);
    close(questions[2]!.score, (20 / 9 - 1) / 4, 1e-12);
    assert.ok(questions.every((q) => q.probabilitySource === 'logprobs'));
  });

  it('falls back to the written digits without logprobs', () => {
    const completion = completionFrom(tokensOf(RL_REPLY), { logprobs: false });
    const { questions } = scoreVideoScore2Completion(completion);
    assert.deepEqual(
      questions.map((q) => q.score),
      [0.5, 0.25, 0.75],
    );
    assert.ok(questions.every((q) => q.probabilitySource === 'sampled'));
  });

  it('records a missing dimension as failed and keeps the others', () => {
    const completion = completionFrom(tokensOf('visual quality: 5\ntext-to-video alignment: 1'));
    const { questions } = scoreVideoScore2Completion(completion);
    assert.equal(questions[2]!.score, null);
    assert.match(questions[2]!.error!, /no rating/);
    const { dimensions, overall } = scoreDimensions(questions);
    assert.equal(dimensions.factual_consistency?.count, 0);
    close(overall, (1 + 0) / 2);
  });

  it('fails every dimension for a reply without ratings', () => {
    const { questions } = scoreVideoScore2Completion(completionFrom(['I cannot see the video.']));
    assert.equal(questions.length, VIDEOSCORE2_FIELDS.length);
    assert.ok(questions.every((q) => q.score === null && q.error !== null));
  });
});
