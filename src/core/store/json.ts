// Reading and writing the JSON files people may also edit by hand. Writes are atomic (temporary
// file + rename, via write-file-atomic), so a crash or SIGKILL leaves the old file or the new
// one, never half of one. Reads validate with zod and name the file and the field when bad.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { z } from 'zod';
import { FingerError } from '../errors';

export async function writeJsonAtomic(file: string, data: unknown): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n', { encoding: 'utf8', fsync: true });
}

/** Any text file (exports, reports, picks) written the same atomic way. */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, text, { encoding: 'utf8', fsync: true });
}

/** Parses `text` as JSON or throws a FingerError with the file, line and column. */
export function parseJsonFile(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const line = lineOfJsonError(text, message);
    throw new FingerError(`is not valid JSON (${message}).`, {
      file,
      line,
      hint: `Fix the ${what} by hand or delete it${what === 'result' ? ' and score the video again' : ''}.`,
    });
  }
}

function lineOfJsonError(text: string, message: string): number | undefined {
  const lineMatch = /line (\d+)/.exec(message);
  if (lineMatch) return Number(lineMatch[1]);
  const posMatch = /position (\d+)/.exec(message);
  if (posMatch) return text.slice(0, Number(posMatch[1])).split('\n').length;
  return undefined;
}

/** "questions[3].dimension: Invalid option …" — zod issues as a person reads them. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const where = i.path.reduce<string>(
        (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
        '',
      );
      return `${where || '(root)'}: ${i.message}`;
    })
    .join('; ');
}

export async function readJsonValidated<S extends z.ZodType>(file: string, schema: S, what: string): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FingerError(code === 'ENOENT' ? `does not exist.` : `could not be read (${code ?? String(e)}).`, { file, cause: e });
  }
  const parsed = schema.safeParse(parseJsonFile(text, file, what));
  if (!parsed.success) {
    throw new FingerError(`is not a valid ${what} file: ${describeZodError(parsed.error)}.`, {
      file,
      hint: `Fix the ${what} by hand or delete it${what === 'result' ? ' and score the video again' : ''}.`,
    });
  }
  return parsed.data;
}
