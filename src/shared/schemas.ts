// The data FingER reads and writes: question sets, results and labels, as zod schemas so that every
// file read from disk, every model reply and every message between the extension and a webview is
// validated with a precise path in the error message. Shapes: docs/ARCHITECTURE.md, "Files in the
// workspace". Here in src/shared (not in the engine) because the webview protocols validate the same
// shapes; the engine imports them through src/core/types.ts.
import * as z from 'zod';
import { DIMENSIONS } from './model';

export const DimensionSchema = z.enum(DIMENSIONS);

/** `positive`: "Yes" means a good video. `negative`: "No" means a good video. */
export const PolaritySchema = z.enum(['positive', 'negative']);
export type Polarity = z.infer<typeof PolaritySchema>;

export const AnswerSchema = z.enum(['Yes', 'No']);
export type Answer = z.infer<typeof AnswerSchema>;

export const EntitySchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  /** What kind of thing: object, person, animal, text, scene … (free text from the model). */
  type: z.string().optional(),
  /** DSG-style facts the prompt states about this entity ("red", "slices the tomato"). */
  attributes: z.array(z.string()).optional(),
  actions: z.array(z.string()).optional(),
  relations: z.array(z.string()).optional(),
});
export type Entity = z.infer<typeof EntitySchema>;

export const QuestionSchema = z.object({
  id: z.string().min(1),
  dimension: DimensionSchema,
  entity: z.string(),
  text: z.string().trim().min(1),
  polarity: PolaritySchema,
});
export type Question = z.infer<typeof QuestionSchema>;

/** `*.questions.json`, and what `finger score --questions` takes. */
export const QuestionSetSchema = z.object({
  version: z.literal(1),
  prompt: z.string(),
  entities: z.array(EntitySchema),
  questions: z.array(QuestionSchema).min(1),
});
export type QuestionSet = z.infer<typeof QuestionSetSchema>;

// What the question model writes for one entity and one question (the *wire* form, sent as its
// `response_format`; questions/schemas.ts wraps them and validates replies more leniently). The
// in-context examples in the templates' data files are written in the same form.
export const EntityWireSchema = z.object({
  name: z.string().describe('Short noun phrase as in the prompt, e.g. "chef", "red umbrella", "street".'),
  type: z.string().describe('object, person, animal, text or scene'),
  attributes: z.array(z.string()).describe('Facts the prompt states about how it looks: colour, size, count, material, style.'),
  actions: z.array(z.string()).describe('What it does, as stated by the prompt.'),
  relations: z.array(z.string()).describe('How it relates to other entities (spatial, interaction), as stated by the prompt.'),
});
export const QuestionWireSchema = z.object({
  entity: z.string().describe('Name of the entity the question is about (as in the entity list).'),
  dimension: DimensionSchema,
  text: z.string().describe('A yes/no question about what is visible in the video.'),
  polarity: PolaritySchema.describe('positive: "Yes" means a good video; negative: "No" means a good video.'),
});
/** logprobs: the answer paths' probabilities (README, "How the scores are computed"); approximate: a
 *  path could not be read (the server refused an assistant prefill) and is estimated; sampled: no
 *  Yes/No probability at all, the written answer counts as certain. */
export const ProbabilitySourceSchema = z.enum(['logprobs', 'approximate', 'sampled']);
export type ProbabilitySource = z.infer<typeof ProbabilitySourceSchema>;

const unit = z.number().min(0).max(1);

/** A question with the judge's answer. A question that could not be answered has
 *  `answer: null`, `score: null` and `error` set, and does not count in its dimension. */
export const AnsweredQuestionSchema = QuestionSchema.extend({
  answer: AnswerSchema.nullable(),
  reason: z.string().nullable(),
  pYes: unit.nullable(),
  pNo: unit.nullable(),
  score: unit.nullable(),
  probabilitySource: ProbabilitySourceSchema.nullable(),
  error: z.string().nullable(),
});
export type AnsweredQuestion = z.infer<typeof AnsweredQuestionSchema>;

export const DimensionScoreSchema = z.object({
  /** sum / count, in [0, 1]; null when no question of the dimension was answered. */
  score: unit.nullable(),
  /** Σ entity-level scores (the paper's Eq. 3). */
  sum: z.number().min(0),
  count: z.number().int().min(0),
  weight: z.number().min(0),
});
export type DimensionScore = z.infer<typeof DimensionScoreSchema>;

export const InputModeSchema = z.enum(['video', 'frames', 'file']);
export type InputMode = z.infer<typeof InputModeSchema>;

