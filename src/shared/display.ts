// What the panels display: the model's answers with the user's overrides applied, and the
// dimension / overall scores recomputed from them. The maths is the engine's (pure, no Node APIs),
// so the numbers in the panel are the ones the CLI and the exported results would give.
import { DIMENSIONS, type AnsweredQuestion, type Dimension, type Labels, type Result } from '../core/types';
import { applyOverrides, scoreDimensions, type DisplayedQuestion, type ScoredDimensions } from '../core/scoring/finger';

export type { DisplayedQuestion } from '../core/scoring/finger';
export { questionKey } from '../core/scoring/finger';

export type Weights = Partial<Record<Dimension, number>>;

export interface DisplayedResult extends ScoredDimensions {
  questions: DisplayedQuestion[];
  /** How many questions carry a human override. */
  overriddenCount: number;
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
 *  dimension / overall scores recomputed with those answers. */
export function applyOverridesToResult(
  result: Result,
  labels: Pick<Labels, 'overrides'> | null | undefined,
  weights?: Weights,
): DisplayedResult {
  return displayQuestions(result.questions, labels, effectiveWeights(result, weights));
}
