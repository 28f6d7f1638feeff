// FingER steps 1 and 2: entities from the prompt, then entity-level yes/no questions for the
// dimensions. Each step is one request (system text from the template, the prompt as data in the
// user message, a JSON-schema response_format) and a pure parse of the reply. An invalid reply gets
// one retry that tells the model what was wrong; a second invalid reply is a FingerError.
// A server without structured output (it answers 400 about response_format / json_schema / guided
// decoding) is asked again without response_format: the templates already ask for JSON, and the
// tolerant parser and the zod validation apply either way. That is logged once per endpoint and
// remembered per client (the engine's pool lives for the run or the VS Code session), so later
// requests go without response_format from the start.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatClient, ChatRequest } from '../endpoint/types';
import { FingerError, throwIfAborted } from '../errors';
import { silentLogger, type Logger } from '../log';
import { DIMENSIONS, type Dimension, type Entity, type Question, type QuestionSet } from '../types';
import { entitiesUserMessage, questionsUserMessage } from '../templates/markers';
import { renderEntitiesSystem, renderQuestionsSystem, type RenderableTemplates } from '../templates/render';
import { parseJsonTolerant } from '../json';
import { readQuestionSet, writeQuestionSet } from './question-set-file';
import {
  EntitiesReplySchema,
  entitiesResponseFormat,
  isDimension,
  QuestionsReplySchema,
  questionsResponseFormat,
  type EntityReply,
} from './schemas';
import { normaliseEntityName, normaliseQuestionText } from './text';
import { formatZodError } from '../json';

export interface StepOptions {
  signal?: AbortSignal;
  logger?: Logger;
  /** Default 0, so the same prompt and templates give the same questions. */
  temperature?: number;
}

/** A reply that parsed but cannot be used; the message is shown to the model on retry. */
export class InvalidReplyError extends Error {
  override readonly name = 'InvalidReplyError';
}

// ---- pure parsing: reply text in → entities / questions out --------------------------------

/** Entities from a reply text: tolerant JSON, validated, duplicates merged, ids e1, e2, … */
export function parseEntitiesReply(text: string): Entity[] {
  const parsed = EntitiesReplySchema.safeParse(parseJsonOrThrow(text));
  if (!parsed.success) throw new InvalidReplyError(formatZodError(parsed.error));
  const merged = new Map<string, EntityReply>();
  for (const e of parsed.data.entities) {
    const key = normaliseEntityName(e.name);
    const existing = merged.get(key);
    if (!existing) {
      merged.set(key, { ...e });
      continue;
    }
    const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
    existing.attributes = union(existing.attributes, e.attributes);
    existing.actions = union(existing.actions, e.actions);
    existing.relations = union(existing.relations, e.relations);
  }
  return [...merged.values()].map((e, i) => ({
    id: `e${i + 1}`,
    name: e.name,
    type: e.type,
    attributes: e.attributes,
    actions: e.actions,
    relations: e.relations,
  }));
}

export interface ParsedQuestions {
  questions: Question[];
  /** Dimensions the model used that are not asked for (their questions were dropped). */
  droppedDimensions: string[];
  duplicatesDropped: number;
}

/**
 * Questions from a reply text. Questions with a dimension that is not asked for (not a FingER
 * dimension, or removed from dimensions.json) are dropped, not fatal: the others are still good.
 * Identical questions (same dimension and normalised text) are kept once. Entity names are matched
 * to the entity list case-insensitively. Ordered by dimension (in `dimensions` order), then as the
 * model wrote them; ids q1, q2, …
 */
