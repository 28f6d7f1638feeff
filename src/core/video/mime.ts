// MIME types of the video containers we accept (types.ts VIDEO_EXTENSIONS), for `file` input mode.
import * as path from 'node:path';

const VIDEO_MIME: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
};

export function videoMimeType(file: string): string {
  return VIDEO_MIME[path.extname(file).slice(1).toLowerCase()] ?? 'application/octet-stream';
}
