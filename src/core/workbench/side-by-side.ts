// The clips of one prompt side by side (README, "Comparing models"): their questions aligned by
// text (clips of one prompt share one question set; a question only some clips were asked is kept
// with gaps), and whether the clips' answers differ. Pure.
import { questionKey } from '../scoring/finger';
import type { AnsweredQuestion, Dimension } from '../types';
import { DIMENSIONS } from '../types';
import type { PromptGroup } from './grouping';

export interface SideBySideAnswer {
  answer: 'Yes' | 'No' | null;
  pYes: number | null;
  score: number | null;
  reason: string | null;
  error: string | null;
}

export interface SideBySideRow {
  text: string;
  dimension: Dimension;
  entity: string;
  polarity: 'positive' | 'negative';
  /** One per clip, in the order of `clips`; null when that clip was not asked this question. */
  answers: (SideBySideAnswer | null)[];
  /** The clips that answered it did not all give the same answer. */
  differs: boolean;
}

export interface SideBySide {
  promptKey: string;
  prompt: string;
  clips: { video: string; model: string; overall: number | null; dimensions: Partial<Record<Dimension, number | null>> }[];
  rows: SideBySideRow[];
}

export function sideBySide(group: PromptGroup): SideBySide {
  const rows = new Map<string, SideBySideRow>();
  group.clips.forEach((clip, ci) => {
    for (const q of clip.result.questions) {
      const key = `${q.polarity}|${questionKey(q.text)}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          text: q.text,
          dimension: q.dimension,
          entity: q.entity,
          polarity: q.polarity,
          answers: group.clips.map(() => null),
          differs: false,
        };
        rows.set(key, row);
      }
      row.answers[ci] = answerOf(q);
    }
  });
  const ordered = [...rows.values()].sort((a, b) => DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension));
  for (const row of ordered) {
    const given = new Set(row.answers.filter((a) => a !== null && a.answer !== null).map((a) => a!.answer));
    row.differs = given.size > 1;
  }
  return {
    promptKey: group.key,
    prompt: group.prompt,
    clips: group.clips.map((c) => ({
      video: c.video,
      model: c.model,
      overall: c.result.overall,
      dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, c.result.dimensions[d]?.score ?? null])),
    })),
    rows: ordered,
  };
}

function answerOf(q: AnsweredQuestion): SideBySideAnswer {
  return { answer: q.answer, pYes: q.pYes, score: q.score, reason: q.reason, error: q.error };
}
