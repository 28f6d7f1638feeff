// The engine: what the videos of one run (or one extension session) share — the settings, the
// endpoint pool (so the concurrency bound is global), the caches and the ffmpeg binaries. The
// engine owns its settings: every step of every protocol reads them from here, never from a
// second copy passed alongside (docs/ARCHITECTURE.md, "The scoring pipeline").
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import pLimit from 'p-limit';
import { EndpointPool } from './endpoint/pool';
import type { ChatClient } from './endpoint/types';
import { FingerError } from './errors';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { EndpointConfig, EvalSettings } from './settings';
import { AnswerCache, cacheDir } from './store';
import { FrameCache, locateFfmpeg } from './video';

/** What is shared between the videos of one run (or one extension session): the settings, the
 *  endpoint pool, so the concurrency bound is global, and the caches. */
export interface Engine {
  /** The one copy of the settings every scoring step reads. */
  readonly settings: EvalSettings;
  /** The judge endpoints. Reading it without a configured endpoint throws the "No endpoint is
   *  configured" error (only an engine made with `endpointRequired: false` gets that far). */
  readonly pool: EndpointPool;
  /** Entity extraction and question generation (a separate endpoint when configured). */
  readonly questionClient: ChatClient;
  readonly questionModel: string;
  readonly logger: Logger;
  frameCache(workspaceRoot: string): FrameCache;
  answerCache(workspaceRoot: string): AnswerCache;
  tools(): Promise<{ ffmpeg: string; ffprobe: string }>;
  /** The binaries' paths before their `-version` check has finished (`verified`): lets the first
   *  probe run beside the check. */
  locateTools(): Promise<{ ffmpeg: string; ffprobe: string; verified: Promise<void> }>;
  /** Frame extraction is CPU-bound: at most one ffmpeg per core, however many videos are in progress. */
  extractionSlot<T>(work: () => Promise<T>): Promise<T>;
  dispose(): void;
}

export interface EngineOptions {
  logger?: Logger;
  /** false: ask the endpoint again even for answers already cached (they are still recorded). */
  reuseAnswers?: boolean;
  /** JPEG bytes the frame cache keeps in memory (default 64 MB). A run that scores each video
   *  once (the CLI) gains nothing from it and passes 0: the frames are on disk. */
  frameMemoryBytes?: number;
  /** false: no endpoint is needed (a protocol that scores from the video alone, see
   *  ScoringProtocol.needsEndpoint); the pool is then made only when one is configured. Default true:
   *  an engine without an endpoint is refused at once, before any video is touched. */
  endpointRequired?: boolean;
}

function noEndpoint(): FingerError {
  return new FingerError('No endpoint is configured.', {
    hint: 'Set finger.endpoint.baseUrl and finger.endpoint.model (VS Code) or FINGER_ENDPOINT and FINGER_MODEL / --endpoint and --model (CLI).',
  });
}

export function createEngine(settings: EvalSettings, o: EngineOptions = {}): Engine {
  if (settings.endpoints.length === 0 && o.endpointRequired !== false) throw noEndpoint();
  const logger = o.logger ?? silentLogger;
  const poolFor = (endpoints: EndpointConfig[]) =>
    new EndpointPool({
      endpoints,
      concurrency: settings.concurrency,
      timeoutMs: settings.requestTimeoutMs,
      maxRetries: settings.maxRetries,
      routingHeader: settings.routingHeader,
      logger,
    });
  const pool = settings.endpoints.length > 0 ? poolFor(settings.endpoints) : undefined;
  const q = settings.questionEndpoint;
  const sameAsJudge = !q || settings.endpoints.some((e) => e.baseUrl === q.baseUrl && e.model === q.model);
  const questionClient = sameAsJudge ? pool : poolFor([q]);
  const frameCaches = new Map<string, FrameCache>();
  const answerCaches = new Map<string, AnswerCache>();
  let located: Promise<{ ffmpeg: string; ffprobe: string; verified: Promise<void> }> | undefined;
  const locateTools = () => {
    if (!located) {
      const lookup = locateFfmpeg({ ffmpegPath: settings.ffmpegPath, ffprobePath: settings.ffprobePath });
      located = lookup;
      // A failed lookup or check (ffmpeg installed or the setting fixed meanwhile) is tried again next time.
      const forget = () => {
        if (located === lookup) located = undefined;
      };
      lookup.then((t) => t.verified.catch(forget), forget);
    }
    return located;
  };
  const extraction = pLimit(Math.max(1, availableParallelism()));
  return {
    settings,
    get pool() {
      if (!pool) throw noEndpoint();
      return pool;
    },
    get questionClient() {
      if (!questionClient) throw noEndpoint();
      return questionClient;
    },
    questionModel: (q ?? settings.endpoints[0])?.model ?? '',
    logger,
    frameCache(ws) {
      const key = path.resolve(ws);
      let c = frameCaches.get(key);
      if (!c) {
        c = new FrameCache({ dir: cacheDir(ws, 'frames'), ...(o.frameMemoryBytes !== undefined ? { maxBytes: o.frameMemoryBytes } : {}) });
        frameCaches.set(key, c);
      }
      return c;
    },
    answerCache(ws) {
      const key = path.resolve(ws);
      let c = answerCaches.get(key);
      if (!c) answerCaches.set(key, (c = new AnswerCache(cacheDir(ws, 'answers'), { read: o.reuseAnswers !== false })));
      return c;
    },
    async tools() {
      const { ffmpeg, ffprobe, verified } = await locateTools();
      await verified;
      return { ffmpeg, ffprobe };
    },
    locateTools,
    extractionSlot: (work) => extraction(work),
    dispose() {
      frameCaches.clear();
      answerCaches.clear();
    },
  };
}
