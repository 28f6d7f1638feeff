// Messages between the extension and the Compare view (the leaderboard of a folder's models and
// the side-by-side panel of one prompt's clips), in the envelope of protocol.ts
// ({ kind: 'notification' | 'command', method, params }), parsed with zod on receipt on both sides.
// Pure: no DOM, no vscode, no Node APIs.
import * as z from 'zod';
import { DimensionSchema } from '../core/types';
import { FrameRefSchema, ThemeKindSchema } from './protocol';

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
  leaderboard: z.array(z.object({ model: z.string(), rank: z.number().int(), clips: z.number().int(), metrics: z.record(z.string(), MetricSummarySchema) })),
  pairs: z.array(
    z.object({ a: z.string(), b: z.string(), n: z.number().int(), wins: z.number().int(), ties: z.number().int(), losses: z.number().int(), p: z.number(), meanDifference: z.number(), interval: IntervalSchema }),
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

export const CompareExtensionMessageSchema = z.discriminatedUnion('method', [
  z.object({
    kind: z.literal('notification'),
    method: z.literal('compare/show'),
    params: z.object({ theme: ThemeKindSchema, folder: z.string(), report: CompareReportViewSchema, picks: z.array(z.object({ promptKey: z.string(), video: z.string() })) }),
  }),
  z.object({ kind: z.literal('notification'), method: z.literal('compare/sideBySide'), params: z.object({ theme: ThemeKindSchema, view: SideBySideViewSchema }) }),
  z.object({ kind: z.literal('notification'), method: z.literal('compare/error'), params: z.object({ message: z.string() }) }),
]);
export type CompareExtensionMessage = z.infer<typeof CompareExtensionMessageSchema>;

export const CompareWebviewMessageSchema = z.discriminatedUnion('method', [
  z.object({ kind: z.literal('command'), method: z.literal('compare/ready'), params: z.object({}).optional() }),
  z.object({ kind: z.literal('command'), method: z.literal('compare/openPrompt'), params: z.object({ key: z.string() }) }),
  z.object({ kind: z.literal('command'), method: z.literal('compare/openFile'), params: z.object({ relPath: z.string() }) }),
]);
export type CompareWebviewMessage = z.infer<typeof CompareWebviewMessageSchema>;

export function parseCompareExtensionMessage(data: unknown): { ok: true; message: CompareExtensionMessage } | { ok: false; error: string } {
  const r = CompareExtensionMessageSchema.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: r.error.message };
}

export function parseCompareWebviewMessage(data: unknown): { ok: true; message: CompareWebviewMessage } | { ok: false; error: string } {
  const r = CompareWebviewMessageSchema.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: r.error.message };
}
