import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  findLastRating,
  normaliseRating,
  ratedQuestion,
  ratingDigit,
  ratingDistribution,
  readRating,
  softRating,
  tokenAt,
  tokenText,
} from '../../../src/core/protocols/scores';
import { assertClose as close } from '../../helpers/assert';

const label = String.raw`visual[\s_-]*quality`;

describe('findLastRating', () => {
  it('reads the format and the usual drift', () => {
    for (const [text, value] of [
      ['visual quality: 4', 4],
      ['(1) visual quality: 3\n', 3],
      ['**Visual Quality**: 5', 5],
      ['**Visual quality:** 2', 2],
      ['Visual_Quality = 1', 1],
      ['visual quality score: 4/5', 4],
      ['visual quality (1-5): 3', 3],
      ['visual quality：4', 4],
      ['visual quality 4', 4],
    ] as const) {
      assert.equal(findLastRating(text, label)?.value, value, text);
    }
  });

  it('returns the last rating, and its offset points at the digit', () => {
    const text = 'visual quality: 2 at first sight\n</think>\nvisual quality: 4';
    const m = findLastRating(text, label)!;
    assert.equal(m.value, 4);
    assert.equal(text[m.index], '4');
    assert.equal(m.index, text.length - 1);
  });

  it('marks decimals, and finds nothing without a number', () => {
    assert.deepEqual(findLastRating('visual quality: 3.5', label), { value: 3.5, index: 16, integer: false });
    assert.equal(findLastRating('visual quality: <v_score>', label), null);
    assert.equal(findLastRating('The visual quality is fine overall.', label), null);
    assert.equal(findLastRating('audiovisual quality: 3', label), null, 'the label must start at a word');
  });
});

describe('digit tokens and their distribution', () => {
  it('ratingDigit accepts spellings of 1–5 only', () => {
    assert.equal(ratingDigit('4'), 4);
    assert.equal(ratingDigit(' 4'), 4);
    assert.equal(ratingDigit('**4'), 4);
    assert.equal(ratingDigit('4.'), 4);
    assert.equal(ratingDigit(':1'), 1);
    assert.equal(ratingDigit('6'), null);
    assert.equal(ratingDigit('0'), null);
    assert.equal(ratingDigit('45'), null);
    assert.equal(ratingDigit('four'), null);
  });

  it('sums spellings of a digit, counts the sampled token once, renormalises over digits', () => {
    // sampled "4" (p .6), alternatives "3" .3, " 4" .05, "the" .05 → mass(4) = .65, mass(3) = .3
    const position = {
      token: '4',
      logprob: Math.log(0.6),
      top_logprobs: [
        { token: '4', logprob: Math.log(0.6) },
        { token: '3', logprob: Math.log(0.3) },
        { token: ' 4', logprob: Math.log(0.05) },
        { token: 'the', logprob: Math.log(0.05) },
      ],
    };
    const d = ratingDistribution(position)!;
    close(d.get(4)!, 0.65 / 0.95);
    close(d.get(3)!, 0.3 / 0.95);
    assert.equal(d.has(5), false);
    // expected value: (4·.65 + 3·.3)/.95 = 3.5/.95
    close(softRating(d), 3.5 / 0.95);
    // VideoScore2's released rule: best digit × its normalised probability = 4 · .65/.95
    close(softRating(d, 'vs2-normed'), (4 * 0.65) / 0.95);
  });

  it('includes the sampled token when top_logprobs leaves it out', () => {
    const d = ratingDistribution({ token: '2', logprob: Math.log(0.2), top_logprobs: [{ token: '3', logprob: Math.log(0.8) }] })!;
    close(d.get(2)!, 0.2);
    close(d.get(3)!, 0.8);
  });

  it('is null when no alternative is a digit', () => {
    assert.equal(ratingDistribution({ token: 'good', logprob: 0, top_logprobs: [{ token: 'good', logprob: 0 }] }), null);
  });

  it('the expected rating lies within the digits that carry mass, and a point mass gives its digit', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), (ps) => {
        const top = ps.map((p, i) => ({ token: String(i + 1), logprob: Math.log(p) }));
        const d = ratingDistribution({ token: '1', logprob: Math.log(ps[0]!), top_logprobs: top })!;
        const total = ps.reduce((s, p) => s + p, 0);
        const expected = ps.reduce((s, p, i) => s + (i + 1) * p, 0) / total;
        close(softRating(d), expected, 1e-9);
        assert.ok(softRating(d) >= 1 && softRating(d) <= 5);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), (digit) => {
        const d = ratingDistribution({
          token: String(digit),
          logprob: 0,
          top_logprobs: [
            { token: String(digit), logprob: 0 },
            { token: 'x', logprob: -3 },
          ],
        })!;
        assert.equal(softRating(d), digit);
      }),
    );
  });
});

