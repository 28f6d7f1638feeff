// Workspace-relative paths as FingER writes them everywhere (result files, labels, messages to the
// webviews, the panels' saved state): relative to the workspace folder, with forward slashes.
// Node-only (node:path); the webviews receive such paths ready-made and never import this.
import * as path from 'node:path';

/**
 * Whether a `path.relative(root, x)` result stays inside `root`. A name that merely starts with
 * two dots (`..clip.mp4`) is inside; only `..` itself or `../…` leaves.
 */
export function isInsideRelative(rel: string): boolean {
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !rel.startsWith('../') && !path.isAbsolute(rel);
}

/** `file` relative to `folder`, forward slashes on every platform. No check that it stays inside
 *  (see isInsideRelative, and toWorkspaceRelative in the store, which refuses what does not). */
export function relativePosix(folder: string, file: string): string {
  return path.relative(folder, file).split(path.sep).join('/');
}