export function parseQuestionsReply(
  text: string,
  entities: readonly Entity[],
  dimensions: readonly Dimension[] = DIMENSIONS,
): ParsedQuestions {
  const parsed = QuestionsReplySchema.safeParse(parseJsonOrThrow(text));
  if (!parsed.success) throw new InvalidReplyError(formatZodError(parsed.error));
  const canonicalEntity = new Map(entities.map((e) => [normaliseEntityName(e.name), e.name]));
  const allowed = new Set<string>(dimensions);
  const dropped = new Set<string>();
  const seen = new Set<string>();
  let duplicates = 0;
  const kept: Omit<Question, 'id'>[] = [];
  for (const q of parsed.data.questions) {
    if (!isDimension(q.dimension) || !allowed.has(q.dimension)) {
      dropped.add(q.dimension);
      continue;
    }
    const key = `${q.dimension}\0${normaliseQuestionText(q.text)}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    kept.push({
      dimension: q.dimension,
      entity: canonicalEntity.get(normaliseEntityName(q.entity)) ?? q.entity,
      text: q.text,
      polarity: q.polarity,
    });
  }
  if (kept.length === 0) {
    throw new InvalidReplyError(
      dropped.size > 0
        ? `questions: no question has one of the dimensions ${dimensions.join(', ')} (got ${[...dropped].join(', ')})`
        : 'questions: the list is empty; write questions for every dimension',
    );
  }
  const order = (d: Dimension) => dimensions.indexOf(d);
  const sorted = kept.map((q, i) => ({ q, i })).sort((a, b) => order(a.q.dimension) - order(b.q.dimension) || a.i - b.i);
  return {
    questions: sorted.map(({ q }, i) => ({ id: `q${i + 1}`, ...q })),
    droppedDimensions: [...dropped],
    duplicatesDropped: duplicates,
  };
}

function parseJsonOrThrow(text: string): unknown {
  try {
    return parseJsonTolerant(text);
  } catch (e) {
    throw new InvalidReplyError(e instanceof Error ? e.message : String(e));
  }
}

// ---- requests ------------------------------------------------------------------------------

/** Statuses servers use to refuse a request field they do not support (TGI answers 422). */
const REFUSAL_STATUSES = new Set([400, 422]);
const RESPONSE_FORMAT_REFUSAL =
  /response[_ .-]?format|json[_ -]?schema|guided|structured[ _-]?output|grammar|not (?:yet )?supported|unsupported|unknown variant/i;

/**
 * Whether a failed request was refused because of its `response_format`: HTTP 400 (or 422) with a
 * message about response_format, json_schema, guided decoding or something "not supported".
 */
export function isResponseFormatRefusal(e: unknown): boolean {
  let current: unknown = e;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const status = statusOf(current);
    if (status !== undefined) {
      return REFUSAL_STATUSES.has(status) && RESPONSE_FORMAT_REFUSAL.test(String((current as { message?: unknown }).message ?? ''));
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function statusOf(e: object): number | undefined {
  const details = (e as { details?: { status?: unknown } }).details;
  const status = details && typeof details.status === 'number' ? details.status : (e as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** Clients whose server refused response_format, with the endpoints that said so (logged once each). */
const withoutStructuredOutput = new WeakMap<ChatClient, Set<string>>();

/** Whether requests through `client` go without response_format (a server refused it before). */
export function skipsResponseFormat(client: ChatClient): boolean {
  return withoutStructuredOutput.has(client);
}

function rememberRefusal(client: ChatClient, e: unknown, logger: Logger): void {
  const endpoint = (e as { details?: { baseUrl?: unknown } }).details?.baseUrl;
  const name = typeof endpoint === 'string' ? endpoint : 'the question endpoint';
  let endpoints = withoutStructuredOutput.get(client);
  if (!endpoints) withoutStructuredOutput.set(client, (endpoints = new Set()));
  if (endpoints.has(name)) return;
  endpoints.add(name);
  const why = (e instanceof Error ? e.message : String(e)).replace(/\.?$/, '.');
  logger.warn(
    `Structured output (response_format json_schema) was refused: ${why} ` +
      `Asking ${name} for JSON without it from now on; the replies are still validated.`,
  );
}

function withoutResponseFormat(request: ChatRequest): ChatRequest {
  const { response_format: _dropped, ...rest } = request;
  return rest;
}

/** One request; without response_format when the server refuses it (remembered for `client`). */
async function chatStructured(client: ChatClient, request: ChatRequest, opts: StepOptions) {
  if (request.response_format === undefined || skipsResponseFormat(client)) {
    return client.chat(withoutResponseFormat(request), { signal: opts.signal });
  }
  try {
    return await client.chat(request, { signal: opts.signal });
  } catch (e) {
    if (!isResponseFormatRefusal(e)) throw e;
    rememberRefusal(client, e, opts.logger ?? silentLogger);
    throwIfAborted(opts.signal);
    return client.chat(withoutResponseFormat(request), { signal: opts.signal });
  }
}

/** Sends `request`; parses the reply with `parse`; on an invalid reply asks once more, saying what
 *  was wrong. */
async function askWithOneRetry<T>(
  client: ChatClient,
  step: string,
  request: ChatRequest,
  parse: (text: string) => T,
  opts: StepOptions,
): Promise<T> {
  const logger = opts.logger ?? silentLogger;
  const messages: ChatCompletionMessageParam[] = [...request.messages];
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(opts.signal);
    const { completion } = await chatStructured(client, { ...request, messages }, opts);
    const choice = completion.choices[0];
    const content = choice?.message?.content ?? '';
    let problem: string;
    try {
      if (choice?.finish_reason === 'length') throw new InvalidReplyError('the reply was cut off at the token limit; keep it shorter');
      return parse(content);
    } catch (e) {
      if (!(e instanceof InvalidReplyError)) throw e;
      problem = e.message;
    }
    if (attempt >= 2) {
      throw new FingerError(`the model's reply for ${step} was not valid: ${problem}`, {
        hint: 'Use a question model that follows instructions and supports JSON output (response_format json_schema), or adjust the templates in .finger/templates.',
      });
    }
    logger.warn(`The model's reply for ${step} was not valid (${problem}); asking once more.`);
    messages.push(
      { role: 'assistant', content },
      { role: 'user', content: `Your reply was not valid: ${problem}. Reply again with only the JSON object, in the format described.` },
    );
  }
}

