// What the question model must reply, as zod schemas. Two forms of each:
//   - the *wire* schema, sent as `response_format` (strict JSON schema: every field required, no
//     extra properties, so vLLM/SGLang guided decoding and OpenAI strict mode accept it);
//   - the *reply* schema, used to validate what actually came back, whether or not the server
//     honoured the wire schema: it accepts the usual near-misses (a bare array, "Visual Quality",
//     "Positive", missing fact lists) and normalises them.
import * as z from 'zod';
import { DIMENSIONS, EntityWireSchema, PolaritySchema, QuestionWireSchema, type Dimension } from '../types';

export { EntityWireSchema, QuestionWireSchema };

export const ENTITIES_SCHEMA_NAME = 'finger_entities';
export const QUESTIONS_SCHEMA_NAME = 'finger_questions';

// ---- wire schemas -------------------------------------------------------------------------

export const EntitiesWireSchema = z.object({ entities: z.array(EntityWireSchema) });
export type EntityReply = z.infer<typeof EntityWireSchema>;

export const QuestionsWireSchema = z.object({ questions: z.array(QuestionWireSchema) });
export type QuestionReply = z.infer<typeof QuestionWireSchema>;

export interface JsonSchemaResponseFormat {
  type: 'json_schema';
  json_schema: { name: string; schema: Record<string, unknown>; strict: true };
}

/** `response_format` for a chat request, from a wire schema. */
export function jsonSchemaResponseFormat(name: string, schema: z.ZodType): JsonSchemaResponseFormat {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { type: 'json_schema', json_schema: { name, schema: json, strict: true } };
}

export const entitiesResponseFormat = (): JsonSchemaResponseFormat => jsonSchemaResponseFormat(ENTITIES_SCHEMA_NAME, EntitiesWireSchema);
export const questionsResponseFormat = (): JsonSchemaResponseFormat => jsonSchemaResponseFormat(QUESTIONS_SCHEMA_NAME, QuestionsWireSchema);

// ---- reply schemas (tolerant) --------------------------------------------------------------

const trimmed = z.string().trim();
const factList = z
  .preprocess((v) => (v === null || v === undefined ? [] : typeof v === 'string' ? [v] : v), z.array(trimmed))
  .transform((facts) => facts.filter((f) => f !== ''));

const EntityReplySchema = z.preprocess(
  (v) => (typeof v === 'string' ? { name: v } : v),
  z.object({
    name: trimmed.min(1, 'an entity needs a name'),
    type: z.preprocess((v) => (v === null ? undefined : v), trimmed.optional()).transform((t) => t?.toLowerCase() || 'object'),
    attributes: factList,
    actions: factList,
    relations: factList,
  }),
);

/** `{entities: [...]}` or a bare array of entities; at least one entity. */
export const EntitiesReplySchema = z.preprocess(
  (v) => (Array.isArray(v) ? { entities: v } : v),
  z.object({ entities: z.array(EntityReplySchema).min(1, 'the entity list is empty; every prompt has at least one entity') }),
);

/** "Visual Quality", "visual-quality", "VISUAL_QUALITY" → visual_quality; anything else unchanged. */
export function normaliseDimension(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export function isDimension(value: string): value is Dimension {
  return (DIMENSIONS as readonly string[]).includes(value);
}

const QuestionReplySchema = z.preprocess(
  (v) => {
    // Models sometimes call the text "question".
    if (v && typeof v === 'object' && !('text' in v) && 'question' in v) return { ...v, text: (v as { question: unknown }).question };
    return v;
  },
  z.object({
    entity: z.preprocess((v) => (v === null || v === undefined ? '' : v), trimmed),
    // Checked against DIMENSIONS after parsing: unknown dimensions are dropped, not fatal.
    dimension: trimmed.min(1).transform(normaliseDimension),
    text: trimmed.min(1, 'the question text is empty'),
    polarity: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), PolaritySchema),
  }),
);

/** `{questions: [...]}` or a bare array of questions. */
export const QuestionsReplySchema = z.preprocess(
  (v) => (Array.isArray(v) ? { questions: v } : v),
  z.object({ questions: z.array(QuestionReplySchema) }),
);
