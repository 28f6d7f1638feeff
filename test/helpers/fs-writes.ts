// How many times a file was (re)placed while a piece of work ran, seen from the outside: an
// atomic write (temporary file + rename) shows up as one 'rename' event for the file's own name
// in a watch of its folder. Deterministic: after the work, a marker file is written in the same
// folder and waited for; events of one folder arrive in order, so every earlier write of the file
// has been seen by then.
import { watch } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export async function countWrites<T>(file: string, work: () => Promise<T>): Promise<{ value: T; writes: number }> {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const marker = `.count-writes-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(dir, { recursive: true });
  let writes = 0;
  let markerSeen: () => void = () => {};
  const seen = new Promise<void>((resolve) => (markerSeen = resolve));
  const watcher = watch(dir, (event, filename) => {
    if (filename === marker) markerSeen();
    else if (filename === name && event === 'rename') writes++;
  });
  try {
    const value = await work();
    await writeFile(path.join(dir, marker), '');
    await seen;
    return { value, writes };
  } finally {
    watcher.close();
    await rm(path.join(dir, marker), { force: true });
  }
}
