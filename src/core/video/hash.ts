// Content hash of a video: the key of the frame cache and of results, so a renamed or moved clip
// is still recognised and an edited one is not.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { CancelledError, FingerError, isAbortError } from '../errors';

/** Hex SHA-256 of a file's bytes, read as a stream (constant memory, any size). */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  if (signal?.aborted) throw new CancelledError();
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) {
      hash.update(chunk as Buffer);
    }
  } catch (e) {
    if (signal?.aborted || isAbortError(e)) throw new CancelledError();
    throw new FingerError(`Could not read ${basename(file)} to compute its hash.`, {
      file,
      hint: 'Check that the file exists and that you may read it.',
      cause: e,
    });
  }
  return hash.digest('hex');
}
