// Checking a template or data file without using it: parse, then render with every variable set
// the template will meet (both reasoning modes for the answer templates). Used by loadTemplates
// (first problem → FingerError) and by the extension for live diagnostics while a user edits.
import type { z } from 'zod';
import { describeJsonSyntaxError, formatIssuePath, locateJsonPath, positionToLineColumn, stripBom } from '../json';
import { DIMENSION_LABELS } from '../types';
import { liquidProblem, parseLiquid, renderParsed, type TemplateProblem } from './engine';
import { TEMPLATE_DATA_FILES, TEMPLATE_DATA_NAMES, type TemplateData, type TemplateDataName } from './data';
import {
  answerQuestionVariables,
  entitiesTemplateVariables,
  questionsTemplateVariables,
  TEMPLATE_NAMES,
  type TemplateName,
} from './render';

export type { TemplateProblem } from './engine';

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

export function isTemplateDataName(name: string): name is TemplateDataName {
  return (TEMPLATE_DATA_NAMES as readonly string[]).includes(name);
}

/**
 * The canonical name of a template or data file from what a caller has at hand: "questions",
 * "questions.liquid", "examples\\entities", "examples/entities.json" … Undefined when unknown.
 */
export function canonicalTemplateName(name: string): TemplateName | TemplateDataName | undefined {
  const n = name.trim().replace(/\\/g, '/').replace(/^\.\//, '');
  for (const known of [...TEMPLATE_NAMES, ...TEMPLATE_DATA_NAMES]) {
    if (n === known || n === known.replace(/\.(liquid|json)$/, '')) return known;
  }
  return undefined;
}

/** A question the answer templates are tried with. */
const SAMPLE_QUESTION = { text: 'Does the cup pass through the table?', entity: 'cup', dimension: 'factual_consistency' } as const;

/** Stand-in data for live validation when the real data files are not at hand. */
export const SAMPLE_TEMPLATE_DATA: TemplateData = {
  dimensions: [
    {
      id: 'visual_quality',
      label: DIMENSION_LABELS.visual_quality,
      description: 'How each entity looks in single frames.',
      key_points: ['anatomy and structure'],
    },
  ],
  entityExamples: [
    { prompt: 'A cup on a table', entities: [{ name: 'cup', type: 'object', attributes: [], actions: [], relations: ['on the table'] }] },
  ],
  questionExamples: [
    {
      prompt: 'A cup on a table',
      entities: [{ name: 'cup', type: 'object', attributes: [], actions: [], relations: ['on the table'] }],
      questions: [{ entity: 'cup', dimension: 'factual_consistency', text: 'Does the cup pass through the table?', polarity: 'negative' }],
    },
  ],
};

/** The variable sets a template is rendered with when checked. */
export function trialVariables(name: TemplateName, data: TemplateData): Record<string, unknown>[] {
  switch (name) {
    case 'entities.liquid':
      return [entitiesTemplateVariables(data)];
    case 'questions.liquid':
      return [questionsTemplateVariables(data)];
    case 'answer-system.liquid':
      return [{ reasoning: true }, { reasoning: false }];
    case 'answer-question.liquid':
      return [answerQuestionVariables(SAMPLE_QUESTION, true), answerQuestionVariables(SAMPLE_QUESTION, false)];
  }
}

/** Problems of a Liquid template's source (empty when it parses and renders). */
export function checkTemplateSource(name: TemplateName, source: string, data: TemplateData, file: string = name): TemplateProblem[] {
  let parsed;
  try {
    parsed = parseLiquid(source, file);
  } catch (e) {
    return [liquidProblem(e)];
  }
  const problems: TemplateProblem[] = [];
  for (const vars of trialVariables(name, data)) {
    try {
      const text = renderParsed(parsed, vars);
      if (text === '') problems.push({ line: 1, column: 1, message: 'the template renders to empty text' });
    } catch (e) {
      const p = liquidProblem(e);
      const mode = 'reasoning' in vars ? ` (with reasoning ${vars['reasoning'] ? 'on' : 'off'})` : '';
      problems.push({ ...p, message: p.message + mode });
    }
    if (problems.length > 0) break;
  }
  return problems;
}

export type DataCheck<T> = { ok: true; value: T } | { ok: false; problems: TemplateProblem[] };

/** JSON syntax and schema problems of a data file, located at the offending line. */
export function checkDataSource<N extends TemplateDataName>(name: N, text: string): DataCheck<z.output<(typeof TEMPLATE_DATA_FILES)[N]>> {
  const body = stripBom(text);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    const p = describeJsonSyntaxError(body, e);
    return { ok: false, problems: [{ line: p.line, column: p.column, message: `invalid JSON: ${p.message}` }] };
  }
  const schema = TEMPLATE_DATA_FILES[name] as z.ZodType;
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data as z.output<(typeof TEMPLATE_DATA_FILES)[N]> };
  return {
    ok: false,
    problems: result.error.issues.slice(0, 20).map((issue) => {
      const at = positionToLineColumn(body, locateJsonPath(body, issue.path));
      return { ...at, message: `${formatIssuePath(issue.path)}: ${issue.message}` };
    }),
  };
}

/**
 * Live diagnostics for a template or data file being edited (`name` as under .finger/templates,
 * with or without its extension: "questions.liquid", "questions", "examples/entities.json").
 * Never throws. `data` is the loaded
 * template data (pass Templates.data values) so user-added fields validate; without it a small
 * built-in sample is used.
 */
export function validateTemplateText(name: string, text: string, data?: TemplateData): TemplateProblem[] {
  try {
    const normalised = canonicalTemplateName(name) ?? name;
    if (isTemplateName(normalised)) return checkTemplateSource(normalised, text, data ?? SAMPLE_TEMPLATE_DATA);
    if (isTemplateDataName(normalised)) {
      const checked = checkDataSource(normalised, text);
      return checked.ok ? [] : checked.problems;
    }
    return [
      {
        line: 1,
        column: 1,
        message: `unknown template ${JSON.stringify(name)}; expected one of ${[...TEMPLATE_NAMES, ...TEMPLATE_DATA_NAMES].join(', ')}`,
      },
    ];
  } catch (e) {
    return [{ line: 1, column: 1, message: `could not check the template: ${e instanceof Error ? e.message : String(e)}` }];
  }
}
