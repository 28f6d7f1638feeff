// Where each entry of a prompt manifest is written in the file: the span of the whole entry and of
// its prompt string, and a map from offsets in the prompt text (as parsePromptManifest returns it:
// JSON escapes decoded, CSV doubled quotes undone, line breaks as '\n') back to offsets in the file
// text, so editor annotations can mark words inside one entry's prompt. Pure: text in, offsets out.
//
// The entries themselves come from parsePromptManifest (same values, same order, same errors, so a
// manifest the scorer refuses — e.g. one listing a video twice — is refused here too); this module
// only adds positions, and checks that the text it finds decodes to the parser's prompt.
import { parse as parseCsv } from 'csv-parse/sync';
import { balancedEnd, scanJsonContainer, stripBom } from '../json';
import { fieldNameOf, manifestFormat, parsePromptManifest, PROMPT_FIELDS, VIDEO_FIELDS, type ManifestEntry } from './manifest';

export interface TextSpan {
  /** Offset (UTF-16 code units) of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

/**
 * Prompt-text offset → file-text offset. Between anchors the two advance together; an anchor is
 * placed after every place where they do not (an escape sequence, a doubled quote, a CRLF).
 */
export class PromptOffsetMap {
  private readonly promptAt: number[];
  private readonly textAt: number[];

  /** A map whose prompt offset 0 is at file offset `textStart`. */
  constructor(textStart: number, anchors?: { promptAt: number[]; textAt: number[] }) {
    this.promptAt = anchors?.promptAt ?? [0];
    this.textAt = anchors?.textAt ?? [textStart];
  }

  /** Records that prompt offset `prompt` is at file offset `text` (called in increasing order). */
  anchor(prompt: number, text: number): void {
    const last = this.promptAt.length - 1;
    if (this.promptAt[last] === prompt) this.textAt[last] = text;
    else {
      this.promptAt.push(prompt);
      this.textAt.push(text);
    }
  }

  /** The file offset of prompt offset `i` (0 ≤ i ≤ prompt length; the length maps to the end of the string's content). */
  toText(i: number): number {
    let lo = 0;
    let hi = this.promptAt.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.promptAt[mid] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    return (this.textAt[lo] as number) + (i - (this.promptAt[lo] as number));
  }

  /** The same map for a text with `by` more characters in front. */
  shifted(by: number): PromptOffsetMap {
    return new PromptOffsetMap(0, { promptAt: [...this.promptAt], textAt: this.textAt.map((t) => t + by) });
  }

  /** A span of the prompt text as a span of the file text. */
  span(s: TextSpan): TextSpan {
    return { start: this.toText(s.start), end: this.toText(s.end) };
  }
}

export interface LocatedManifestEntry extends ManifestEntry {
  /** The whole entry in the file: the JSON member or element, the JSONL line, the CSV record. */
  entrySpan: TextSpan;
  /** The prompt as written in the file: inside the quotes, escapes and doubled quotes as written. */
  promptSpan: TextSpan;
  /** Offsets in `prompt` → offsets in the file text. */
  offsets: PromptOffsetMap;
}

/**
 * parsePromptManifest plus where each entry and its prompt are written in `text`. Throws what
 * parsePromptManifest throws for the same text.
 */
export function locatePromptManifest(text: string, file: string): LocatedManifestEntry[] {
  const entries = parsePromptManifest(text, file);
  const located = { jsonl: locateJsonLines, csv: locateCsv, json: locateJson }[manifestFormat(file)](text, entries);
  located.forEach((e, i) => {
    // Parsed twice, located once: the two must agree, or the marks would land on the wrong words.
    if (e.prompt !== entries[i]?.prompt) throw new Error(`manifest entry ${i + 1} (${e.key}): located prompt differs from the parsed one`);
  });
  return located;
}

// ── JSON ────────────────────────────────────────────────────────────────────────────────────────

interface DecodedString {
  value: string;
  /** Offset of the closing quote. */
  end: number;
  offsets: PromptOffsetMap;
}

/** Decodes the JSON string literal whose opening quote is at `quote`, keeping the offset map. */
function decodeJsonString(text: string, quote: number): DecodedString {
  if (text[quote] !== '"') throw new Error(`no JSON string at offset ${quote}`);
  const offsets = new PromptOffsetMap(quote + 1);
  let value = '';
  let i = quote + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new Error('unterminated JSON string');
    if (c === '"') break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === 'u') {
      value += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      value += ({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e ?? ''] ?? '';
      i += 2;
    }
    offsets.anchor(value.length, i);
  }
  return { value, end: i, offsets };
}

