// Payload pieces both webview protocols carry: what a displayed result looks like, the theme kind,
// a video's frames, progress and jobs.
import * as z from 'zod';
import {
  AnsweredQuestionSchema,
  AnswerSchema,
  DimensionSchema,
  DimensionScoreSchema,
  ProtocolSchema,
  QuestionSchema,
  SamplingSchema,
} from '../schemas';

const unit = z.number().min(0).max(1);

/** The VS Code colour theme kind when the panel is created. Webviews follow later changes from the
 *  body classes VS Code sets (`vscode-light`, `vscode-dark`, `vscode-high-contrast`,
 *  `vscode-high-contrast-light`), so this is only the initial value. */
export const ThemeKindSchema = z.enum(['light', 'dark', 'high-contrast', 'high-contrast-light']);
export type ThemeKind = z.infer<typeof ThemeKindSchema>;

/** A question as displayed: the model's answer, or the user's override of it (`overridden`). */
export const DisplayedQuestionSchema = AnsweredQuestionSchema.extend({
  overridden: z
    .object({ answer: AnswerSchema, note: z.string().optional(), modelAnswer: AnswerSchema.nullable(), modelScore: unit.nullable() })
    .optional(),
});

/** Dimension and overall scores with the overrides and the weights from settings applied. */
export const DisplayedScoresSchema = z.object({
  dimensions: z.partialRecord(DimensionSchema, DimensionScoreSchema),
  overall: unit.nullable(),
  overriddenCount: z.number().int().min(0),
});
export type DisplayedScores = z.infer<typeof DisplayedScoresSchema>;

/** What the extension computed for display (src/shared/display.ts): webviews only render it. */
export const DisplayedResultSchema = DisplayedScoresSchema.extend({ questions: z.array(DisplayedQuestionSchema) });

/** Who scored a result, when and how: the header line above the scores. */
export const ResultHeaderSchema = z.object({
  protocol: ProtocolSchema,
  model: z.string(),
  createdAt: z.string(),
  sampling: SamplingSchema,
});
export type ResultHeader = z.infer<typeof ResultHeaderSchema>;

export const ProgressSchema = z.object({
  /** Pipeline phase as the engine names it (probe, frames, questions, answers, save …). */
  phase: z.string(),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
});
export type Progress = z.infer<typeof ProgressSchema>;

export const QuestionChangeSchema = z.object({ before: QuestionSchema, after: QuestionSchema });
export type QuestionChange = z.infer<typeof QuestionChangeSchema>;

export const JobSchema = z.object({
  id: z.string(),
  label: z.string(),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  phase: z.string(),
});
export type Job = z.infer<typeof JobSchema>;
