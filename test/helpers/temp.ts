// Temporary folders for tests: one root per test file or suite, made in a `before` hook and
// removed in an `after` hook, with a fresh workspace folder per call.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { makeTempDir, removeTempDir } from './clips';

export interface TempRoot {
  /** The root folder; only inside tests and hooks (it is made in `before`). */
  readonly path: string;
  /** A fresh folder `ws<N>` under the root with these files (text or bytes, folders made as needed). */
  workspace(files?: Record<string, string | Uint8Array>): Promise<string>;
}

/** Registers the hooks in the current file or describe(); call at its top level. */
export function useTempRoot(prefix: string): TempRoot {
  let root: string | undefined;
  let n = 0;
  before(async () => {
    root = await makeTempDir(prefix);
  });
  after(async () => {
    if (root) await removeTempDir(root);
  });
  const rootPath = (): string => {
    if (root === undefined) throw new Error(`useTempRoot(${prefix}): the folder is made in a before() hook; use it inside tests`);
    return root;
  };
  return {
    get path() {
      return rootPath();
    },
    async workspace(files = {}) {
      const ws = join(rootPath(), `ws${n++}`);
      await mkdir(ws, { recursive: true });
      await writeFiles(ws, files);
      return ws;
    },
  };
}

/** Writes `files` (relative paths with / or the platform separator) under `dir`. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}
