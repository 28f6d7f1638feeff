// FingER scores (Chen et al. 2025, Eq. 1–4; docs/ARCHITECTURE.md, "The FingER method") and the human
// overrides on top of them. Pure functions with no Node or VS Code APIs: the engine scores results
// with them, and the extension computes what the panels display with the same code, so the numbers
// shown are the ones the CLI and the exported results give.
import { DIMENSIONS, type Dimension } from './model';
import type { AnsweredQuestion, DimensionScore, Labels, Polarity } from './schemas';

/** Eq. 2: the entity-level score of one question: pYes when "Yes" is good, pNo otherwise. */
export function entityScore(polarity: Polarity, pYes: number): number {
  return polarity === 'positive' ? pYes : 1 - pYes;
}

export interface ScoredDimensions {
  dimensions: Partial<Record<Dimension, DimensionScore>>;
  overall: number | null;
}

/**
 * Eq. 3 and 4. Per dimension: `sum` = Σ scores of answered questions, `score` = sum / count.
 * Overall: Σ w_d·score_d / Σ w_d over dimensions that have answered questions (weights default
 * to 1; a weight of 0 leaves a dimension out of the overall but keeps its own score).
 * Questions with `score: null` (failed) do not count.
 */
export function scoreDimensions(
  questions: readonly Pick<AnsweredQuestion, 'dimension' | 'score'>[],
  weights: Partial<Record<Dimension, number>> = {},
): ScoredDimensions {
  const dimensions: Partial<Record<Dimension, DimensionScore>> = {};
  for (const dimension of DIMENSIONS) {
    const asked = questions.filter((q) => q.dimension === dimension);
    if (asked.length === 0) continue;
    const answered = asked.filter((q): q is typeof q & { score: number } => q.score !== null);
    const sum = answered.reduce((s, q) => s + q.score, 0);
    dimensions[dimension] = {
      score: answered.length > 0 ? clampUnit(sum / answered.length) : null,
      sum,
      count: answered.length,
      weight: weightOf(weights, dimension),
    };
  }
  let weighted = 0;
  let totalWeight = 0;
  for (const d of Object.values(dimensions)) {
    if (d.score === null || d.weight <= 0) continue;
    weighted += d.weight * d.score;
    totalWeight += d.weight;
  }
  return { dimensions, overall: totalWeight > 0 ? clampUnit(weighted / totalWeight) : null };
}

function weightOf(weights: Partial<Record<Dimension, number>>, d: Dimension): number {
  const w = weights[d];
  return w === undefined || !Number.isFinite(w) || w < 0 ? 1 : w;
}

/** Floating-point sums can land a hair outside [0, 1]; results are validated against that range. */
function clampUnit(x: number): number {
  return Math.min(1, Math.max(0, x));
}

export type DisplayedQuestion = AnsweredQuestion & {
  /** Set when a human override replaced the model's answer. */
  overridden?: { answer: 'Yes' | 'No'; note?: string; modelAnswer: 'Yes' | 'No' | null; modelScore: number | null };
};

/** Normalised question text, so an override still applies after questions are regenerated with
 *  new ids but the same wording. */
export function questionKey(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Human corrections on top of the model's answers: an overridden question counts as certain
 * (pYes 1 or 0) in the displayed scores. Matched by question text first, then by id.
 */
export function applyOverrides(
  questions: readonly AnsweredQuestion[],
  labels: Pick<Labels, 'overrides'> | null | undefined,
): DisplayedQuestion[] {
  if (!labels || labels.overrides.length === 0) return questions.map((q) => ({ ...q }));
  const byText = new Map(labels.overrides.map((o) => [questionKey(o.questionText), o]));
  const byId = new Map(labels.overrides.map((o) => [o.questionId, o]));
  return questions.map((q) => {
    const o = byText.get(questionKey(q.text)) ?? byId.get(q.id);
    if (!o) return { ...q };
    const pYes = o.answer === 'Yes' ? 1 : 0;
    return {
      ...q,
      answer: o.answer,
      pYes,
      pNo: 1 - pYes,
      score: entityScore(q.polarity, pYes),
      error: null,
      overridden: { answer: o.answer, note: o.note, modelAnswer: q.answer, modelScore: q.score },
    };
  });
}

/** What the user asked for: set (`answer`) or remove (`answer: null`) the override of one question. */
export interface OverrideChange {
  questionId: string;
  questionText: string;
  answer: 'Yes' | 'No' | null;
  note?: string;
}

/**
 * `labels` with one override added, replaced or removed. An earlier override of the same question
 * (same normalised text, or same id) is replaced, so a question never carries two. `video` names
 * the labels' video when there were no labels yet (workspace-relative).
 */
export function applyOverride(labels: Labels | null, change: OverrideChange, video: string, now = new Date()): Labels {
  const base: Labels = labels ?? { version: 1, video, overrides: [] };
  const key = questionKey(change.questionText);
  const overrides = base.overrides.filter((o) => questionKey(o.questionText) !== key && o.questionId !== change.questionId);
  if (change.answer !== null) {
    overrides.push({
      questionId: change.questionId,
      questionText: change.questionText,
      answer: change.answer,
      ...(change.note ? { note: change.note } : {}),
      updatedAt: now.toISOString(),
    });
  }
  return { ...base, overrides };
}
