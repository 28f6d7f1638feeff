// Which video a URI is about: the video itself, or the video whose prompt a file holds; and in which
// workspace folder it lives (results and labels are kept per workspace folder).
import * as vscode from 'vscode';
import { FingerError } from '../core/errors';
import { isVideoPath } from '../shared/model';
import { relativePosix } from '../shared/paths';

export interface VideoTarget {
  /** Absolute path of the video. */
  video: string;
  workspaceRoot: string;
  /** Workspace-relative, forward slashes. */
  relPath: string;
}

export function workspaceRootOf(file: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath;
}

export function toTarget(video: string): VideoTarget {
  const workspaceRoot = workspaceRootOf(video);
  if (!workspaceRoot) {
    throw new FingerError('is not inside an open workspace folder.', {
      file: video,
      hint: 'FingER keeps results under .finger/ in the workspace folder: open the folder that contains the video.',
    });
  }
  return { video, workspaceRoot, relPath: relativePosix(workspaceRoot, video) };
}

/** The video of a prompt file (sidecar `clip.txt` → `clip.mp4`), or undefined. */
export async function videoForPromptFile(file: string): Promise<string | undefined> {
  const workspaceRoot = workspaceRootOf(file);
  if (!workspaceRoot) return undefined;
  const prompts = await import('../core/prompts');
  if (!prompts.isPromptFile(file)) return undefined;
  try {
    return (await prompts.findVideoForPromptFile(file)) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A video, or the video of a prompt file. */
export async function videoOf(uri: vscode.Uri): Promise<string | undefined> {
  if (uri.scheme !== 'file') return undefined;
  if (isVideoPath(uri.fsPath)) return uri.fsPath;
  return videoForPromptFile(uri.fsPath);
}

/** The URI of the active tab: a text editor, a custom editor (VS Code's video preview), or a diff. */
export function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  if (input instanceof vscode.TabInputTextDiff) return input.modified;
  return vscode.window.activeTextEditor?.document.uri;
}

/** The prompt file of a video, for opening beside the results panel. */
export async function promptFileOf(target: VideoTarget): Promise<string | undefined> {
  return (await promptLocationOf(target))?.file;
}

/** The prompt file of a video and, for a manifest, the 1-based line of the video's entry (so the
 *  file can be opened at that entry). */
export async function promptLocationOf(target: VideoTarget): Promise<{ file: string; line?: number } | undefined> {
  try {
    const prompts = await import('../core/prompts');
    const { source } = await prompts.readPrompt(target.video, target.workspaceRoot);
    return source.line ? { file: source.file, line: source.line } : { file: source.file };
  } catch {
    return undefined;
  }
}
