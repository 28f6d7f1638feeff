// How file names reach ffmpeg and ffprobe. A bare name would be open to interpretation: one that
// starts with '-' reads as an option, one like `concat:a|b` or `http://…` as a protocol. The
// `file:` protocol with an absolute path is read as nothing but a local file name.
import { resolve } from 'node:path';

export function ffmpegInputArg(file: string): string {
  return `file:${resolve(file)}`;
}
