// Which model made a clip and which prompt it belongs to (README, "Comparing models"):
//   1. a manifest's `model` and `prompt_id` columns or fields;
//   2. else the layout <root>/<model>/<same relative path> (the extension may differ);
//   3. else identical prompt text, the model being the clip's first folder under the root.
// FingER's questions depend only on the prompt, so clips of one prompt share one question set and
// their answers line up question by question. Pure: clip records in, groups out.
import * as path from 'node:path';
import { FingerError } from '../errors';
import type { Result } from '../types';

export interface ClipRecord {
  /** Workspace-relative path of the video, forward slashes. */
  video: string;
  /** The result file it was read from. */
  resultFile: string;
  result: Result;
  /** The manifest entry's `model`, when the clip's prompt comes from a manifest that has one. */
  manifestModel?: string;
  /** The manifest entry's `prompt_id`. */
  manifestPromptId?: string;
}

export type GroupingMethod = 'manifest' | 'layout' | 'prompt-text';

export interface GroupedClip extends ClipRecord {
  model: string;
  /** Which prompt: the manifest's prompt_id, the layout's relative path, or the prompt text. */
  promptKey: string;
}

export interface PromptGroup {
  key: string;
  prompt: string;
  clips: GroupedClip[];
  /** Models with at least one clip of this prompt, sorted. */
  models: string[];
}

export interface Grouping {
  method: GroupingMethod;
  /** Workspace-relative folder the clips were taken from ('' for the whole workspace). */
  root: string;
  models: string[];
  prompts: PromptGroup[];
}

/** How many file names an error lists before "and N more". */
const LISTED = 8;

export function listFiles(files: readonly string[]): string {
  const shown = files.slice(0, LISTED).join(', ');
  return files.length > LISTED ? `${shown} and ${files.length - LISTED} more` : shown;
}

/** `video` relative to `root` (both workspace-relative), split into folders and the name. */
function segmentsUnder(root: string, video: string): string[] {
  const rel = root === '' ? video : path.posix.relative(root, video);
  return rel.split('/').filter((s) => s !== '');
}

function withoutExtension(p: string): string {
  const ext = path.posix.extname(p);
  return ext ? p.slice(0, -ext.length) : p;
}

/** The name a clip directly in the root gets as its model: the root folder's own name. */
function rootModelName(root: string): string {
  return root === '' ? '.' : path.posix.basename(root);
}

/** The layout <root>/<model>/<rest> applies when every clip is inside a model folder, there are
 *  at least two model folders, and some relative path (without extension) is in two of them. */
function layoutApplies(root: string, clips: readonly ClipRecord[]): boolean {
  const modelsByRest = new Map<string, Set<string>>();
  const models = new Set<string>();
  for (const c of clips) {
    const seg = segmentsUnder(root, c.video);
    if (seg.length < 2) return false;
    models.add(seg[0]!);
    const rest = withoutExtension(seg.slice(1).join('/'));
    const set = modelsByRest.get(rest) ?? new Set<string>();
    set.add(seg[0]!);
    modelsByRest.set(rest, set);
  }
  return models.size >= 2 && [...modelsByRest.values()].some((s) => s.size >= 2);
}

/**
 * Groups scored clips by prompt and names their models. Throws a FingerError naming the files
 * when the clips cannot be grouped: manifest clips without a model, or clips put under one
 * prompt whose prompt texts differ (their question sets would not line up).
 */
export function groupClips(clips: readonly ClipRecord[], root = ''): Grouping {
  const fromManifest = clips.some((c) => c.manifestModel !== undefined || c.manifestPromptId !== undefined);
  const method: GroupingMethod = fromManifest ? 'manifest' : layoutApplies(root, clips) ? 'layout' : 'prompt-text';
  const grouped: GroupedClip[] = [];
  const noModel: string[] = [];
  for (const c of clips) {
    const seg = segmentsUnder(root, c.video);
    const folderModel = seg.length >= 2 ? seg[0]! : undefined;
    let model: string | undefined;
    let promptKey: string;
    if (method === 'manifest') {
      model = c.manifestModel ?? folderModel;
      promptKey = c.manifestPromptId ?? c.result.prompt;
    } else if (method === 'layout') {
      model = folderModel;
      promptKey = withoutExtension(seg.slice(1).join('/'));
    } else {
      model = folderModel ?? rootModelName(root);
      promptKey = c.result.prompt;
    }
    if (model === undefined) {
      noModel.push(c.video);
      continue;
    }
    grouped.push({ ...c, model, promptKey });
  }
  if (noModel.length > 0) {
    throw new FingerError(`cannot tell which model made ${noModel.length} clip(s): ${listFiles(noModel)}.`, {
      hint: "Give every entry of the prompt manifest a model column or field, or put each model's clips in its own folder <root>/<model>/.",
    });
  }

  const byKey = new Map<string, GroupedClip[]>();
  for (const c of grouped) byKey.set(c.promptKey, [...(byKey.get(c.promptKey) ?? []), c]);
  const prompts: PromptGroup[] = [];
  const conflicts: string[] = [];
  for (const [key, members] of [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const texts = new Set(members.map((m) => m.result.prompt));
    if (texts.size > 1) {
      conflicts.push(`${method === 'manifest' ? `prompt_id ${JSON.stringify(key)}` : key}: ${listFiles(members.map((m) => m.video))}`);
      continue;
    }
    members.sort((a, b) => (a.model === b.model ? (a.video < b.video ? -1 : 1) : a.model < b.model ? -1 : 1));
    prompts.push({ key, prompt: members[0]!.result.prompt, clips: members, models: [...new Set(members.map((m) => m.model))].sort() });
  }
  if (conflicts.length > 0) {
    throw new FingerError(
      `these clips are grouped as one prompt but their prompt texts differ, so their questions would not line up: ${conflicts.slice(0, LISTED).join('; ')}${conflicts.length > LISTED ? ` and ${conflicts.length - LISTED} more` : ''}.`,
      {
        hint:
          method === 'manifest'
            ? 'Give clips of the same prompt the same prompt text in the manifest, or different prompt_id values.'
            : 'Files with the same relative path under different model folders must have the same prompt; rename the files or give the manifest a prompt_id column.',
      },
    );
  }
  return { method, root, models: [...new Set(grouped.map((c) => c.model))].sort(), prompts };
}