/** End (exclusive) of the JSON value that starts at `at` in a valid JSON text. */
function valueEnd(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return decodeJsonString(text, at).end + 1;
  if (c === '{' || c === '[') return balancedEnd(text, at) + 1;
  let i = at;
  while (i < text.length && !/[\s,}\]]/.test(text[i] as string)) i++;
  return i;
}

/** The prompt string of a record object `{ "video": …, "prompt": … }` starting at `at`. */
function recordPrompt(text: string, at: number, record: Record<string, unknown>): { start: number; decoded: DecodedString } {
  const field = fieldNameOf(record, PROMPT_FIELDS);
  const layout = scanJsonContainer(text, at);
  if (field === undefined || layout.kind !== 'object') throw new Error('record without a prompt field');
  // JSON.parse keeps the last of repeated keys, so the last one written is the prompt read.
  const member = [...layout.keys].reverse().find((k) => k.key === field);
  if (!member) throw new Error(`prompt field ${field} not found`);
  return { start: member.valueOffset, decoded: decodeJsonString(text, member.valueOffset) };
}

function located(entry: ManifestEntry, entrySpan: TextSpan, promptStart: number, decoded: DecodedString): LocatedManifestEntry {
  return { ...entry, prompt: decoded.value, entrySpan, promptSpan: { start: promptStart + 1, end: decoded.end }, offsets: decoded.offsets };
}

function locateJson(text: string, entries: ManifestEntry[]): LocatedManifestEntry[] {
  const bom = text.length - stripBom(text).length;
  const body = stripBom(text);
  const value = JSON.parse(body) as unknown;
  const layout = scanJsonContainer(body, 0);
  const shift = (e: LocatedManifestEntry): LocatedManifestEntry => (bom ? shiftEntry(e, bom) : e);
  if (Array.isArray(value) && layout.kind === 'array') {
    return entries.map((entry, i) => {
      const at = layout.elements[i]!.offset;
      const { start, decoded } = recordPrompt(body, at, value[i] as Record<string, unknown>);
      return shift(located(entry, { start: at, end: valueEnd(body, at) }, start, decoded));
    });
  }
  if (layout.kind === 'object') {
    return entries.map((entry, i) => {
      const member = layout.keys[i]!;
      const v = (value as Record<string, unknown>)[member.key];
      const span = { start: member.offset, end: valueEnd(body, member.valueOffset) };
      if (typeof v === 'string') return shift(located(entry, span, member.valueOffset, decodeJsonString(body, member.valueOffset)));
      const { start, decoded } = recordPrompt(body, member.valueOffset, v as Record<string, unknown>);
      return shift(located(entry, span, start, decoded));
    });
  }
  throw new Error('not a manifest layout');
}

function shiftEntry(e: LocatedManifestEntry, by: number): LocatedManifestEntry {
  return {
    ...e,
    entrySpan: { start: e.entrySpan.start + by, end: e.entrySpan.end + by },
    promptSpan: { start: e.promptSpan.start + by, end: e.promptSpan.end + by },
    offsets: e.offsets.shifted(by),
  };
}

// ── JSONL ───────────────────────────────────────────────────────────────────────────────────────

function locateJsonLines(text: string, entries: ManifestEntry[]): LocatedManifestEntry[] {
  const bom = text.length - stripBom(text).length;
  const out: LocatedManifestEntry[] = [];
  const lineBreak = /\r\n|\n|\r/g;
  let start = bom;
  for (;;) {
    const m = lineBreak.exec(text);
    const end = m ? m.index : text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      const entry = entries[out.length]!;
      const at = start + (line.length - line.trimStart().length);
      const { start: promptAt, decoded } = recordPrompt(text, at, JSON.parse(line) as Record<string, unknown>);
      out.push(located(entry, { start: at, end: start + line.trimEnd().length }, promptAt, decoded));
    }
    if (!m) break;
    start = m.index + m[0].length;
  }
  return out;
}

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

