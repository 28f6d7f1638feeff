// What the panels and the prompt-file annotations display: the model's answers with the user's
// overrides applied, and the dimension / overall scores recomputed from them with the weights from
// settings. The extension computes it once per change (ResultsIndex) and sends it to the webviews,
// which only render it.
import { DIMENSIONS, type Weights } from './model';
import type { AnsweredQuestion, Labels, Result } from './schemas';
import { applyOverrides, scoreDimensions, type DisplayedQuestion, type ScoredDimensions } from './scoring';

export type { DisplayedQuestion } from './scoring';
export type { Weights } from './model';

export interface DisplayedResult extends ScoredDimensions {
  questions: DisplayedQuestion[];
  /** How many questions carry a human override. */
  overriddenCount: number;
}

/** What a video with no result displays. */
export const NOTHING_DISPLAYED: DisplayedResult = { questions: [], dimensions: {}, overall: null, overriddenCount: 0 };

/** Who scored a result, when and how: the header line above its scores in both panels. */
export function resultHeader(result: Result): {
  protocol: Result['protocol'];
  model: string;
  createdAt: string;
  sampling: Result['sampling'];
} {
  return { protocol: result.protocol, model: result.endpoint.model, createdAt: result.createdAt, sampling: result.sampling };
}

/** Weights to score with: explicit settings first, then the ones stored in the result. */
export function effectiveWeights(result: Pick<Result, 'dimensions'> | null, weights?: Weights): Weights {
  const out: Weights = {};
  for (const d of DIMENSIONS) {
    const w = weights?.[d] ?? result?.dimensions[d]?.weight;
    if (w !== undefined) out[d] = w;
  }
  return out;
}

/** Overrides applied to a list of questions (a result's, or the rows of a score in progress). */
export function displayQuestions(
  questions: readonly AnsweredQuestion[],
  labels: Pick<Labels, 'overrides'> | null | undefined,
  weights: Weights,
): DisplayedResult {
  const displayed = applyOverrides(questions, labels);
  const scored = scoreDimensions(displayed, weights);
  return { ...scored, questions: displayed, overriddenCount: displayed.filter((q) => q.overridden).length };
}

/** A result as displayed: overrides applied, each overridden question marked (`overridden`), and
 *  dimension / overall scores recomputed with those answers. Another protocol's overall is its
 *  paper's (Q-Save's is its MOS, not the mean of the dimensions): shown as saved while no answer is
 *  overridden, recomputed once one is. */
export function applyOverridesToResult(
  result: Result,
  labels: Pick<Labels, 'overrides'> | null | undefined,
  weights?: Weights,
): DisplayedResult {
  const shown = displayQuestions(result.questions, labels, effectiveWeights(result, weights));
  return result.protocol !== 'finger' && shown.overriddenCount === 0 ? { ...shown, overall: result.overall } : shown;
}
