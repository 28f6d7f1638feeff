// What the prompt-file annotations say, computed from text + result + labels, with no vscode API:
// offsets into the document text, so it can be tested directly and mapped to Ranges by the caller.
import type { DisplayedQuestion, DisplayedResult } from '../../shared/display';
import { DIMENSION_LABELS, DIMENSION_SHORT, DIMENSIONS, formatScore as pct, isFailing } from '../../shared/model';
import type { Result } from '../../shared/schemas';
import type { LocatedManifestEntry } from '../../core/prompts/manifest-source';

export interface Span {
  start: number;
  end: number;
}

export interface PromptDiagnostic extends Span {
  message: string;
  question: DisplayedQuestion;
}

export interface EntityHover extends Span {
  entity: string;
  questions: DisplayedQuestion[];
}

export interface PromptAnnotations {
  lens: { title: string; tooltip: string };
  diagnostics: PromptDiagnostic[];
  hovers: EntityHover[];
}

const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'of',
  'on',
  'in',
  'at',
  'to',
  'and',
  'or',
  'with',
  'its',
  'his',
  'her',
  'their',
  'scene',
  'background',
]);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A word and its simple plural/singular variants ("tomato" ↔ "tomatoes", "leaf" stays "leaf"). */
function wordPattern(word: string): string {
  const w = escapeRegExp(word);
  if (/(es|s)$/i.test(word) && word.length > 3) return `(?:${w}|${escapeRegExp(word.replace(/(es|s)$/i, ''))})`;
  return `${w}(?:s|es)?`;
}

