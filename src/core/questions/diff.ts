// What changed between two question sets, for live template edits: the extension shows the
// difference and re-asks only new or changed questions.
//
// Matching, each question used at most once:
//   1. same dimension, entity and normalised text → unchanged when the exact text and polarity
//      are equal too (ids may differ: they are positions), else changed;
//   2. then the same id and dimension → changed (the question was reworded in place);
//   3. the rest of `after` is added, the rest of `before` removed.
import type { Question, QuestionSet } from '../types';
import { normaliseEntityName, normaliseQuestionText } from './text';

export interface QuestionSetDiff {
  added: Question[];
  removed: Question[];
  changed: { before: Question; after: Question }[];
  unchanged: Question[];
}

const keyOf = (q: Question) => `${q.dimension}\0${normaliseEntityName(q.entity)}\0${normaliseQuestionText(q.text)}`;

export function diffQuestionSets(before: QuestionSet | undefined, after: QuestionSet): QuestionSetDiff {
  const diff: QuestionSetDiff = { added: [], removed: [], changed: [], unchanged: [] };
  const unmatched = new Set<Question>(before?.questions ?? []);
  const byKey = new Map<string, Question[]>();
  for (const q of unmatched) {
    const list = byKey.get(keyOf(q)) ?? [];
    list.push(q);
    byKey.set(keyOf(q), list);
  }

  const pending: Question[] = [];
  const matched = new Map<Question, { before: Question; same: boolean }>();
  for (const q of after.questions) {
    const candidates = byKey.get(keyOf(q)) ?? [];
    // Prefer the candidate with the same id, so reordering keeps pairs stable.
    const index = Math.max(
      0,
      candidates.findIndex((c) => c.id === q.id),
    );
    const previous = candidates.splice(index, 1)[0];
    if (!previous) {
      pending.push(q);
      continue;
    }
    unmatched.delete(previous);
    matched.set(q, { before: previous, same: previous.text.trim() === q.text.trim() && previous.polarity === q.polarity });
  }
  for (const q of pending) {
    const previous = [...unmatched].find((p) => p.id === q.id && p.dimension === q.dimension);
    if (!previous) continue;
    unmatched.delete(previous);
    matched.set(q, { before: previous, same: false });
  }

  for (const q of after.questions) {
    const m = matched.get(q);
    if (!m) diff.added.push(q);
    else if (m.same) diff.unchanged.push(q);
    else diff.changed.push({ before: m.before, after: q });
  }
  diff.removed = (before?.questions ?? []).filter((q) => unmatched.has(q));
  return diff;
}
