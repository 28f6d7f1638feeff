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

export function answerCacheKey(k: AnswerCacheKeyParts): string {
  const { videoSha256: _, ...rest } = k;
  return createHash('sha256').update(JSON.stringify({ ...rest, questionText: rest.questionText.trim() })).digest('hex');
}

const CachedAnswerSchema = z.object({
  key: z.string(),
  answer: AnswerSchema,
  reason: z.string().nullable(),
  pYes: z.number().min(0).max(1),
  probabilitySource: ProbabilitySourceSchema,
});
export type CachedAnswer = z.infer<typeof CachedAnswerSchema>;

export class AnswerCache {
  /** Loaded files, by video hash. */
  private readonly loaded = new Map<string, Map<string, CachedAnswer>>();

  constructor(
    private readonly dir: string | undefined,
    private readonly options: { read: boolean } = { read: true },
  ) {}

  private fileFor(videoSha256: string): string | undefined {
    return this.dir ? path.join(this.dir, `${videoSha256}.jsonl`) : undefined;
  }

  private async entriesFor(videoSha256: string): Promise<Map<string, CachedAnswer>> {
    let entries = this.loaded.get(videoSha256);
    if (entries) return entries;
    entries = new Map();
    const file = this.fileFor(videoSha256);
    if (file) {
      let text = '';
      try {
        text = await readFile(file, 'utf8');
      } catch {
        /* no cache yet */
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
