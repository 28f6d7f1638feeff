// JSON helpers for text written by people (manifests, question sets, template data: strict, with
// line and column in the error) and by models (replies: tolerant, the first JSON object or array
// found in prose, fences or <think> blocks).
import { FingerError } from '../errors';

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export function positionToLineColumn(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export interface JsonSyntaxProblem extends TextPosition {
  /** The parser's message without V8's "at position N (line L column C)" tail. */
  message: string;
}

/** Where and why JSON.parse failed, from V8's message ("… in JSON at position 42 (line 3 column 5)"). */
export function describeJsonSyntaxError(text: string, error: unknown): JsonSyntaxProblem {
  const raw = error instanceof Error ? error.message : String(error);
  const lineCol = /\(line (\d+) column (\d+)\)/.exec(raw);
  const position = /at position (\d+)/.exec(raw);
  let where: TextPosition;
  if (lineCol) where = { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  else if (position) where = positionToLineColumn(text, Number(position[1]));
  else if (/Unexpected end of JSON input/i.test(raw)) where = positionToLineColumn(text, text.length);
  else where = { line: 1, column: 1 };
  const message = raw
    .replace(/,?\s*"[^"]*"\s+is not valid JSON$/, '')
    .replace(/\s*(in JSON )?at position \d+( \(line \d+ column \d+\))?/, '')
    .trim();
  return { ...where, message: message || 'invalid JSON' };
}

/** JSON.parse for a file a person wrote; a syntax error becomes a FingerError with file and line. */
export function parseJsonText(text: string, file: string, hint = 'Fix the JSON syntax and try again.'): unknown {
  const body = stripBom(text);
  try {
    return JSON.parse(body);
  } catch (e) {
    const p = describeJsonSyntaxError(body, e);
    throw new FingerError(`is not valid JSON: ${p.message} (line ${p.line}, column ${p.column}).`, {
      file,
      line: p.line,
      hint,
      cause: e,
    });
  }
}

/** Replies longer than this are not searched for JSON (a runaway generation, not an answer). */
const MAX_TOLERANT_CHARS = 2_000_000;
/** Candidate start brackets tried before giving up, so pathological text stays fast. */
const MAX_CANDIDATES = 256;

/**
 * The JSON value in a model's reply. Tries, in order: the whole text; the contents of each
 * ``` fence; then each balanced {…} or […] from left to right (string-aware), the first that
 * parses wins. Each candidate is also tried with trailing commas removed. `<think>…</think>`
 * blocks of reasoning models are ignored. Throws an Error saying what the reply looked like.
 */
export function parseJsonTolerant(text: string): unknown {
  if (text.length > MAX_TOLERANT_CHARS) {
    throw new Error(`the reply is ${text.length} characters long; no JSON was searched for beyond ${MAX_TOLERANT_CHARS}`);
  }
  const body = stripThinking(stripBom(text)).trim();
  // Only an object or array is a reply: `"{…}"` parses as a JSON *string*, which is prose quoting
  // the JSON we are after, so look inside it instead of returning the string.
  const direct = tryParseLenient(body);
  if (direct.ok && isContainer(direct.value)) return direct.value;
  if (direct.ok && typeof direct.value === 'string' && direct.value !== body) {
    const quoted = findContainer(direct.value);
    if (quoted.ok) return quoted.value;
  }
  let scalar: ParseAttempt = direct;

  for (const fence of body.matchAll(/```[^\n`]*\n?([\s\S]*?)```/g)) {
    const inside = tryParseLenient((fence[1] ?? '').trim());
    if (inside.ok && isContainer(inside.value)) return inside.value;
    if (inside.ok && !scalar.ok) scalar = inside;
  }

  const found = findContainer(body);
  if (found.ok) return found.value;
  // No object or array anywhere: a bare scalar reply is still returned (the caller's schema will
  // say what is wrong with it).
  if (scalar.ok) return scalar.value;
  const preview = body.length > 80 ? `${body.slice(0, 80)}…` : body;
  throw new Error(
    body.length === 0
      ? 'the reply is empty; expected a JSON object'
      : `no JSON object or array found in the reply ${JSON.stringify(preview)}`,
  );
}

type ParseAttempt = { ok: true; value: unknown } | { ok: false };

function isContainer(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/** The first balanced `{…}` or `[…]` in `text` that parses (trailing commas repaired). */
function findContainer(text: string): ParseAttempt {
  let tried = 0;
  for (let start = nextOpenBracket(text, 0); start >= 0 && tried < MAX_CANDIDATES; start = nextOpenBracket(text, start + 1)) {
    const end = balancedEnd(text, start);
    if (end < 0) continue;
    tried++;
    const candidate = tryParseLenient(text.slice(start, end + 1));
    if (candidate.ok) return candidate;
  }
  return { ok: false };
}

function tryParseLenient(text: string): ParseAttempt {
  if (text.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const repaired = removeTrailingCommas(text);
    if (repaired === text) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(repaired) };
    } catch {
      return { ok: false };
    }
  }
}

/** Reasoning models (Qwen3, DeepSeek-R1) may think aloud first; braces in there are not the reply. */
function stripThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/gi, '').replace(/^[\s\S]*?<\/think>/i, '');
}

function nextOpenBracket(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') return i;
  }
  return -1;
}

/** Index of the bracket that closes the one at `start`, skipping strings; -1 if none or mismatched. */
export function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** `[1, 2,]` → `[1, 2]` outside strings; models and people both leave these behind. */
export function removeTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < text.length) out += text[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      if (text[j] === '}' || text[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

export type JsonContainerLayout =
  | { kind: 'object'; keys: { key: string; offset: number; valueOffset: number }[] }
  | { kind: 'array'; elements: { offset: number }[] }
  | { kind: 'other' };

/**
 * Offsets of the keys (object) or elements (array) of the JSON container that starts at the first
 * non-blank character from `start`, in a valid JSON text, so messages can name lines and
 * duplicate keys can be found (JSON.parse silently keeps the last one).
 */
export function scanJsonContainer(text: string, start = 0): JsonContainerLayout {
  let i = skipBlanks(text, start);
  const open = text[i];
  if (open !== '{' && open !== '[') return { kind: 'other' };
  const keys: { key: string; offset: number; valueOffset: number }[] = [];
  const elements: { offset: number }[] = [];
  let depth = 1;
  // In an array, the next non-blank character at depth 1 starts an element.
  let expectElement = open === '[';
  for (i++; i < text.length && depth > 0; i++) {
    const c = text[i] as string;
    if (/\s/.test(c)) continue;
    if (depth === 1 && expectElement && c !== ']') {
      elements.push({ offset: i });
      expectElement = false;
    }
    if (c === '"') {
      const keyStart = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && open === '{') {
        const colon = skipBlanks(text, i + 1);
        if (text[colon] === ':') {
          keys.push({ key: JSON.parse(text.slice(keyStart, i + 1)) as string, offset: keyStart, valueOffset: skipBlanks(text, colon + 1) });
        }
      }
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1 && open === '[') expectElement = true;
  }
  return open === '{' ? { kind: 'object', keys } : { kind: 'array', elements };
}

/** scanJsonContainer of the top-level value. */
export function scanTopLevelJson(text: string): JsonContainerLayout {
  return scanJsonContainer(text, 0);
}

/**
 * Where the value at `path` (as in a zod issue) is written in a valid JSON text: the offset of the
 * deepest part of the path that exists (its key for object members), 0 when nothing matches.
 */
export function locateJsonPath(text: string, path: readonly PropertyKey[]): number {
  let valueAt = skipBlanks(text, 0);
  let best = valueAt;
  for (const key of path) {
    const layout = scanJsonContainer(text, valueAt);
    if (layout.kind === 'object') {
      const member = [...layout.keys].reverse().find((k) => k.key === String(key));
      if (!member) return best;
      best = member.offset;
      valueAt = member.valueOffset;
    } else if (layout.kind === 'array' && typeof key === 'number') {
      const element = layout.elements[key];
      if (!element) return best;
      best = valueAt = element.offset;
    } else {
      return best;
    }
  }
  return best;
}

function skipBlanks(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}
