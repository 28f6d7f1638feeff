// Where a video's questions come from: `<name>.questions.json` beside it when present, else
// generated from its prompt (FingER steps 1–2; cached by prompt + templates + model).
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { ChatClient } from '../endpoint/types';
import type { Logger } from '../log';
import { readPrompt } from '../prompts';
import { cacheDir } from '../store';
import { loadTemplates, type Templates } from '../templates';
import type { QuestionSet } from '../types';
import { generateQuestionSet } from './generate';
import { readQuestionSet } from './question-set-file';

/** `clip.mp4` → `clip.questions.json` beside it. */
export function questionSetPathFor(videoPath: string): string {
  const ext = path.extname(videoPath);
  return path.join(path.dirname(videoPath), `${path.basename(videoPath, ext)}.questions.json`);
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export interface PrepareQuestionSetOptions {
  videoPath: string;
  workspaceRoot: string;
  /** The question model (an Engine has these). */
  engine: { readonly questionClient: ChatClient; readonly questionModel: string; readonly logger: Logger };
  signal?: AbortSignal;
  templates?: Templates;
  /** Ignore a `<name>.questions.json` beside the video (regenerate from the prompt). */
  ignoreQuestionFile?: boolean;
}

export interface PreparedQuestionSet {
  prompt: string;
  promptSource?: { kind: string; file: string };
  questionSet: QuestionSet;
  from: 'file' | 'generated';
  questionFile?: string;
}

/** The questions for a video: `<name>.questions.json` beside it when present, else generated from
 *  its prompt (cached by prompt + templates + model, so asking twice costs nothing). */
export async function prepareQuestionSet(o: PrepareQuestionSetOptions): Promise<PreparedQuestionSet> {
  const questionFile = questionSetPathFor(o.videoPath);
  if (!o.ignoreQuestionFile && (await exists(questionFile))) {
    const questionSet = await readQuestionSet(questionFile);
    return { prompt: questionSet.prompt, questionSet, from: 'file', questionFile };
  }
  const { prompt, source } = await readPrompt(o.videoPath, o.workspaceRoot);
  const templates = o.templates ?? (await loadTemplates({ workspaceRoot: o.workspaceRoot }));
  const questionSet = await generateQuestionSet(o.engine.questionClient, prompt, templates, {
    signal: o.signal,
    model: o.engine.questionModel,
    cacheDir: cacheDir(o.workspaceRoot, 'questions'),
    logger: o.engine.logger,
  });
  return { prompt, promptSource: source, questionSet, from: 'generated' };
}
