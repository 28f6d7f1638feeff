// Reads the scored clips of a folder for the workbench commands: their results, and the model and
// prompt id their prompt manifest gives them. A broken result file is listed, not thrown.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { FingerError } from '../errors';
import { readPrompt } from '../prompts';
import { protocolResultsDir } from '../protocols';
import { listResults, partitionListed, toWorkspaceRelative } from '../store';
import type { Protocol } from '../types';
import { groupClips, type ClipRecord, type Grouping } from './grouping';

export interface LoadedClips {
  /** Workspace-relative folder ('' for the workspace itself). */
  root: string;
  clips: ClipRecord[];
  /** Result files that could not be read: the file and why. */
  broken: { file: string; error: string }[];
}

/** The workspace-relative form of `folder`, refusing a folder outside the workspace. */
export function folderUnder(workspace: string, folder: string): string {
  const abs = path.resolve(workspace, folder);
  if (path.resolve(workspace) === abs) return '';
  return toWorkspaceRelative(workspace, abs);
}

export async function loadClips(workspace: string, folder: string, protocol: Protocol = 'finger'): Promise<LoadedClips> {
  const root = folderUnder(workspace, folder);
  const abs = path.resolve(workspace, folder);
  const listed = await listResults(workspace, protocolResultsDir(protocol));
  const inside = listed.filter((l) => root === '' || l.videoRelPath.startsWith(`${root}/`));
  // Results are what counts (the clips may have moved since); a path with neither is a typo.
  const info = await stat(abs).catch(() => null);
  if (inside.length === 0 && !info?.isDirectory()) {
    throw new FingerError(info ? 'is not a folder.' : 'does not exist.', {
      file: abs,
      hint: 'Pass the folder that holds the clips (one subfolder per model, or a prompt manifest with a model column).',
    });
  }
  const clips: ClipRecord[] = [];
  const { read, broken } = partitionListed(inside);
  for (const item of read) {
    const record: ClipRecord = { video: item.videoRelPath, resultFile: item.file, result: item.result };
    // The manifest's model and prompt_id, when the clip's prompt comes from one. A prompt that can
    // no longer be read (file moved since scoring) just has none: the result keeps its prompt text.
    const source = await readPrompt(path.join(workspace, item.videoRelPath), workspace)
      .then((p) => p.source)
      .catch(() => undefined);
    if (source?.model !== undefined) record.manifestModel = source.model;
    if (source?.promptId !== undefined) record.manifestPromptId = source.promptId;
    clips.push(record);
  }
  return { root, clips, broken };
}

/** The deepest folder that holds every clip ('' when they share none). */
export function commonFolder(videos: readonly string[]): string {
  if (videos.length === 0) return '';
  let parts = videos[0]!.split('/').slice(0, -1);
  for (const v of videos) {
    const p = v.split('/').slice(0, -1);
    let i = 0;
    while (i < parts.length && i < p.length && parts[i] === p[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/');
}

/** loadClips + groupClips, with the messages every workbench command gives for an empty folder. */
export async function loadGrouping(
  workspace: string,
  folder: string,
  protocol: Protocol = 'finger',
): Promise<{ grouping: Grouping; broken: LoadedClips['broken'] }> {
  const loaded = await loadClips(workspace, folder, protocol);
  if (loaded.clips.length === 0) {
    const abs = path.resolve(workspace, folder);
    const brokenNote = loaded.broken.length > 0 ? ` (${loaded.broken.length} result file(s) there could not be read)` : '';
    throw new FingerError(`has no scored clips${brokenNote}.`, { file: abs, hint: `Score them first: finger score ${folder}` });
  }
  return { grouping: groupClips(loaded.clips, loaded.root), broken: loaded.broken };
}
