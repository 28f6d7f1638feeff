// Extracted frames, cached by the video's content hash and the sampling settings, so re-scoring
// a clip (new templates, another model) does not run ffmpeg again. Two layers: memory (LRU,
// bounded by bytes) and optionally a folder on disk (`<workspace>/.finger/cache/frames`).
//
// On disk each entry is a folder of JPEGs plus index.json, written into a temporary folder that
// is renamed into place only when complete (index last), so a crash mid-write leaves a miss and
// never a half-written hit.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { silentLogger, type Logger } from '../log';
import type { Frame, SamplingOptions } from './frames';
import type { VideoInfo } from './probe';

/** Bump when extraction changes in a way that makes old cached frames wrong. */
// 2: frames sized to the patch grid (alignToPatchGrid).
const EXTRACTION_VERSION = 2;
const INDEX_FILE = 'index.json';

/** Identity of a file on disk, as strings (bigint nanoseconds do not survive JSON). */
export interface FileIdentity {
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
}

/** What probing and hashing a video found. */
export interface VideoFacts {
  sha256: string;
  info: VideoInfo;
}
export const DEFAULT_FRAME_CACHE_BYTES = 64 * 1024 * 1024;

/** A cached frame without its pixels: what a result and a webview need when no request is sent. */
export type FrameInfo = Omit<Frame, 'jpeg'>;

/** The cache key of a video's frames under given sampling settings; safe as a folder name. */
export function frameCacheKey(sha256: string, sampling: SamplingOptions): string {
  const part = (n: number): string => String(n).replace(/[^0-9.e+-]/gi, '_');
  const hash = sha256.toLowerCase().replace(/[^0-9a-f]/g, '');
  return `${hash}-fps${part(sampling.fps)}-n${part(sampling.maxFrames)}-px${part(sampling.maxPixels)}-v${EXTRACTION_VERSION}`;
}

const IndexSchema = z.object({
  version: z.literal(EXTRACTION_VERSION),
  key: z.string(),
  frames: z.array(
    z.object({
      index: z.number().int().min(0),
      timeSec: z.number(),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      file: z.string().regex(/^[\w.-]+\.jpg$/),
      bytes: z.number().int().positive(),
    }),
  ),
});

export interface FrameCacheOptions {
  /** Memory budget for JPEG bytes; least recently used entries go first. Default 64 MB. */
  maxBytes?: number;
  /** Folder for the on-disk layer; none when omitted. Created on first write. */
  dir?: string;
  log?: Logger;
}

export class FrameCache {
  private readonly memory = new Map<string, { frames: Frame[]; bytes: number }>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly dir: string | undefined;
  private readonly log: Logger;

  constructor(opts: FrameCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_FRAME_CACHE_BYTES;
    this.dir = opts.dir;
    this.log = opts.log ?? silentLogger;
  }

  /** JPEG bytes held in memory now. */
  get memoryBytes(): number {
    return this.bytes;
  }

  /** The cached frames for `key`, or undefined. Unreadable disk entries count as misses. */
  async get(key: string): Promise<Frame[] | undefined> {
    const hit = this.memory.get(key);
    if (hit) {
      // Re-insert to mark as most recently used.
      this.memory.delete(key);
      this.memory.set(key, hit);
      return copyFrames(hit.frames);
    }
    if (!this.dir) return undefined;
    const frames = await this.readEntry(join(this.dir, key), key);
    if (!frames) return undefined;
    this.remember(key, frames);
    return copyFrames(frames);
  }

  /** Which frames an entry holds (positions, times, sizes) without reading a JPEG: from memory, or
   *  from the entry's index on disk. Undefined when the entry is not cached. */
  async frameList(key: string): Promise<FrameInfo[] | undefined> {
    const hit = this.memory.get(key);
    if (hit) return hit.frames.map(({ jpeg: _, ...info }) => info);
    if (!this.dir) return undefined;
    try {
      const index = IndexSchema.parse(JSON.parse(await readFile(join(this.dir, key, INDEX_FILE), 'utf8')));
      if (index.key !== key) return undefined;
      return index.frames.map((f) => ({ index: f.index, timeSec: f.timeSec, width: f.width, height: f.height }));
    } catch {
      return undefined; // not cached, or a damaged entry that get() will replace
    }
  }

  /** Stores frames in memory and, when there is a folder, on disk. Disk failures are logged, not thrown. */
  async set(key: string, frames: Frame[]): Promise<void> {
    this.remember(key, copyFrames(frames));
    if (!this.dir) return;
    try {
      await this.writeEntry(key, frames);
    } catch (e) {
      this.log.warn(`Frame cache: could not write ${join(this.dir, key)}: ${(e as Error).message}`);
    }
  }