describe('normaliseRating', () => {
  it('maps 1–5 linearly onto [0, 1] and clamps', () => {
    assert.equal(normaliseRating(1), 0);
    assert.equal(normaliseRating(3), 0.5);
    assert.equal(normaliseRating(5), 1);
    assert.equal(normaliseRating(4), 0.75);
    assert.equal(normaliseRating(0.4), 0);
  });
});

describe('token positions', () => {
  it('tokenAt finds the token covering an offset', () => {
    const tokens = [
      { token: 'ab', logprob: 0 },
      { token: ' c', logprob: 0 },
      { token: '4', logprob: 0 },
    ];
    const { text, starts } = tokenText(tokens);
    assert.equal(text, 'ab c4');
    assert.deepEqual(starts, [0, 2, 4]);
    assert.equal(tokenAt(starts, tokens, 0), 0);
    assert.equal(tokenAt(starts, tokens, 3), 1);
    assert.equal(tokenAt(starts, tokens, 4), 2);
    assert.equal(tokenAt(starts, tokens, 5), -1);
  });
});

describe('readRating', () => {
  const match = { value: 4, index: 0, integer: true };
  const tokens = (token: string) => ({
    list: [
      {
        token,
        logprob: Math.log(0.5),
        top_logprobs: [
          { token, logprob: Math.log(0.5) },
          { token: '5', logprob: Math.log(0.5) },
        ],
      },
    ],
    starts: [0],
    match,
  });

  it('uses the digit logprobs when the digit is its own token', () => {
    const r = readRating(match, tokens('4'), 'expected');
    assert.ok(r.ok);
    assert.equal(r.rating.source, 'logprobs');
    close(r.rating.rating, 4.5); // (4·.5 + 5·.5)
    assert.equal(r.rating.sampled, 4);
    assert.deepEqual(r.rating.distribution, { '1': 0, '2': 0, '3': 0, '4': 0.5, '5': 0.5 });
  });

  it('falls back to the sampled rating without logprobs, for decimals, or when the token is not the digit', () => {
    const none = readRating(match, null, 'expected');
    assert.ok(none.ok && none.rating.source === 'sampled' && none.rating.rating === 4);
    const decimal = readRating({ value: 3.5, index: 0, integer: false }, tokens('3'), 'expected');
    assert.ok(decimal.ok && decimal.rating.source === 'sampled' && decimal.rating.rating === 3.5);
    const glued = readRating(match, tokens('x4'), 'expected');
    assert.ok(glued.ok && glued.rating.source === 'sampled');
    const otherValue = readRating(match, { ...tokens('4'), match: { value: 3, index: 0, integer: true } }, 'expected');
    assert.ok(otherValue.ok && otherValue.rating.source === 'sampled');
  });

  it('fails for a missing or out-of-range rating', () => {
    const missing = readRating(null, null, 'expected');
    assert.ok(!missing.ok && /no rating/.test(missing.error));
    const high = readRating({ value: 8, index: 0, integer: true }, null, 'expected');
    assert.ok(!high.ok && /outside 1–5/.test(high.error));
  });
});

describe('ratedQuestion', () => {
  const d = { id: 'p.visual_quality', dimension: 'visual_quality' as const, text: 'Visual quality (1–5)' };

  it('puts the normalised rating in score and pYes, with a pass/fail answer at 0.5', () => {
    const q = ratedQuestion(d, { ok: true, rating: { sampled: 4, rating: 3.8, source: 'logprobs' } }, 'sharp');
    close(q.score!, 0.7); // (3.8 − 1)/4
    close(q.pYes!, 0.7);
    close(q.pNo!, 0.3);
    assert.equal(q.answer, 'Yes');
    assert.equal(q.reason, 'sharp');
    assert.equal(q.probabilitySource, 'logprobs');
    assert.equal(q.polarity, 'positive');
    assert.equal(q.error, null);
    const low = ratedQuestion(d, { ok: true, rating: { sampled: 2, rating: 2.9, source: 'sampled' } }, null);
    assert.equal(low.answer, 'No'); // (2.9 − 1)/4 = 0.475
  });

  it('records a failure like a failed FingER question', () => {
    const q = ratedQuestion(d, { ok: false, error: 'the reply has no rating for it' }, null);
    assert.equal(q.answer, null);
    assert.equal(q.score, null);
    assert.equal(q.error, 'the reply has no rating for it');
  });
});

describe('findLastRating on hostile output', () => {
  it('stays linear on long runs of spaces and emphasis after a label', () => {
    // A backtracking pattern takes seconds at a few hundred spaces; this must finish at 200 000.
    const text = `${'visual quality' + ' '.repeat(200_000) + '*'.repeat(1000) + 'x\n'}visual quality:\n4`;
    assert.equal(findLastRating(text, label)?.value, 4);
  });

  it('does not take a number on the next line without a separator, or one glued to the label', () => {
    assert.equal(findLastRating('visual quality\n4', label), null);
    assert.equal(findLastRating('visual quality4', label), null);
  });
});
