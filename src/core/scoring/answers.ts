// The two ways a question leaves the judge: answered, with the answer's probability and the score
// it gives (Eq. 1–2), or unanswered, with the error that says why. Every place that builds an
// AnsweredQuestion goes through these two, so the fields cannot drift apart (pNo is always
// 1 − pYes, the score always follows the polarity, a failure never carries a stale probability).
import type { Answer, AnsweredQuestion, ProbabilitySource, Question } from '../types';
import { entityScore } from './finger';

export interface JudgeAnswer {
  answer: Answer;
  /** The judge's reason (null in fast mode, or when the reply gave none). */
  reason: string | null;
  /** P(Yes) in [0, 1]; pNo and the score follow from it. */
  pYes: number;
  probabilitySource: ProbabilitySource;
}

/** `question` answered: pNo = 1 − pYes, score = pYes for a positive question, pNo for a negative one. */
export function answered(question: Question, a: JudgeAnswer): AnsweredQuestion {
  return {
    ...question,
    answer: a.answer,
    reason: a.reason,
    pYes: a.pYes,
    pNo: 1 - a.pYes,
    score: entityScore(question.polarity, a.pYes),
    probabilitySource: a.probabilitySource,
    error: null,
  };
}

/** `question` not answered: no answer, probability or score, and `error` says why. It does not
 *  count in its dimension. `reason` keeps what the model did say, when it said something. */
export function unanswered(question: Question, error: string, reason: string | null = null): AnsweredQuestion {
  return { ...question, answer: null, reason, pYes: null, pNo: null, score: null, probabilitySource: null, error };
}