function findAll(text: string, pattern: string, from: number, to: number): Span[] {
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?![\\p{L}\\p{N}])`, 'giu');
  const region = text.slice(from, to);
  const out: Span[] = [];
  for (const m of region.matchAll(re)) out.push({ start: from + m.index, end: from + m.index + m[0].length });
  return out;
}

/**
 * Where an entity is named in the prompt text: the whole name first ("red umbrella"); if the name
 * does not appear as such, its significant words, so "the chef's knife" still finds "knife".
 */
export function findEntitySpans(text: string, entity: string, region: Span = { start: 0, end: text.length }): Span[] {
  const name = entity.trim();
  if (!name) return [];
  const whole = name.split(/\s+/).map(wordPattern).join('\\s+');
  const spans = findAll(text, whole, region.start, region.end);
  if (spans.length > 0) return spans;
  const words = name
    .split(/[^\p{L}\p{N}'-]+/u)
    .map((w) => w.replace(/'s$/i, ''))
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w.toLowerCase()));
  return words.flatMap((w) => findAll(text, wordPattern(w), region.start, region.end)).sort((a, b) => a.start - b.start);
}

/** The part of the document that holds the prompt (a manifest holds many prompts). */
export function promptRegion(text: string, prompt: string): Span {
  const p = prompt.trim();
  if (p) {
    const i = text.indexOf(p);
    if (i >= 0) return { start: i, end: i + p.length };
    // JSON manifests escape quotes and newlines
    const escaped = JSON.stringify(p).slice(1, -1);
    const j = text.indexOf(escaped);
    if (j >= 0) return { start: j, end: j + escaped.length };
  }
  return { start: 0, end: text.length };
}

export function answerProbability(q: Pick<DisplayedQuestion, 'answer' | 'pYes' | 'pNo'>): number | null {
  if (q.answer === 'Yes') return q.pYes;
  if (q.answer === 'No') return q.pNo;
  return null;
}

export function diagnosticMessage(q: DisplayedQuestion): string {
  const answer = q.answer ? `${q.answer} (p=${pct(answerProbability(q))})` : 'no answer';
  const override = q.overridden ? ` [overridden by a person${q.overridden.note ? `: ${q.overridden.note}` : ''}]` : '';
  const reason = q.reason ? ` — ${q.reason}` : '';
  return `${q.text} → ${answer}, score ${pct(q.score)}${override}${reason}`;
}

/** `shown` is the result as displayed (overrides and the weights from settings applied), which the
 *  results index computes once for every view. */
export function computeAnnotations(text: string, result: Result, shown: DisplayedResult): PromptAnnotations {
  const parts = DIMENSIONS.filter((d) => shown.dimensions[d]?.score !== null && shown.dimensions[d] !== undefined).map(
    (d) => `${DIMENSION_SHORT[d]} ${pct(shown.dimensions[d]!.score)}`,
  );
  const failing = shown.questions.filter(isFailing).length;
  const lens = {
    title: `FingER ${pct(shown.overall)}  ·  ${parts.join('  ')}${failing ? `  ·  ${failing} failing` : ''}${shown.overriddenCount ? `  ·  ${shown.overriddenCount} overridden` : ''}`,
    tooltip: `${result.video.path} scored by ${result.endpoint.model} on ${result.createdAt}. ${DIMENSIONS.map((d) => `${DIMENSION_LABELS[d]}: ${pct(shown.dimensions[d]?.score)}`).join(', ')}. Click to open the results.`,
  };
  const region = promptRegion(text, result.prompt);
  const byEntity = new Map<string, DisplayedQuestion[]>();
  for (const q of shown.questions) {
    const list = byEntity.get(q.entity) ?? [];
    list.push(q);
    byEntity.set(q.entity, list);
  }
  const diagnostics: PromptDiagnostic[] = [];
  const hovers: EntityHover[] = [];
  for (const [entity, questions] of byEntity) {
    const spans = findEntitySpans(text, entity, region);
    for (const span of spans) {
      hovers.push({ ...span, entity, questions });
      for (const q of questions) {
        if (isFailing(q)) diagnostics.push({ ...span, message: diagnosticMessage(q), question: q });
      }
    }
  }
  return { lens, diagnostics, hovers };
}

/** The annotations of one manifest entry: offsets are in the manifest's text. */
export interface ManifestEntryAnnotations extends PromptAnnotations {
  /** Absolute path of the video the entry is the prompt of. */
  video: string;
  /** The whole entry (JSON member or element, JSONL line, CSV record): where its CodeLens goes. */
  entry: Span;
}

/**
 * computeAnnotations for the prompt of one manifest entry: entity words are found in the entry's
 * prompt text (escapes decoded) and mapped back to the manifest text; the lens names the video.
 */
export function computeManifestEntryAnnotations(
  entry: Pick<LocatedManifestEntry, 'prompt' | 'entrySpan' | 'offsets'>,
  video: { path: string; label: string },
  result: Result,
  shown: DisplayedResult,
): ManifestEntryAnnotations {
  const a = computeAnnotations(entry.prompt, result, shown);
  return {
    video: video.path,
    entry: { ...entry.entrySpan },
    lens: { title: `${video.label}  ·  ${a.lens.title}`, tooltip: a.lens.tooltip },
    diagnostics: a.diagnostics.map((d) => ({ ...d, ...entry.offsets.span(d) })),
    hovers: a.hovers.map((h) => ({ ...h, ...entry.offsets.span(h) })),
  };
}

/** The hover's Markdown: every question about the entity, with answer, probability and reason. */
export function hoverMarkdown(h: EntityHover): string {
  const lines = [`**FingER · ${h.entity}**`, ''];
  for (const d of DIMENSIONS) {
    const qs = h.questions.filter((q) => q.dimension === d);
    if (qs.length === 0) continue;
    lines.push(`*${DIMENSION_LABELS[d]}*`, '');
    for (const q of qs) {
      const mark = q.score === null ? '⚠️' : isFailing(q) ? '❌' : '✅';
      const answer = q.answer ? `${q.answer} (p=${pct(answerProbability(q))})` : `no answer${q.error ? `: ${escapeMd(q.error)}` : ''}`;
      lines.push(
        `- ${mark} ${escapeMd(q.text)} — **${answer}**${q.overridden ? ' ✎ overridden' : ''}${q.reason ? `  \n  ${escapeMd(q.reason)}` : ''}`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Model text is shown as text: Markdown control characters are escaped. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
