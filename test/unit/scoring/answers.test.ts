// answered() and unanswered(): the only builders of an AnsweredQuestion, so its fields agree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { answered, unanswered } from '../../../src/core/scoring/answers';
import { AnsweredQuestionSchema, type Question } from '../../../src/core/types';

const question = (polarity: Question['polarity']): Question => ({
  id: 'q1',
  dimension: 'visual_quality',
  entity: 'chef',
  text: 'Are the hands correct?',
  polarity,
});

describe('answered / unanswered', () => {
  it('answered: pNo is 1 − pYes and the score follows the polarity (pYes when positive, pNo when negative)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom<Question['polarity']>('positive', 'negative'),
        (pYes, polarity) => {
          const a = answered(question(polarity), { answer: pYes >= 0.5 ? 'Yes' : 'No', reason: 'r', pYes, probabilitySource: 'logprobs' });
          assert.equal(a.pNo, 1 - pYes);
          assert.equal(a.score, polarity === 'positive' ? pYes : 1 - pYes);
          assert.equal(a.error, null);
          assert.ok(AnsweredQuestionSchema.safeParse(a).success);
        },
      ),
    );
  });

  it('unanswered: no answer, probability or score; the error, and what the model said if anything', () => {
    const q = question('negative');
    const u = unanswered(q, 'HTTP 500', 'I could not see it');
    assert.deepEqual(u, {
      ...q,
      answer: null,
      reason: 'I could not see it',
      pYes: null,
      pNo: null,
      score: null,
      probabilitySource: null,
      error: 'HTTP 500',
    });
    assert.equal(unanswered(q, 'timeout').reason, null);
    assert.ok(AnsweredQuestionSchema.safeParse(u).success);
  });
});
