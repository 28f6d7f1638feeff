// The Liquid engine shared by all templates. Strict variables and filters, so a typo such as
// {{ questoin }} is an error with file and line instead of an empty string; no file system
// (includes and layouts are refused), so a template cannot pull other files into a request.
import { Liquid, type Template } from 'liquidjs';
import { FingerError } from '../errors';
import { entitiesBlock, promptBlock, questionBlock } from './markers';

export interface TemplateProblem {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

export const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
});
// `{{ example.prompt | prompt_block }}` renders <prompt>"…"</prompt> exactly as the request does.
liquid.registerFilter('prompt_block', (value: unknown) => promptBlock(String(value ?? '')));
liquid.registerFilter('entities_block', (value: unknown) => entitiesBlock(value));
// `{{ question | question_block }}` renders <question>"…"</question>: the generated question as quoted data.
liquid.registerFilter('question_block', (value: unknown) => questionBlock(String(value ?? '')));

/** Filters the templates may use beyond Liquid's standard ones. */
export const CUSTOM_FILTERS = ['prompt_block', 'entities_block', 'question_block'] as const;

/** A Liquid error as line, column and a message without Liquid's own location suffix. */
export function liquidProblem(error: unknown): TemplateProblem {
  const e = error as { token?: { getPosition?: () => [number, number] }; originalError?: unknown; message?: unknown };
  const position = e?.token?.getPosition?.();
  const raw = String(e?.message ?? error);
  const message = raw.replace(/,?\s*(file:[^,]*,\s*)?line:\d+,\s*col:\d+\s*$/, '').trim();
  return { line: position?.[0] ?? 1, column: position?.[1] ?? 1, message: message || 'template error' };
}

export function parseLiquid(source: string, file: string): Template[] {
  return liquid.parse(source, file);
}

/** Rendered text, tidied: no runs of blank lines from tags, no leading/trailing blank space. */
export function renderParsed(parsed: Template[], vars: Record<string, unknown>): string {
  const text = liquid.renderSync(parsed, vars) as string;
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function templateError(file: string, problem: TemplateProblem, cause?: unknown): FingerError {
  return new FingerError(`template error: ${problem.message} (line ${problem.line}, column ${problem.column}).`, {
    file,
    line: problem.line,
    hint: 'Fix the template, or delete it to use the bundled default.',
    cause,
  });
}