  /** Where the frames of a cached entry are on disk (for webviews, which show files, not bytes);
   *  undefined without a disk layer. */
  framePaths(key: string, frames: readonly FrameInfo[]): { timeSec: number; file: string }[] | undefined {
    if (!this.dir) return undefined;
    const folder = join(this.dir, key);
    // The index is written last: without it the entry is not (or not yet) on disk.
    if (!existsSync(join(folder, INDEX_FILE))) return undefined;
    return frames.map((f) => ({ timeSec: f.timeSec, file: join(folder, frameFileName(f.index)) }));
  }

  /** What a probe and a hash found for `file` when it last had exactly this identity (size,
   *  mtime and ctime in nanoseconds, inode: what git's index trusts), so a rescore of unchanged
   *  videos runs neither ffprobe nor a full read. Undefined on any mismatch or without a folder. */
  async getFacts(file: string, id: FileIdentity): Promise<VideoFacts | undefined> {
    if (!this.dir) return undefined;
    try {
      const raw = JSON.parse(await readFile(this.factsFile(file), 'utf8')) as { id?: FileIdentity; facts?: VideoFacts };
      if (!raw.id || !raw.facts || JSON.stringify(raw.id) !== JSON.stringify(id)) return undefined;
      return raw.facts;
    } catch {
      return undefined;
    }
  }

  /** Remembers the probe and hash of `file` at identity `id` (atomically; failures only logged). */
  async setFacts(file: string, id: FileIdentity, facts: VideoFacts): Promise<void> {
    if (!this.dir) return;
    const target = this.factsFile(file);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(this.factsDir(), { recursive: true });
      await writeFile(tmp, JSON.stringify({ file, id, facts }));
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      this.log.warn(`Frame cache: could not write ${target}: ${(e as Error).message}`);
    }
  }

  /** Beside the entries, not among them: `<dir>-facts` (e.g. .finger/cache/frames-facts). */
  private factsDir(): string {
    return `${this.dir!.replace(/[\\/]+$/, '')}-facts`;
  }

  private factsFile(file: string): string {
    return join(this.factsDir(), `${createHash('sha256').update(file).digest('hex')}.json`);
  }

  clearMemory(): void {
    this.memory.clear();
    this.bytes = 0;
  }

  private remember(key: string, frames: Frame[]): void {
    const bytes = frames.reduce((sum, f) => sum + f.jpeg.length, 0);
    const old = this.memory.get(key);
    if (old) {
      this.memory.delete(key);
      this.bytes -= old.bytes;
    }
    if (bytes > this.maxBytes) return; // would evict everything else and still not fit
    this.memory.set(key, { frames, bytes });
    this.bytes += bytes;
    for (const [oldestKey, oldest] of this.memory) {
      if (this.bytes <= this.maxBytes) break;
      this.memory.delete(oldestKey);
      this.bytes -= oldest.bytes;
    }
  }

  private async readEntry(folder: string, key: string): Promise<Frame[] | undefined> {
    let text: string;
    try {
      text = await readFile(join(folder, INDEX_FILE), 'utf8');
    } catch {
      return undefined; // not cached (the usual case)
    }
    try {
      const index = IndexSchema.parse(JSON.parse(text));
      if (index.key !== key) throw new Error(`index is for ${index.key}`);
      return await Promise.all(
        index.frames.map(async (f) => {
          const jpeg = await readFile(join(folder, f.file));
          const complete = jpeg.length === f.bytes && jpeg[0] === 0xff && jpeg[1] === 0xd8 && jpeg.at(-2) === 0xff && jpeg.at(-1) === 0xd9;
          if (!complete) throw new Error(`${f.file} is damaged`);
          return { index: f.index, timeSec: f.timeSec, width: f.width, height: f.height, jpeg };
        }),
      );
    } catch (e) {
      this.log.debug(`Frame cache: ignoring ${folder}: ${(e as Error).message}`);
      // Remove it so the next write can put a good entry in its place.
      await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      return undefined;
    }
  }

  private async writeEntry(key: string, frames: Frame[]): Promise<void> {
    const dir = this.dir!;
    const target = join(dir, key);
    const temp = join(dir, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(temp, { recursive: true });
    try {
      const entries = await Promise.all(
        frames.map(async (f) => {
          const file = frameFileName(f.index);
          await writeFile(join(temp, file), f.jpeg);
          return { index: f.index, timeSec: f.timeSec, width: f.width, height: f.height, file, bytes: f.jpeg.length };
        }),
      );
      await writeFile(join(temp, INDEX_FILE), JSON.stringify({ version: EXTRACTION_VERSION, key, frames: entries }));
      try {
        await rename(temp, target);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY' && code !== 'EPERM') throw e;
        // Someone wrote the same entry first (same key, same frames); keep theirs if it is good.
        if (!(await this.readEntry(target, key))) {
          await rm(target, { recursive: true, force: true });
          await rename(temp, target);
        }
      }
    } finally {
      await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

function frameFileName(index: number): string {
  return `frame-${String(index).padStart(4, '0')}.jpg`;
}

function copyFrames(frames: Frame[]): Frame[] {
  // New objects so a caller that edits a frame does not edit the cache; the JPEG bytes are shared.
  return frames.map((f) => ({ ...f }));
}