export const ProtocolSchema = z.enum(['finger', 'videoscore2', 'qsave', 'signals']);
export type Protocol = z.infer<typeof ProtocolSchema>;

/** Each protocol's name for people (panel titles, pickers, messages). */
export const PROTOCOL_LABELS: Record<Protocol, string> = {
  finger: 'FingER',
  videoscore2: 'VideoScore2',
  qsave: 'Q-Save',
  signals: 'Signals',
};

export const VideoMetaSchema = z.object({
  /** Relative to the workspace root, with forward slashes. */
  path: z.string(),
  sha256: z.string(),
  durationSec: z.number().min(0),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  fps: z.number().min(0),
});
export type VideoMeta = z.infer<typeof VideoMetaSchema>;

export const SamplingSchema = z.object({
  mode: InputModeSchema,
  fps: z.number().positive(),
  maxFrames: z.number().int().positive(),
  maxPixels: z.number().int().positive(),
  /** Frames actually sent (0 in `file` mode, where the server samples). */
  frames: z.number().int().min(0),
});
export type Sampling = z.infer<typeof SamplingSchema>;

// ─── The signals protocol's measurements (src/core/signals) ──────────────────────────────────
// Each signal's value, the time ranges it flags and whether it passed; the webview reads them
// through ResultSchema to draw the Signals strip.

export const TimeRangeSchema = z.object({
  /** Seconds from the clip's first frame. */
  start: z.number().min(0),
  end: z.number().min(0),
});
export type TimeRange = z.infer<typeof TimeRangeSchema>;

export const SignalOutcomeSchema = z.object({
  id: z.enum(['dynamic', 'frozen', 'cut', 'flicker', 'blur', 'black']),
  label: z.string(),
  /** The measured value, in `unit` (mean TI, seconds flagged, number of cuts). */
  value: z.number(),
  unit: z.string(),
  /** What the value was compared with, as a person reads it ("≥ 2", "= 0 s"). */
  threshold: z.string(),
  pass: z.boolean(),
  ranges: z.array(TimeRangeSchema),
});
export type SignalOutcome = z.infer<typeof SignalOutcomeSchema>;

export const SignalsReportSchema = z.object({
  /** Frames analysed (every decoded frame: one pass, no sampling). */
  frames: z.number().int().min(0),
  /** Seconds from the first frame to the end of the last. */
  durationSec: z.number().min(0),
  /** One frame interval (the median step between frame times). */
  frameIntervalSec: z.number().min(0),
  /** Size the filters ran at. */
  analysisWidth: z.number().int().min(0),
  analysisHeight: z.number().int().min(0),
  signals: z.array(SignalOutcomeSchema),
});
export type SignalsReport = z.infer<typeof SignalsReportSchema>;

export const ResultSchema = z.object({
  version: z.literal(1),
  protocol: ProtocolSchema,
  video: VideoMetaSchema,
  prompt: z.string(),
  endpoint: z.object({ baseUrl: z.string(), model: z.string() }),
  sampling: SamplingSchema,
  /** How answers were asked; part of the answer cache key. Optional for hand-made files. */
  judge: z
    .object({
      reasoning: z.boolean(),
      temperature: z.number(),
      templateHash: z.string(),
      /** VideoScore2 and Q-Save: how the digit probabilities became each rating. */
      softScore: z.enum(['expected', 'vs2-normed']).optional(),
    })
    .optional(),
  createdAt: z.string(),
  questions: z.array(AnsweredQuestionSchema),
  dimensions: z.partialRecord(DimensionSchema, DimensionScoreSchema),
  overall: unit.nullable(),
  /** The signals protocol's measurements (value, flagged time ranges, pass/fail per signal). */
  signals: SignalsReportSchema.optional(),
});
export type Result = z.infer<typeof ResultSchema>;

/** A human correction of one answer (`.finger/labels/<video>.json`). Matched to a question by
 *  its text first (ids change when questions are regenerated), then by id. */
export const OverrideSchema = z.object({
  questionId: z.string(),
  questionText: z.string(),
  answer: AnswerSchema,
  note: z.string().optional(),
  updatedAt: z.string(),
});
export type Override = z.infer<typeof OverrideSchema>;

export const LabelsSchema = z.object({
  version: z.literal(1),
  video: z.string(),
  overrides: z.array(OverrideSchema),
  /** Optional human opinion of the whole clip (1–5), for agreement metrics. */
  mos: z.number().min(1).max(5).optional(),
});
export type Labels = z.infer<typeof LabelsSchema>;
