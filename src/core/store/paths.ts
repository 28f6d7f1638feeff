// Where things live in the user's workspace (docs/ARCHITECTURE.md, "Files in the workspace"; the
// folder names are FINGER_PATHS in src/shared/model.ts).
import * as path from 'node:path';
import { FINGER_PATHS } from '../../shared/model';
import { isInsideRelative, relativePosix } from '../../shared/paths';
import { FingerError } from '../errors';

export { isInsideRelative };
export const FINGER_DIR = FINGER_PATHS.root;
export const DEFAULT_RESULTS_DIR: string = FINGER_PATHS.results;

/** `abs` relative to the workspace, with forward slashes. Refuses paths outside the workspace, so a
 *  manifest, question set or webview message can never make us read or write elsewhere. */
export function toWorkspaceRelative(workspaceRoot: string, absPath: string): string {
  const rel = relativePosix(path.resolve(workspaceRoot), path.resolve(absPath));
  if (rel === '' || !isInsideRelative(rel)) {
    throw new FingerError(`is outside the workspace ${workspaceRoot}.`, {
      file: absPath,
      hint: 'Open the folder that contains it as the workspace, or pass --workspace.',
    });
  }
  return rel;
}

/** Resolves a workspace-relative path (from a message or a file) and refuses anything outside. */
export function fromWorkspaceRelative(workspaceRoot: string, relPath: string): string {
  const abs = path.resolve(workspaceRoot, relPath);
  toWorkspaceRelative(workspaceRoot, abs);
  return abs;
}

function underFinger(workspaceRoot: string, dir: string, videoPath: string, suffix: string): string {
  const rel = toWorkspaceRelative(workspaceRoot, videoPath);
  return path.join(path.resolve(workspaceRoot), dir, ...rel.split('/')) + suffix;
}

/** `<ws>/.finger/results/<video path relative to ws>.json` */
export function resultPathFor(workspaceRoot: string, videoPath: string, resultsDir = DEFAULT_RESULTS_DIR): string {
  return underFinger(workspaceRoot, resultsDir, videoPath, '.json');
}

/** `<ws>/.finger/labels/<video path relative to ws>.json` — human corrections, never overwritten by a re-score. */
export function labelsPathFor(workspaceRoot: string, videoPath: string): string {
  return underFinger(workspaceRoot, FINGER_PATHS.labels, videoPath, '.json');
}

/** The video a result file belongs to (inverse of resultPathFor), workspace-relative. */
export function videoRelPathOfResult(workspaceRoot: string, resultFile: string, resultsDir = DEFAULT_RESULTS_DIR): string | undefined {
  const rel = relativePosix(path.resolve(workspaceRoot, resultsDir), resultFile);
  if (!isInsideRelative(rel) || !rel.endsWith('.json')) return undefined;
  return rel.slice(0, -'.json'.length);
}

export function cacheDir(workspaceRoot: string, kind: 'frames' | 'answers' | 'questions'): string {
  return path.join(path.resolve(workspaceRoot), ...FINGER_PATHS.cache.split('/'), kind);
}
