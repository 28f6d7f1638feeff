// The JSON body of a chat request, as bytes, without serializing the video again for every
// question. Every question of a video carries the same video part (a data URL of its frames:
// 30 KB to over 1 MB of base64); JSON.stringify of the whole request would copy it into a new
// string on the JavaScript heap per request, and those strings, alive while the request is in
// flight, are what made the heap grow over a long run. Here a large part is serialized once (its
// bytes kept, outside the JavaScript heap, for as long as the part object lives) and each request
// is its small JSON around those bytes. The result is byte for byte JSON.stringify(body).
import { randomBytes } from 'node:crypto';

/** Parts whose JSON is at least this long are serialized once and reused. */
const SHARED_PART_MIN_CHARS = 4096;

const partBytes = new WeakMap<object, Buffer>();
/** Stands in for a shared part inside the small JSON; a nonce keeps it from matching user text. */
const MARK = `\u0001finger-part-${randomBytes(6).toString('hex')}-`;

function isLargeMediaPart(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const part = value as { type?: unknown; video_url?: { url?: unknown }; image_url?: { url?: unknown } };
  const url = part.type === 'video_url' ? part.video_url?.url : part.type === 'image_url' ? part.image_url?.url : undefined;
  return typeof url === 'string' && url.length >= SHARED_PART_MIN_CHARS;
}

function bytesOf(part: object): Buffer {
  let bytes = partBytes.get(part);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(part), 'utf8');
    partBytes.set(part, bytes);
  }
  return bytes;
}

/** UTF-8 bytes equal to `Buffer.from(JSON.stringify(body))`. */
export function encodeJsonBody(body: object): Buffer {
  const shared: Buffer[] = [];
  const json = JSON.stringify(body, (_key, value: unknown) => {
    if (!isLargeMediaPart(value)) return value;
    shared.push(bytesOf(value));
    return `${MARK}${shared.length - 1}`;
  });
  if (shared.length === 0) return Buffer.from(json, 'utf8');
  const chunks: Buffer[] = [];
  let from = 0;
  shared.forEach((bytes, i) => {
    const placeholder = JSON.stringify(`${MARK}${i}`);
    const at = json.indexOf(placeholder, from);
    if (at < 0) throw new Error('encodeJsonBody: lost a shared part'); // cannot happen: we put it there
    chunks.push(Buffer.from(json.slice(from, at), 'utf8'), bytes);
    from = at + placeholder.length;
  });
  chunks.push(Buffer.from(json.slice(from), 'utf8'));
  return Buffer.concat(chunks);
}