/**
 * Reply budgets. Without max_tokens vLLM lets a reply run to the context length (it fills in
 * max_model_len − prompt tokens), and a constrained JSON reply that loops (whitespace, a repeated
 * item) then holds a server slot for minutes. Forty questions of ~40 tokens plus the JSON around
 * them fit in the questions budget several times over; a reply cut at the budget is invalid JSON
 * and is asked for once more (askWithOneRetry).
 */
export const ENTITIES_MAX_TOKENS = 2048;
export const QUESTIONS_MAX_TOKENS = 4096;

/** Step 1: the entities of the prompt, with ids e1, e2, … */
export async function extractEntities(
  client: ChatClient,
  prompt: string,
  templates: RenderableTemplates,
  opts: StepOptions = {},
): Promise<Entity[]> {
  const request: ChatRequest = {
    messages: [
      { role: 'system', content: renderEntitiesSystem(templates) },
      { role: 'user', content: entitiesUserMessage(prompt) },
    ],
    response_format: entitiesResponseFormat(),
    temperature: opts.temperature ?? 0,
    max_tokens: ENTITIES_MAX_TOKENS,
  };
  return askWithOneRetry(client, 'entity extraction', request, parseEntitiesReply, opts);
}

/** Step 2: entity-level yes/no questions for the dimensions in the templates, ids q1, q2, … */
export async function generateQuestions(
  client: ChatClient,
  prompt: string,
  entities: readonly Entity[],
  templates: RenderableTemplates,
  opts: StepOptions = {},
): Promise<Question[]> {
  const logger = opts.logger ?? silentLogger;
  const dimensions = templates.data.dimensions.value.map((d) => d.id);
  // The model sees the entities as it wrote them, without our ids.
  const shown = entities.map(({ name, type, attributes, actions, relations }) => ({
    name,
    type: type ?? 'object',
    attributes: attributes ?? [],
    actions: actions ?? [],
    relations: relations ?? [],
  }));
  const request: ChatRequest = {
    messages: [
      { role: 'system', content: renderQuestionsSystem(templates) },
      { role: 'user', content: questionsUserMessage(prompt, shown) },
    ],
    response_format: questionsResponseFormat(),
    temperature: opts.temperature ?? 0,
    max_tokens: QUESTIONS_MAX_TOKENS,
  };
  const parsed = await askWithOneRetry(
    client,
    'question generation',
    request,
    (text) => parseQuestionsReply(text, entities, dimensions),
    opts,
  );
  if (parsed.droppedDimensions.length > 0) {
    logger.warn(`Dropped questions with dimensions that are not asked for: ${parsed.droppedDimensions.join(', ')}.`);
  }
  const missing = dimensions.filter((d) => !parsed.questions.some((q) => q.dimension === d));
  if (missing.length > 0) logger.warn(`The model wrote no questions for: ${missing.join(', ')}.`);
  return parsed.questions;
}

// ---- whole question set, cached ------------------------------------------------------------

export interface GenerateQuestionSetOptions extends StepOptions {
  /** The question model's name: part of the cache key. */
  model: string;
  /** Where generated sets are cached; no caching without it. */
  cacheDir?: string;
}

/** What the generated questions depend on: the prompt, the entity and question templates with
 *  their data (Templates.questionHash, so answer-template edits do not invalidate it), the model. */
export function questionCacheKey(prompt: string, templates: { questionHash: string }, model: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['finger-questions-v1', prompt, templates.questionHash, model]))
    .digest('hex');
}

export function questionCacheFile(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.questions.json`);
}

/** Steps 1 and 2 for one prompt. A cache hit makes no request. */
export async function generateQuestionSet(
  client: ChatClient,
  prompt: string,
  templates: RenderableTemplates & { questionHash: string },
  opts: GenerateQuestionSetOptions,
): Promise<QuestionSet> {
  const logger = opts.logger ?? silentLogger;
  const cacheFile = opts.cacheDir ? questionCacheFile(opts.cacheDir, questionCacheKey(prompt, templates, opts.model)) : undefined;
  if (cacheFile) {
    try {
      const cached = await readQuestionSet(cacheFile);
      if (cached.prompt === prompt) {
        logger.debug(`Questions from the cache: ${cacheFile}`);
        return cached;
      }
    } catch (e) {
      if ((e as { cause?: { code?: string } }).cause?.code !== 'ENOENT') {
        logger.warn(`Ignoring an unreadable question cache entry ${cacheFile}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const entities = await extractEntities(client, prompt, templates, opts);
  const questions = await generateQuestions(client, prompt, entities, templates, opts);
  const set: QuestionSet = { version: 1, prompt, entities, questions };
  if (cacheFile) {
    try {
      await writeQuestionSet(cacheFile, set);
    } catch (e) {
      logger.warn(`Could not cache the questions in ${cacheFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return set;
}
