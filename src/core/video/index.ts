// Video probing and frame sampling for the pipeline: ffprobe for what a clip is, one ffmpeg
// process for the frames the judge sees, a cache keyed by content hash and sampling settings.
import { CancelledError } from '../errors';
import { stat } from 'node:fs/promises';
import { FrameCache, frameCacheKey, type FileIdentity, type VideoFacts } from './cache';
import { extractFrames, type Frame, type SamplingOptions } from './frames';
import { sha256File } from './hash';
import { probeVideo, type VideoInfo } from './probe';

export { FrameCache, frameCacheKey, DEFAULT_FRAME_CACHE_BYTES, type FrameCacheOptions, type FrameInfo, type VideoFacts } from './cache';
export { locateFfmpeg, resolveFfmpeg, ffmpegVersion, type FfmpegPaths } from './ffmpeg';
export {
  extractFrames,
  alignToPatchGrid,
  fitFrameSize,
  PATCH_GRID_PX,
  planSampling,
  jpegSize,
  JpegStreamSplitter,
  type Frame,
  type SamplingOptions,
  type SamplingPlan,
} from './frames';
export { sha256File } from './hash';
export { videoMimeType } from './mime';
export { probeVideo, type VideoInfo } from './probe';
export { runProcess, FFMPEG_INSTALL_HINT, type ProcessResult, type RunProcessOptions } from './spawn';

export interface SampledVideo {
  info: VideoInfo;
  sha256: string;
  frames: Frame[];
  /** True when the frames came from the cache and ffmpeg did not run. */
  fromCache: boolean;
}

/** What the cache knows about `file` without running a process or reading the file: its identity
 *  now and, when it is unchanged since it was last probed and hashed, what that found. */
export interface KnownVideo {
  id?: FileIdentity;
  facts?: VideoFacts;
}

/** A stat and one small file read; never throws (an unreadable file is reported by the probe). */
export async function lookupVideo(file: string, cache: FrameCache | undefined): Promise<KnownVideo> {
  if (!cache) return {};
  try {
    const st = await stat(file, { bigint: true });
    const id = { size: String(st.size), mtimeNs: String(st.mtimeNs), ctimeNs: String(st.ctimeNs), ino: String(st.ino) };
    const facts = await cache.getFacts(file, id);
    return facts ? { id, facts } : { id };
  } catch {
    return {};
  }
}

/** Probes and hashes `file` (concurrently), then returns its frames from the cache or from ffmpeg.
 *  `known` (from lookupVideo) saves looking the file up again. */
export async function sampleVideo(
  file: string,
  sampling: SamplingOptions,
  opts: { ffmpeg: string; ffprobe: string; cache?: FrameCache; signal?: AbortSignal; known?: KnownVideo },
): Promise<SampledVideo> {
  // An unchanged file (same size, mtime, ctime and inode as when it was last probed and hashed)
  // needs neither ffprobe nor a full read: a rescore of unchanged videos starts no process.
  const { id, facts: known } = opts.known ?? (await lookupVideo(file, opts.cache));
  if (known && opts.cache) {
    const hit = await opts.cache.get(frameCacheKey(known.sha256, sampling));
    if (hit) return { info: known.info, sha256: known.sha256, frames: hit, fromCache: true };
  }
  // If one of the two fails, stop the other instead of letting it read the whole file for
  // nothing, and report the failure that came first (the other's is only its consequence).
  const both = new AbortController();
  const onAbort = (): void => both.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) both.abort();
  let firstError: unknown;
  const guard = <T>(task: Promise<T>): Promise<T> =>
    task.catch((e: unknown) => {
      firstError ??= e;
      both.abort();
      throw e;
    });
  const [probed, hashed] = await Promise.allSettled([
    guard(probeVideo(file, { ffprobe: opts.ffprobe, signal: both.signal })),
    guard(sha256File(file, both.signal)),
  ]);
  opts.signal?.removeEventListener('abort', onAbort);
  if (opts.signal?.aborted) throw new CancelledError();
  if (probed.status === 'rejected' || hashed.status === 'rejected') throw firstError;
  const info = probed.value;
  const sha256 = hashed.value;

  if (id) await opts.cache?.setFacts(file, id, { sha256, info });
  const key = frameCacheKey(sha256, sampling);
  const cached = await opts.cache?.get(key);
  if (cached) return { info, sha256, frames: cached, fromCache: true };

  const frames = await extractFrames(file, info, sampling, { ffmpeg: opts.ffmpeg, signal: opts.signal });
  await opts.cache?.set(key, frames);
  return { info, sha256, frames, fromCache: false };
}