interface CsvField {
  value: string;
  /** The field as written, quotes included. */
  span: TextSpan;
  /** The content: inside the quotes of a quoted field. */
  content: TextSpan;
  offsets: PromptOffsetMap;
}

/**
 * The fields of the CSV record that starts at `at` in `text` (RFC 4180 as csv-parse reads it with
 * its defaults: ',' separator, '"' quotes with '""' inside; a line break inside quotes is kept as
 * '\n', as parsePromptManifest normalises line endings). Stops before the record's line break.
 */
function csvRecordFields(text: string, at: number): { fields: CsvField[]; end: number } {
  const fields: CsvField[] = [];
  let i = at;
  for (;;) {
    const fieldStart = i;
    let value = '';
    let offsets: PromptOffsetMap;
    let content: TextSpan;
    if (text[i] === '"') {
      offsets = new PromptOffsetMap(i + 1);
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error('unterminated quoted CSV field');
        if (c === '"') {
          if (text[i + 1] !== '"') break;
          value += '"';
          i += 2;
          offsets.anchor(value.length, i);
        } else if (c === '\r' && text[i + 1] === '\n') {
          value += '\n';
          i += 2;
          offsets.anchor(value.length, i);
        } else {
          value += c === '\r' ? '\n' : c;
          i++;
        }
      }
      content = { start: fieldStart + 1, end: i };
      i++; // closing quote
    } else {
      offsets = new PromptOffsetMap(i);
      while (i < text.length && !',\r\n'.includes(text[i] as string)) i++;
      value = text.slice(fieldStart, i);
      content = { start: fieldStart, end: i };
    }
    fields.push({ value, span: { start: fieldStart, end: i }, content, offsets });
    if (text[i] !== ',') return { fields, end: i };
    i++;
  }
}

function locateCsv(text: string, entries: ManifestEntry[]): LocatedManifestEntry[] {
  // The same parse as parsePromptManifest (line endings normalised): `raw` is each record as
  // written, after the blank lines before it; walking `text` alongside maps it back to the file.
  const body = text.replace(/\r\n?/g, '\n');
  const rows = parseCsv(body, { bom: true, skip_empty_lines: true, raw: true }) as unknown as { record: string[]; raw: string }[];
  let t = text.length - stripBom(text).length;
  const records: { fields: CsvField[]; span: TextSpan }[] = [];
  for (const { record, raw } of rows) {
    const blank = /^\n*/.exec(raw)?.[0].length ?? 0;
    t = advance(text, t, blank);
    const { fields, end } = csvRecordFields(text, t);
    if (fields.length !== record.length || fields.some((f, k) => f.value !== record[k])) {
      throw new Error(`CSV record at offset ${t} read differently than csv-parse read it`);
    }
    records.push({ fields, span: { start: t, end } });
    t = advance(text, t, raw.length - blank);
  }
  const [header, ...rest] = records;
  if (!header) return [];
  const columns = header.fields.map((f) => f.value.trim().toLowerCase());
  const promptCol = PROMPT_FIELDS.map((f) => columns.indexOf(f)).find((i) => i >= 0);
  const videoCol = VIDEO_FIELDS.map((f) => columns.indexOf(f)).find((i) => i >= 0);
  if (promptCol === undefined || videoCol === undefined) throw new Error('CSV header without video and prompt columns');
  return entries.map((entry, i) => {
    const r = rest[i]!;
    const f = r.fields[promptCol];
    if (!f) {
      const offsets = new PromptOffsetMap(r.span.end);
      return { ...entry, prompt: '', entrySpan: r.span, promptSpan: { start: r.span.end, end: r.span.end }, offsets };
    }
    return { ...entry, prompt: f.value, entrySpan: r.span, promptSpan: f.content, offsets: f.offsets };
  });
}

/** The offset in `text` that is `n` characters of the line-ending-normalised text after `t`. */
function advance(text: string, t: number, n: number): number {
  let i = t;
  for (let k = 0; k < n; k++) i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
  return i;
}
