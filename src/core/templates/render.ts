// Rendering: the variables each template gets, and one function per request part, so the
// question generator and the judge never assemble template variables themselves.
import type { Template } from 'liquidjs';
import type { Question } from '../types';
import { parseLiquid, renderParsed, liquidProblem, templateError } from './engine';
import type { TemplateData } from './data';

export const TEMPLATE_NAMES = ['entities.liquid', 'questions.liquid', 'answer-system.liquid', 'answer-question.liquid'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/**
 * The variables of each template. The user's prompt is deliberately absent from the entity and
 * question templates: those render the system message, and the prompt travels as data in the
 * user message (see markers.ts). answer-system gets only `reasoning`, so it is the same for every
 * question of a video and the endpoint can cache the system + video prefix.
 */
export const TEMPLATE_VARIABLES: Record<TemplateName, readonly string[]> = {
  'entities.liquid': ['examples'],
  'questions.liquid': ['dimensions', 'examples'],
  'answer-system.liquid': ['reasoning'],
  'answer-question.liquid': ['question', 'entity', 'dimension', 'reasoning'],
};

export interface TemplateFile {
  name: string;
  /** Absolute path of the file the source came from. */
  file: string;
  origin: 'bundled' | 'workspace';
  source: string;
  /** sha256 of the source. */
  hash: string;
}

const parsedCache = new Map<string, Template[]>();

function parsed(t: TemplateFile): Template[] {
  const key = `${t.file}\0${t.hash}`;
  let hit = parsedCache.get(key);
  if (!hit) {
    try {
      hit = parseLiquid(t.source, t.file);
    } catch (e) {
      throw templateError(t.file, liquidProblem(e), e);
    }
    if (parsedCache.size > 200) parsedCache.clear();
    parsedCache.set(key, hit);
  }
  return hit;
}

/** Renders a template; any Liquid error (syntax, unknown variable or filter) becomes a
 *  FingerError with the template's file and line. */
export function renderTemplate(t: TemplateFile, vars: Record<string, unknown>): string {
  const tpl = parsed(t);
  try {
    return renderParsed(tpl, vars);
  } catch (e) {
    throw templateError(t.file, liquidProblem(e), e);
  }
}

/** What the templates module hands to the renderers below (a subset of Templates). */
export interface RenderableTemplates {
  entities: TemplateFile;
  questions: TemplateFile;
  answerSystem: TemplateFile;
  answerQuestion: TemplateFile;
  data: { [K in keyof TemplateData]: { value: TemplateData[K] } };
}

export function entitiesTemplateVariables(data: Pick<TemplateData, 'entityExamples'>): Record<string, unknown> {
  return { examples: data.entityExamples };
}

export function questionsTemplateVariables(data: Pick<TemplateData, 'dimensions' | 'questionExamples'>): Record<string, unknown> {
  return { dimensions: data.dimensions, examples: data.questionExamples };
}

export function answerQuestionVariables(
  question: Pick<Question, 'text' | 'entity' | 'dimension'>,
  reasoning: boolean,
): Record<string, unknown> {
  return { question: question.text, entity: question.entity, dimension: question.dimension, reasoning };
}

/** System message of the entity-extraction request. */
export function renderEntitiesSystem(t: RenderableTemplates): string {
  return renderTemplate(t.entities, entitiesTemplateVariables({ entityExamples: t.data.entityExamples.value }));
}

/** System message of the question-generation request. */
export function renderQuestionsSystem(t: RenderableTemplates): string {
  return renderTemplate(
    t.questions,
    questionsTemplateVariables({ dimensions: t.data.dimensions.value, questionExamples: t.data.questionExamples.value }),
  );
}

/** System message of every answer request of a video (constant for a given `reasoning`). */
export function renderAnswerSystem(t: RenderableTemplates, opts: { reasoning: boolean }): string {
  return renderTemplate(t.answerSystem, { reasoning: opts.reasoning });
}

/** The question text part of an answer request (sent after the video). */
export function renderAnswerQuestion(
  t: RenderableTemplates,
  question: Pick<Question, 'text' | 'entity' | 'dimension'>,
  opts: { reasoning: boolean },
): string {
  return renderTemplate(t.answerQuestion, answerQuestionVariables(question, opts.reasoning));
}
