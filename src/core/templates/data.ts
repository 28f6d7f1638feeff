// The data the question templates render: dimension guides and in-context examples. Kept as JSON
// files beside the templates (overridable the same way), so examples are edited as data, not
// buried in template strings.
import * as z from 'zod';
import { DIMENSION_LABELS, DimensionSchema, EntityWireSchema, QuestionWireSchema } from '../types';

export const DimensionGuideSchema = z
  .object({
    id: DimensionSchema,
    label: z.string().min(1).optional(),
    description: z.string().trim().min(1),
    key_points: z.array(z.string().trim().min(1)),
  })
  .transform((d) => ({ ...d, label: d.label ?? DIMENSION_LABELS[d.id] }));
export type DimensionGuide = z.output<typeof DimensionGuideSchema>;

export const DimensionGuidesSchema = z
  .array(DimensionGuideSchema)
  .min(1, 'list at least one dimension')
  .superRefine((guides, ctx) => {
    const seen = new Set<string>();
    guides.forEach((g, i) => {
      if (seen.has(g.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `dimension ${g.id} is listed twice` });
      seen.add(g.id);
    });
  });

export const EntityExampleSchema = z.object({
  prompt: z.string().trim().min(1),
  entities: z.array(EntityWireSchema).min(1),
});
export type EntityExample = z.output<typeof EntityExampleSchema>;
export const EntityExamplesSchema = z.array(EntityExampleSchema);

export const QuestionExampleSchema = z.object({
  prompt: z.string().trim().min(1),
  entities: z.array(EntityWireSchema).min(1),
  questions: z.array(QuestionWireSchema).min(1),
});
export type QuestionExample = z.output<typeof QuestionExampleSchema>;
export const QuestionExamplesSchema = z.array(QuestionExampleSchema);

/** Data files, by their path under the templates folder, with the variable they become. */
export const TEMPLATE_DATA_FILES = {
  'dimensions.json': DimensionGuidesSchema,
  'examples/entities.json': EntityExamplesSchema,
  'examples/questions.json': QuestionExamplesSchema,
} as const;
export type TemplateDataName = keyof typeof TEMPLATE_DATA_FILES;
export const TEMPLATE_DATA_NAMES = Object.keys(TEMPLATE_DATA_FILES) as TemplateDataName[];

export interface TemplateData {
  dimensions: DimensionGuide[];
  entityExamples: EntityExample[];
  questionExamples: QuestionExample[];
}
