import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOverrides, entityScore, scoreDimensions } from '../../../src/core/scoring/finger';
import type { AnsweredQuestion, Dimension, Polarity } from '../../../src/core/types';

function q(id: string, dimension: Dimension, polarity: Polarity, pYes: number | null, text = `question ${id}?`): AnsweredQuestion {
  const failed = pYes === null;
  return {
    id,
    dimension,
    entity: 'chef',
    text,
    polarity,
    answer: failed ? null : pYes >= 0.5 ? 'Yes' : 'No',
    reason: failed ? null : 'because',
    pYes,
    pNo: failed ? null : 1 - pYes,
    score: failed ? null : entityScore(polarity, pYes),
    probabilitySource: failed ? null : 'logprobs',
    error: failed ? 'HTTP 500' : null,
  };
}

describe('FingER scores (Eq. 2–4)', () => {
  it('entity score is pYes for positive and pNo for negative questions', () => {
    assert.equal(entityScore('positive', 0.8), 0.8);
    assert.ok(Math.abs(entityScore('negative', 0.8) - 0.2) < 1e-12);
  });

  it('dimension sum, count and mean match hand-computed values', () => {
    // visual_quality: 0.9 (pos) + (1 - 0.3) (neg) = 1.6 over 2 → 0.8
    // text_alignment: 0.25 → 0.25
    const questions = [
      q('q1', 'visual_quality', 'positive', 0.9),
      q('q2', 'visual_quality', 'negative', 0.3),
      q('q3', 'text_alignment', 'positive', 0.25),
    ];
    const { dimensions, overall } = scoreDimensions(questions);
    assert.ok(Math.abs(dimensions.visual_quality!.sum - 1.6) < 1e-12);
    assert.equal(dimensions.visual_quality!.count, 2);
    assert.ok(Math.abs(dimensions.visual_quality!.score! - 0.8) < 1e-12);
    assert.equal(dimensions.text_alignment!.score, 0.25);
    assert.equal(dimensions.dynamic_degree, undefined, 'dimensions without questions are absent');
    // equal weights: (0.8 + 0.25) / 2
    assert.ok(Math.abs(overall! - 0.525) < 1e-12);
  });

  it('weights are normalised over the dimensions that have questions', () => {
    const questions = [q('q1', 'visual_quality', 'positive', 1), q('q2', 'text_alignment', 'positive', 0.4)];
    const { overall, dimensions } = scoreDimensions(questions, { visual_quality: 3, text_alignment: 1, dynamic_degree: 5 });
    // (3·1 + 1·0.4) / (3 + 1); dynamic_degree has no questions and does not dilute the overall
    assert.ok(Math.abs(overall! - 3.4 / 4) < 1e-12);
    assert.equal(dimensions.visual_quality!.weight, 3);
  });

  it('a weight of 0 keeps the dimension score but leaves it out of the overall', () => {
    const { overall, dimensions } = scoreDimensions([q('q1', 'visual_quality', 'positive', 1), q('q2', 'text_alignment', 'positive', 0)], {
      text_alignment: 0,
    });
    assert.equal(dimensions.text_alignment!.score, 0);
    assert.equal(overall, 1);
  });

  it('failed questions do not count; a dimension with only failures has score null', () => {
    const questions = [
      q('q1', 'visual_quality', 'positive', 0.6),
      q('q2', 'visual_quality', 'positive', null),
      q('q3', 'dynamic_degree', 'positive', null),
    ];
    const { dimensions, overall } = scoreDimensions(questions);
    assert.equal(dimensions.visual_quality!.count, 1);
    assert.equal(dimensions.visual_quality!.score, 0.6);
    assert.equal(dimensions.dynamic_degree!.score, null);
    assert.equal(dimensions.dynamic_degree!.count, 0);
    assert.equal(overall, 0.6);
  });

  it('no answered question at all gives overall null', () => {
    assert.equal(scoreDimensions([q('q1', 'visual_quality', 'positive', null)]).overall, null);
    assert.equal(scoreDimensions([]).overall, null);
  });
});

describe('human overrides', () => {
  const questions = [
    q('q1', 'visual_quality', 'positive', 0.2, 'Are the hands correct?'),
    q('q2', 'factual_consistency', 'negative', 0.9, 'Does the cup pass through the table?'),
  ];

  it('replace the answer, count as certain, and keep what the model said', () => {
    const shown = applyOverrides(questions, {
      overrides: [
        {
          questionId: 'other-id',
          questionText: '  are the HANDS correct? ',
          answer: 'Yes',
          note: 'looked again',
          updatedAt: '2026-01-01T00:00:00Z',
        },
      ],
    });
    assert.equal(shown[0]!.answer, 'Yes');
    assert.equal(shown[0]!.score, 1);
    assert.deepEqual(shown[0]!.overridden, { answer: 'Yes', note: 'looked again', modelAnswer: 'No', modelScore: 0.2 });
    assert.equal(shown[1]!.overridden, undefined);
    const { dimensions } = scoreDimensions(shown);
    assert.equal(dimensions.visual_quality!.score, 1);
  });

  it('on a negative question, "No" overrides to a score of 1', () => {
    const shown = applyOverrides(questions, { overrides: [{ questionId: 'q2', questionText: 'reworded', answer: 'No', updatedAt: 'x' }] });
    assert.equal(shown[1]!.score, 1);
    assert.equal(shown[1]!.pYes, 0);
  });
});
