// The protocol of the Compare view (README, "Comparing models"): one bundle, two pages. The Compare
// page shows the leaderboard of a folder's models; the side-by-side page shows one prompt's clips
// next to each other. Both render only what they are sent (computed by src/core/workbench) and post
// back intents: open a prompt, open a file.
import * as z from 'zod';
import { command, notification, readyCommand, webviewProtocol, type ParamsOf } from './envelope';
import { ThemeKindSchema } from './common';
import { FrameRefSchema } from './results';
import { DimensionSchema } from '../schemas';

const unit = z.number().min(0).max(1);
const MetricSchema = z.union([z.literal('overall'), DimensionSchema]);
const IntervalSchema = z.object({ low: z.number(), high: z.number() });
const MetricSummarySchema = z.object({ n: z.number().int().min(0), mean: z.number().nullable(), interval: IntervalSchema.nullable() });

export const CompareReportViewSchema = z.object({
  method: z.enum(['manifest', 'layout', 'prompt-text']),
  root: z.string(),
  metric: MetricSchema,
  resamples: z.number().int(),
  seed: z.number().int(),
  level: z.number(),
  test: z.string(),
  models: z.array(z.string()),
  promptsCompared: z.number().int(),
  incomplete: z.array(z.object({ key: z.string(), missing: z.array(z.string()) })),
  leaderboard: z.array(
    z.object({ model: z.string(), rank: z.number().int(), clips: z.number().int(), metrics: z.record(z.string(), MetricSummarySchema) }),
  ),
  pairs: z.array(
    z.object({
      a: z.string(),
      b: z.string(),
      n: z.number().int(),
      wins: z.number().int(),
      ties: z.number().int(),
      losses: z.number().int(),
      p: z.number(),
      meanDifference: z.number(),
      interval: IntervalSchema,
    }),
  ),
  prompts: z.array(
    z.object({
      key: z.string(),
      prompt: z.string(),
      complete: z.boolean(),
      models: z.record(z.string(), z.object({ clips: z.array(z.string()), scores: z.record(z.string(), z.number().nullable()) })),
    }),
  ),
});
export type CompareReportView = z.infer<typeof CompareReportViewSchema>;

const AnswerViewSchema = z.object({
  answer: z.enum(['Yes', 'No']).nullable(),
  pYes: unit.nullable(),
  score: unit.nullable(),
  reason: z.string().nullable(),
  error: z.string().nullable(),
});

export const SideBySideViewSchema = z.object({
  promptKey: z.string(),
  prompt: z.string(),
  clips: z.array(
    z.object({
      video: z.string(),
      model: z.string(),
      overall: unit.nullable(),
      dimensions: z.partialRecord(DimensionSchema, unit.nullable()),
      frames: z.array(FrameRefSchema),
      /** The best-of-N pick of this prompt across models. */
      picked: z.boolean(),
    }),
  ),
  rows: z.array(
    z.object({
      text: z.string(),
      dimension: DimensionSchema,
      entity: z.string(),
      polarity: z.enum(['positive', 'negative']),
      answers: z.array(AnswerViewSchema.nullable()),
      differs: z.boolean(),
    }),
  ),
});
export type SideBySideView = z.infer<typeof SideBySideViewSchema>;

export const CompareToWebviewSchema = z.discriminatedUnion('method', [
  notification(
    'compare/show',
    z.object({
      theme: ThemeKindSchema,
      folder: z.string(),
      report: CompareReportViewSchema,
      picks: z.array(z.object({ promptKey: z.string(), video: z.string() })),
    }),
  ),
  notification('compare/sideBySide', z.object({ theme: ThemeKindSchema, view: SideBySideViewSchema })),
  notification('compare/error', z.object({ message: z.string() })),
]);
export type CompareToWebview = z.infer<typeof CompareToWebviewSchema>;

export const CompareToHostSchema = z.discriminatedUnion('method', [
  readyCommand('compare'),
  /** Show the clips of this prompt side by side (a key of `report.prompts`). */
  command('compare/openPrompt', z.object({ key: z.string() })),
  /** Open a workspace-relative file (a clip) in the editor. */
  command('compare/openFile', z.object({ relPath: z.string() })),
]);
export type CompareToHost = z.infer<typeof CompareToHostSchema>;

export type CompareShowParams = ParamsOf<CompareToWebview, 'compare/show'>;

export const compareProtocol = webviewProtocol('Compare view', CompareToWebviewSchema, CompareToHostSchema, 'compare/ready');
