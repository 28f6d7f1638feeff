// Reading a text file a person wrote: UTF-8 (UTF-16 with a byte-order mark also accepted, as
// Windows editors write it), with clear errors for binary files and bad encodings.
import { readFile, stat } from 'node:fs/promises';
import { FingerError } from '../errors';

export async function readTextFile(file: string, opts: { maxBytes: number; what: string }): Promise<string> {
  const info = await stat(file);
  if (info.size > opts.maxBytes) {
    throw new FingerError(`${opts.what} is ${info.size} bytes; the limit is ${opts.maxBytes} bytes.`, {
      file,
      hint: 'Shorten it, or check that this is the file you meant.',
    });
  }
  return decodeText(await readFile(file), file, opts.what);
}

export function decodeText(bytes: Uint8Array, file: string, what: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) {
    throw new FingerError(`${what} looks like a binary file, not text.`, {
      file,
      hint: 'Write the prompt as plain UTF-8 text.',
    });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (e) {
    throw new FingerError(`${what} is not valid UTF-8 text.`, {
      file,
      hint: 'Save it with UTF-8 encoding (in VS Code: "Save with Encoding" → UTF-8).',
      cause: e,
    });
  }
}
