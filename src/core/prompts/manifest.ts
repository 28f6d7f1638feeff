// Prompt manifests: one file mapping many videos to their prompts (docs/ARCHITECTURE.md, "Files in the
// user's workspace"). Parsing is pure (text in → entries with line numbers out); reading adds a
// small cache so scoring a folder of 1,000 clips does not parse the same CSV 1,000 times.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { FingerError } from '../errors';
import { parseJsonText, positionToLineColumn, scanTopLevelJson, stripBom } from '../json';
import { readTextFile } from './text-file';

/** Looked for in this order in each folder. */
export const MANIFEST_NAMES = ['prompts.json', 'prompts.jsonl', 'prompts.csv'] as const;
export type ManifestName = (typeof MANIFEST_NAMES)[number];

/** Field names, in order of preference, in array/JSONL entries and CSV headers (case-insensitive). */
export const VIDEO_FIELDS = ['video', 'file', 'path', 'name', 'filename', 'file_name', 'video_path'] as const;
export const PROMPT_FIELDS = ['prompt', 'text', 'caption'] as const;
/** Optional fields naming the model that made the clip and the prompt it belongs to, for
 *  comparing models on the same prompts (README, "Comparing models"). */
export const MODEL_FIELDS = ['model', 'model_name', 'generator'] as const;
export const PROMPT_ID_FIELDS = ['prompt_id', 'promptid', 'prompt-id'] as const;

const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

export interface ManifestEntry {
  /** The key as written (a file name or a path relative to the manifest's folder). */
  key: string;
  /** normaliseManifestKey(key). */
  normalisedKey: string;
  /** Untrimmed; readPrompt trims and checks it. */
  prompt: string;
  /** 1-based line where the entry starts. */
  line: number;
  /** The `model` field or column, when the manifest has one and it is not empty. */
  model?: string;
  /** The `prompt_id` field or column, when the manifest has one and it is not empty. */
  promptId?: string;
}

export function isPromptManifest(file: string): boolean {
  return (MANIFEST_NAMES as readonly string[]).includes(basename(file));
}

/** Forward slashes, no leading "./", no doubled or trailing slashes. Case is kept. */
export function normaliseManifestKey(key: string): string {
  let k = key
    .trim()
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/');
  while (k.startsWith('./')) k = k.slice(2);
  return k.replace(/\/$/, '');
}

/** A manifest's format, from its file name: JSON Lines, CSV, else JSON. */
export function manifestFormat(file: string): 'jsonl' | 'csv' | 'json' {
  const name = basename(file);
  return name.endsWith('.jsonl') ? 'jsonl' : name.endsWith('.csv') ? 'csv' : 'json';
}

const PARSERS = { jsonl: parseJsonLines, csv: parseCsvManifest, json: parseJsonManifest } as const;

export function parsePromptManifest(text: string, file: string): ManifestEntry[] {
  const entries = PARSERS[manifestFormat(file)](text, file);
  rejectDuplicates(entries, file);
  return entries;
}

const cache = new Map<string, { mtimeMs: number; size: number; entries: ManifestEntry[] }>();

export async function readPromptManifest(file: string): Promise<ManifestEntry[]> {
  const info = await stat(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.entries;
  const text = await readTextFile(file, { maxBytes: MAX_MANIFEST_BYTES, what: 'The prompt manifest' });
  const entries = parsePromptManifest(text, file);
  if (cache.size > 64) cache.clear();
  cache.set(file, { mtimeMs: info.mtimeMs, size: info.size, entries });
  return entries;
}

function entry(key: string, prompt: string, line: number, extra: { model?: unknown; promptId?: unknown } = {}): ManifestEntry {
  const e: ManifestEntry = { key, normalisedKey: normaliseManifestKey(key), prompt, line };
  const model = labelValue(extra.model);
  const promptId = labelValue(extra.promptId);
  if (model !== undefined) e.model = model;
  if (promptId !== undefined) e.promptId = promptId;
  return e;
}

/** A model name or prompt id as written: strings trimmed, numbers (`"prompt_id": 7`) as text. */
function labelValue(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function labelsOf(record: Record<string, unknown>): { model?: unknown; promptId?: unknown } {
  return { model: pickField(record, MODEL_FIELDS), promptId: pickField(record, PROMPT_ID_FIELDS) };
}

function manifestError(message: string, file: string, line?: number): FingerError {
  return new FingerError(line ? `line ${line}: ${message}` : message, {
    file,
    ...(line ? { line } : {}),
    hint: 'Fix the manifest: prompts.json is {"clip.mp4": "prompt"} or [{"video": "clip.mp4", "prompt": "…"}], prompts.jsonl has one such object per line, prompts.csv has a header row with a video and a prompt column.',
  });
}

function parseJsonManifest(text: string, file: string): ManifestEntry[] {
  const body = stripBom(text);
  const value = parseJsonText(body, file, 'Fix the JSON syntax of the manifest.');
  const layout = scanTopLevelJson(body);
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : positionToLineColumn(body, offset).line);
  if (Array.isArray(value) && layout.kind === 'array') {
    return value.map((item, i) => entryFromRecord(item, file, lineAt(layout.elements[i]?.offset)));
  }
  if (value !== null && typeof value === 'object' && layout.kind === 'object') {
    return layout.keys.map(({ key, offset }) => {
      const line = lineAt(offset);
      // With duplicate keys JSON.parse keeps the last value; rejectDuplicates reports them anyway.
      const v = (value as Record<string, unknown>)[key];
      if (typeof v === 'string') return entry(key, v, line);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const prompt = pickField(v as Record<string, unknown>, PROMPT_FIELDS);
        if (typeof prompt === 'string') return entry(key, prompt, line, labelsOf(v as Record<string, unknown>));
      }
      throw manifestError(`the value for ${JSON.stringify(key)} is not a prompt string.`, file, line);
    });
  }
  throw manifestError('expected an object {"clip.mp4": "prompt"} or an array of {"video", "prompt"} objects.', file);
}

