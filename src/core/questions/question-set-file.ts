// `*.questions.json` on disk: read with errors that name the file, the line and the field
// (`questions[3].dimension`), written atomically (temporary file + rename).
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { FingerError } from '../errors';
import { QuestionSetSchema, type QuestionSet } from '../types';
import { formatIssuePath, locateJsonPath, parseJsonText, positionToLineColumn, stripBom } from '../json';

const HINT = 'Fix the file (see "Question set" in the README), or delete it to generate the questions again.';

export async function readQuestionSet(file: string): Promise<QuestionSet> {
  let text: string;
  try {
    text = stripBom(await readFile(file, 'utf8'));
  } catch (e) {
    throw new FingerError(`could not read the question set: ${(e as Error).message}`, { file, cause: e });
  }
  return parseQuestionSet(text, file);
}

/** Parses and validates the text of a question set; `file` is used in messages. */
export function parseQuestionSet(text: string, file: string): QuestionSet {
  const body = stripBom(text);
  const json = parseJsonText(body, file, HINT);
  const result = QuestionSetSchema.safeParse(json);
  const lineOf = (path: readonly PropertyKey[]) => positionToLineColumn(body, locateJsonPath(body, path)).line;
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    const line = lineOf(path);
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new FingerError(`is not a valid question set: ${formatIssuePath(path)}: ${issue?.message ?? 'invalid'} (line ${line})${more}.`, {
      file,
      line,
      hint: HINT,
    });
  }
  const firstIndexOfId = new Map<string, number>();
  result.data.questions.forEach((q, i) => {
    const first = firstIndexOfId.get(q.id);
    if (first !== undefined) {
      const line = lineOf(['questions', i, 'id']);
      throw new FingerError(
        `is not a valid question set: questions[${i}].id: "${q.id}" is also the id of questions[${first}] (line ${line}).`,
        {
          file,
          line,
          hint: 'Give every question its own id; results and labels refer to questions by id.',
        },
      );
    }
    firstIndexOfId.set(q.id, i);
  });
  return result.data;
}

export async function writeQuestionSet(file: string, set: QuestionSet): Promise<void> {
  const checked = QuestionSetSchema.safeParse(set);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new FingerError(
      `refusing to write an invalid question set: ${formatIssuePath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}.`,
      { file },
    );
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, `${JSON.stringify(checked.data, null, 2)}\n`, { encoding: 'utf8' });
}
