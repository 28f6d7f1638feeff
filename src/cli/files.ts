// Which videos a `finger score a.mp4 folder/` means: files as given, folders searched recursively.
import { readdir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { FingerError } from '../core/errors';
import { isInsideRelative } from '../core/store/paths';
import { isVideoPath } from '../core/types';
import { FINGER_PATHS } from '../shared/model';

/** Folders never searched: our own output, dependencies, version control. */
const SKIPPED_DIRS = new Set([FINGER_PATHS.root, 'node_modules', '.git', '.cache']);

export interface FoundVideos {
  videos: string[];
  /** Files that were named or found but cannot be scored, with the reason (reported, not fatal). */
  skipped: { file: string; reason: string }[];
}

export async function findVideos(inputs: string[], workspaceRoot: string): Promise<FoundVideos> {
  const root = await realpath(path.resolve(workspaceRoot));
  const videos: string[] = [];
  const skipped: FoundVideos['skipped'] = [];
  const seen = new Set<string>();

  // A symlink may point anywhere: the file we would read must be inside the workspace.
  const insideWorkspace = async (file: string): Promise<boolean> => {
    const real = await realpath(file);
    const rel = path.relative(root, real);
    return isInsideRelative(rel);
  };
  const add = async (file: string) => {
    const abs = path.resolve(file);
    if (seen.has(abs)) return;
    seen.add(abs);
    let inside: boolean;
    try {
      inside = await insideWorkspace(abs);
    } catch (e) {
      // A symlink whose target is gone (realpath fails): one skipped file, not the end of the run.
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      skipped.push({ file: abs, reason: `cannot be read (${code}); if it is a link, its target is missing: fix or remove the link.` });
      return;
    }
    if (!inside) {
      skipped.push({ file: abs, reason: `points outside the workspace ${root}; copy it into the workspace or pass --workspace.` });
      return;
    }
    videos.push(abs);
  };
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) await walk(full);
      } else if ((e.isFile() || e.isSymbolicLink()) && isVideoPath(e.name)) {
        await add(full);
      }
    }
  };

  for (const input of inputs) {
    const abs = path.resolve(input);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new FingerError('does not exist.', { file: input, hint: 'Check the path.' });
    }
    if (st.isDirectory()) await walk(abs);
    else if (isVideoPath(abs)) await add(abs);
    else throw new FingerError('is not a video file (mp4, mov, m4v, mkv, webm or avi) or a folder.', { file: input });
  }
  return { videos, skipped };
}