function parseJsonLines(text: string, file: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const lines = stripBom(text).split(/\r\n|\n|\r/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw manifestError(
        `is not valid JSON (${e instanceof Error ? e.message.replace(/ in JSON at position \d+.*$/, '') : String(e)}).`,
        file,
        lineNo,
      );
    }
    out.push(entryFromRecord(value, file, lineNo));
  });
  return out;
}

function entryFromRecord(value: unknown, file: string, line: number): ManifestEntry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw manifestError('expected an object like {"video": "clip.mp4", "prompt": "…"}.', file, line);
  }
  const record = value as Record<string, unknown>;
  const key = pickField(record, VIDEO_FIELDS);
  const prompt = pickField(record, PROMPT_FIELDS);
  if (typeof key !== 'string' || key.trim() === '') {
    throw manifestError(`the entry has no video name (one of the fields ${VIDEO_FIELDS.join(', ')}).`, file, line);
  }
  if (typeof prompt !== 'string') {
    throw manifestError(
      `the entry for ${JSON.stringify(key)} has no prompt string (one of the fields ${PROMPT_FIELDS.join(', ')}).`,
      file,
      line,
    );
  }
  return entry(key, prompt, line, labelsOf(record));
}

/** The first of `names` present in `record`, matching names case-insensitively. */
function pickField(record: Record<string, unknown>, names: readonly string[]): unknown {
  const actual = fieldNameOf(record, names);
  return actual === undefined ? undefined : record[actual];
}

/** The key of `record` that pickField reads for `names` (as written), or undefined. */
export function fieldNameOf(record: Record<string, unknown>, names: readonly string[]): string | undefined {
  const lower = new Map(Object.keys(record).map((k) => [k.trim().toLowerCase(), k]));
  for (const name of names) {
    const actual = lower.get(name);
    if (actual !== undefined) return actual;
  }
  return undefined;
}

function parseCsvManifest(text: string, file: string): ManifestEntry[] {
  // One line-ending style, so csv-parse counts lines right in files edited on several systems.
  const body = text.replace(/\r\n?/g, '\n');
  let rows: { record: string[]; raw: string }[];
  try {
    rows = parseCsv(body, { bom: true, skip_empty_lines: true, raw: true }) as unknown as typeof rows;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw manifestError(`is not valid CSV: ${e instanceof Error ? e.message : String(e)}`, file, line);
  }
  // `raw` holds the skipped blank lines before a record and its own line breaks, so counting
  // them gives the line each record starts on (a quoted prompt may span several lines).
  let linesBefore = 0;
  const located = rows.map(({ record, raw }) => {
    const line = linesBefore + 1 + (/^\n*/.exec(raw)?.[0].length ?? 0);
    linesBefore += raw.split('\n').length - 1;
    return { record, line };
  });
  const [header, ...records] = located;
  if (!header) return [];
  const columns = header.record.map((h) => h.trim().toLowerCase());
  const videoCol = VIDEO_FIELDS.map((f) => columns.indexOf(f)).find((i) => i >= 0);
  const promptCol = PROMPT_FIELDS.map((f) => columns.indexOf(f)).find((i) => i >= 0);
  if (videoCol === undefined || promptCol === undefined) {
    throw manifestError(
      `the header row (${header.record.join(', ')}) needs a video column (${VIDEO_FIELDS.join('/')}) and a prompt column (${PROMPT_FIELDS.join('/')}).`,
      file,
      header.line,
    );
  }
  const modelCol = MODEL_FIELDS.map((f) => columns.indexOf(f)).find((i) => i >= 0);
  const promptIdCol = PROMPT_ID_FIELDS.map((f) => columns.indexOf(f)).find((i) => i >= 0);
  return records.map(({ record, line }) => {
    const key = record[videoCol] ?? '';
    if (key.trim() === '') throw manifestError('the video column is empty.', file, line);
    return entry(key, record[promptCol] ?? '', line, {
      model: modelCol === undefined ? undefined : record[modelCol],
      promptId: promptIdCol === undefined ? undefined : record[promptIdCol],
    });
  });
}

function rejectDuplicates(entries: ManifestEntry[], file: string): void {
  const seen = new Map<string, ManifestEntry>();
  for (const e of entries) {
    const first = seen.get(e.normalisedKey);
    if (first) {
      throw new FingerError(`${JSON.stringify(e.key)} is listed twice (lines ${first.line} and ${e.line}).`, {
        file,
        line: e.line,
        hint: 'Keep one entry per video so it is clear which prompt is meant.',
      });
    }
    seen.set(e.normalisedKey, e);
  }
}
