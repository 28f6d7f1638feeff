// Answers already paid for. Rescoring after a template edit must ask the endpoint only the
// questions whose answer is not known yet (issue 3), and a rescore with nothing changed must send
// no answering request at all (issue 5).
//
// One append-only JSON Lines file per video content hash. Appends of one short line are atomic
// enough on local file systems, and a torn last line after a crash is simply skipped on read, so
// two processes scoring the same video (the CLI and the extension) can share it safely.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { AnswerSchema, ProbabilitySourceSchema, type AnsweredQuestion } from '../types';
import * as z from 'zod';

export interface AnswerCacheKeyParts {
  videoSha256: string;
  sampling: { mode: string; fps: number; maxFrames: number; maxPixels: number };
  questionText: string;
  answerTemplateHash: string;
  model: string;
  temperature: number;
  reasoning: boolean;
}

/**
 * How an answer's probability is read; part of every key, so answers read an older way are asked
 * again. 2: P(answer) as a sum over token paths (README, "How the scores are computed"); the
 * one-position reading before it collapsed answers glued to their tag (`>No`) to 0 or 1.
 */
export const ANSWER_READING = 2;

export function answerCacheKey(k: AnswerCacheKeyParts): string {
  const { videoSha256: _, ...rest } = k;
  return createHash('sha256')
    .update(JSON.stringify({ ...rest, questionText: rest.questionText.trim(), reading: ANSWER_READING }))
    .digest('hex');
}

const CachedAnswerSchema = z.object({
  key: z.string(),
  answer: AnswerSchema,
  reason: z.string().nullable(),
  pYes: z.number().min(0).max(1),
  probabilitySource: ProbabilitySourceSchema,
});
export type CachedAnswer = z.infer<typeof CachedAnswerSchema>;

/** How many videos' answers are kept in memory (least recently used first out); more than the
 *  videos a run has in progress at once (16 at most), so a video's file is read once per run. A
 *  long run or an extension session then does not keep every video it ever scored. */
export const ANSWER_CACHE_VIDEOS = 32;

export class AnswerCache {
  /** Loaded (or loading) files, by video hash, least recently used first. One promise per video,
   *  so the questions of a video asked at once read its file once. */
  private readonly loaded = new Map<string, Promise<Map<string, CachedAnswer>>>();

  constructor(
    private readonly dir: string | undefined,
    private readonly options: { read: boolean; maxVideos?: number } = { read: true },
  ) {}

  private fileFor(videoSha256: string): string | undefined {
    return this.dir ? path.join(this.dir, `${videoSha256}.jsonl`) : undefined;
  }

  private entriesFor(videoSha256: string): Promise<Map<string, CachedAnswer>> {
    let entries = this.loaded.get(videoSha256);
    if (entries) {
      this.loaded.delete(videoSha256);
      this.loaded.set(videoSha256, entries);
      return entries;
    }
    const file = this.fileFor(videoSha256);
    entries = file ? readEntries(file) : Promise.resolve(new Map<string, CachedAnswer>());
    // Without a folder the memory is all there is: nothing is dropped then.
    const max = this.options.maxVideos ?? ANSWER_CACHE_VIDEOS;
    if (file) {
      for (const oldest of this.loaded.keys()) {
        if (this.loaded.size < max) break;
        this.loaded.delete(oldest);
      }
    }
    this.loaded.set(videoSha256, entries);
    return entries;
  }

  async get(videoSha256: string, key: string): Promise<CachedAnswer | undefined> {
    if (!this.options.read) return undefined;
    return (await this.entriesFor(videoSha256)).get(key);
  }

  /** Remembers a successful answer (failed ones are never cached). */
  async put(videoSha256: string, key: string, q: AnsweredQuestion): Promise<void> {
    if (q.answer === null || q.pYes === null || q.probabilitySource === null || q.error !== null) return;
    const entry: CachedAnswer = { key, answer: q.answer, reason: q.reason, pYes: q.pYes, probabilitySource: q.probabilitySource };
    (await this.entriesFor(videoSha256)).set(key, entry);
    const file = this.fileFor(videoSha256);
    if (!file) return;
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, JSON.stringify(entry) + '\n', 'utf8');
  }
}

async function readEntries(file: string): Promise<Map<string, CachedAnswer>> {
  const entries = new Map<string, CachedAnswer>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return entries; // no cache yet
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = CachedAnswerSchema.safeParse(JSON.parse(line));
      if (parsed.success) entries.set(parsed.data.key, parsed.data);
    } catch {
      /* a torn line from a crash: skip it */
    }
  }
  return entries;
}
