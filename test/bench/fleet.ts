// Serving a fleet: 4 replicas of capacity 4 (test/double/fleet.ts, each with its own prefix /
// multimodal cache, vLLM's cache key) scored by the real CLI with all four as --endpoint.
//
//  - encodings per video: every video should be encoded on one replica only (endpoint/affinity.ts);
//    a replica that steals a started video at the end of a run encodes it again;
//  - wall / ideal: the ideal is the fleet's slot-time / its 16 slots (the shortest time the work
//    could take on it) + the frame extraction of one clip (nothing can be sent before it);
//  - prefill requests per question and their share of the replicas' service time, read from the
//    replicas' accounting (assistant-prefill requests, continue_final_message: true), so the row
//    counts whatever the answer reading sends; 0 when it sends none;
//  - bytes sent per video: the answering requests' bodies, and what vLLM's media `uuid` would
//    save if adopted (README, "Serving a model": not adopted, a projection only).
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { sampleVideo } from '../../src/core/video';
import { DEFAULT_DOUBLE_MODEL } from '../double/endpoint-double';
import { mediaUrls, startFleet } from '../double/fleet';
import { testFfmpeg, testFfprobe } from '../helpers/clips';
import { makeClipSet } from './clips';
import { assertCliOk, fmtBytes, log, median, round, runCli, writeQuestionSets, type Figure } from './common';

export const FLEET = {
  replicas: 4,
  capacity: 4,
  clips: 40,
  questions: 12,
  /** One answer with its reason (~60 tokens) from a 7B video model on a busy replica: a second is
   *  on the fast side of what vLLM serves; the client's own work per video (probe, extraction,
   *  HTTP) must stay hidden behind it, which is what this row checks. */
  perRequestMs: 1000,
  encodeMs: 400,
  /** One decode step on a cached prefix. */
  prefillMs: 40,
  concurrency: 16,
  /** FINGER_BENCH_FLEET_REPS overrides it (a quick look on a busy machine). */
  repetitions: Number(process.env.FINGER_BENCH_FLEET_REPS) || 3,
  clip: { durationSec: 2, width: 640, height: 360, fps: 24 },
};

/** The same fleet with answers 3.3× faster: 16 slots then want ~3.5 new videos a second, more
 *  than the client's probe + extraction + HTTP can prepare on a small machine; reported (with the
 *  client's CPU time per video) to show where a fast fleet's limit moves to the client. */
export const FLEET_CLIENT_BOUND = { ...FLEET, perRequestMs: 300, repetitions: 1 };

type FleetConfig = typeof FLEET;

interface Rep {
  wallMs: number;
  slotMs: number;
  idealMs: number;
  ratio: number;
  encodingsPerVideo: number;
  maxEncodings: number;
  videosOnTwoReplicas: number;
  prefillMean: number;
  prefillMax: number;
  prefillShare: number;
  bytesPerVideo: number;
  bytesPerVideoWithUuid: number;
  /** CPU time of the CLI and its ffmpeg/ffprobe children per video, ms (null off Linux). */
  clientCpuMsPerVideo: number | null;
}

/** User + system CPU time of this process's waited-for children so far (Linux /proc), ms. */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted from 1 with pid and comm before ") ".
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

export async function runFleet(workDir: string): Promise<Figure[]> {
  const clipsDir = path.join(workDir, 'clips');
  log(`fleet: making ${FLEET.clips} clips`);
  const clips = await makeClipSet(clipsDir, { count: FLEET.clips, ...FLEET.clip });
  await writeQuestionSets(clips, FLEET.questions);

  const sampling = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };
  const extractSamples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await sampleVideo(clips[i % clips.length]!, sampling, { ffmpeg: testFfmpeg, ffprobe: testFfprobe });
    extractSamples.push(performance.now() - t0);
  }
  const extractMs = median(extractSamples);
  const reps = await measureFleet(workDir, clipsDir, extractMs, FLEET);
  const stress = await measureFleet(workDir, clipsDir, extractMs, FLEET_CLIENT_BOUND);
  return figures(reps, stress, extractSamples, extractMs);
}

async function measureFleet(workDir: string, clipsDir: string, extractMs: number, cfg: FleetConfig): Promise<Rep[]> {
  const slots = cfg.replicas * cfg.capacity;
  const reps: Rep[] = [];
  for (let rep = 0; rep < cfg.repetitions; rep++) {
    await rm(path.join(workDir, '.finger'), { recursive: true, force: true });
    const fleet = await startFleet(cfg.replicas, {
      capacity: cfg.capacity,
      perRequestMs: cfg.perRequestMs,
      encodeMs: cfg.encodeMs,
      prefillMs: cfg.prefillMs,
    });
    try {
      const args = [
        'score',
        clipsDir,
        '--endpoint',
        fleet.urls.join(','),
        '--model',
        DEFAULT_DOUBLE_MODEL,
        '--workspace',
        workDir,
        '--concurrency',
        String(cfg.concurrency),
        '--json',
      ];
      const cpu0 = childrenCpuMs();
      const run = await runCli(args, workDir);
      const cpu1 = childrenCpuMs();
      assertCliOk(run, 'fleet run');
      const acc = fleet.accounting();
      const answers = acc.requests.filter((r) => r.record.kind === 'answer' && !r.prefill);
      if (answers.length !== cfg.clips * cfg.questions)
        throw new Error(`fleet: expected ${cfg.clips * cfg.questions} answering requests, got ${answers.length}`);
      const slotMs = fleet.replicas.reduce((sum, r) => sum + r.stats.slotMs, 0);
      const idealMs = slotMs / slots + extractMs;
      const encodings = [...acc.encodingsByVideo.values()];
      const total = encodings.reduce((a, b) => a + b, 0);
      const perQuestion = acc.prefill.perQuestion;
      // Bytes per video, and what they would be if every request after a video's first on a
      // replica sent only a uuid in place of the video part.
      const bytesByVideo = new Map<string, { bytes: number; withUuid: number; replicas: Set<number> }>();
      for (const { record, video, replica } of acc.requests) {
        if (video === null || (record.kind !== 'answer' && record.kind !== 'prefill')) continue;
        const entry = bytesByVideo.get(video) ?? { bytes: 0, withUuid: 0, replicas: new Set<number>() };
        entry.bytes += record.bytes;
        const mediaBytes = mediaUrls(record.body).reduce((n, u) => n + Buffer.byteLength(JSON.stringify(u)), 0);
        const uuidPart = 2 + 64 + 2; // "<64 hex>" in place of the data URL string
        entry.withUuid += entry.replicas.has(replica) ? record.bytes - mediaBytes + uuidPart : record.bytes;
        entry.replicas.add(replica);
        bytesByVideo.set(video, entry);
      }
      const videos = [...bytesByVideo.values()];
      reps.push({
        wallMs: run.wallMs,
        slotMs,
        idealMs,
        ratio: run.wallMs / idealMs,
        encodingsPerVideo: total / cfg.clips,
        maxEncodings: Math.max(...encodings),
        videosOnTwoReplicas: [...acc.replicasByVideo.values()].filter((s) => s.size > 1).length,
        prefillMean: perQuestion.length ? perQuestion.reduce((a, b) => a + b, 0) / perQuestion.length : 0,
        prefillMax: perQuestion.length ? Math.max(...perQuestion) : 0,
        prefillShare: acc.prefill.shareOfServiceTime,
        bytesPerVideo: videos.reduce((n, v) => n + v.bytes, 0) / videos.length,
        bytesPerVideoWithUuid: videos.reduce((n, v) => n + v.withUuid, 0) / videos.length,
        clientCpuMsPerVideo: cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / cfg.clips : null,
      });
      const r = reps[reps.length - 1]!;
      log(
        `fleet (${cfg.perRequestMs} ms/request) rep ${rep + 1}: wall ${Math.round(r.wallMs)} ms, ideal ${Math.round(r.idealMs)} ms (ratio ${r.ratio.toFixed(3)}), ` +
          `encodings/video ${r.encodingsPerVideo.toFixed(3)} (max ${r.maxEncodings}), prefill/question ${r.prefillMean.toFixed(2)} (max ${r.prefillMax})`,
      );
    } finally {
      await fleet.close();
    }
  }
  return reps;
}

function figures(reps: Rep[], stress: Rep[], extractSamples: number[], extractMs: number): Figure[] {
  const slots = FLEET.replicas * FLEET.capacity;
  const shape = `${FLEET.replicas} replicas × capacity ${FLEET.capacity}, ${FLEET.clips} clips × ${FLEET.questions} questions, ${FLEET.perRequestMs} ms/request, ${FLEET.encodeMs} ms per encoding, concurrency ${FLEET.concurrency}`;
  const ratio = median(reps.map((r) => r.ratio));
  const enc = Math.max(...reps.map((r) => r.encodingsPerVideo));
  const prefillMean = median(reps.map((r) => r.prefillMean));
  const prefillMax = Math.max(...reps.map((r) => r.prefillMax));
  const prefillShare = median(reps.map((r) => r.prefillShare));
  const bytes = median(reps.map((r) => r.bytesPerVideo));
  const bytesUuid = median(reps.map((r) => r.bytesPerVideoWithUuid));
  return [
    {
      id: 'fleet.encodingsPerVideo',
      name: 'Fleet: encodings per video (4 replicas)',
      value: round(enc, 3),
      unit: '',
      target: '≤ 1.1',
      met: enc <= 1.1,
      detail: `${shape}; worst of ${reps.length} runs (${reps.map((r) => r.encodingsPerVideo.toFixed(3)).join(', ')}); at most ${Math.max(...reps.map((r) => r.maxEncodings))} encodings of one video, videos on two replicas per run: ${reps.map((r) => r.videosOnTwoReplicas).join(', ')}`,
      samples: reps.map((r) => ({
        encodingsPerVideo: round(r.encodingsPerVideo),
        maxEncodings: r.maxEncodings,
        videosOnTwoReplicas: r.videosOnTwoReplicas,
      })),
    },
    {
      id: 'fleet.ratio',
      name: 'Fleet: wall / ideal (4 replicas × 4)',
      value: round(ratio),
      unit: '×',
      target: '≤ 1.15',
      met: ratio <= 1.15,
      detail: `${shape}; median of ${reps.length} (${reps.map((r) => r.ratio.toFixed(3)).join(', ')}); wall ${Math.round(median(reps.map((r) => r.wallMs)))} ms; ideal = slot-time / ${slots} slots + ${Math.round(extractMs)} ms extraction of one clip`,
      samples: {
        reps: reps.map((r) => ({
          wallMs: Math.round(r.wallMs),
          idealMs: Math.round(r.idealMs),
          slotMs: Math.round(r.slotMs),
          ratio: round(r.ratio),
        })),
        extractMs: extractSamples.map(Math.round),
      },
    },
    {
      id: 'fleet.prefillPerQuestion',
      name: 'Prefill requests per question (mean; max in how)',
      value: round(prefillMean, 2),
      unit: '',
      target: 'max ≤ 2',
      met: prefillMax <= 2,
      detail: `assistant-prefill requests (continue_final_message) counted at the replicas; max ${prefillMax}; median of ${reps.length} runs`,
      samples: reps.map((r) => ({ mean: round(r.prefillMean, 3), max: r.prefillMax })),
    },
    {
      id: 'fleet.prefillShare',
      name: 'Prefill requests: share of endpoint time',
      value: round(prefillShare * 100, 1),
      unit: '%',
      met: null,
      detail: `their slot-time / all slot-time at the replicas (${FLEET.prefillMs} ms per prefill, one decode step, vs ${FLEET.perRequestMs} ms per answer); median of ${reps.length}`,
    },
    {
      id: 'fleet.bytesPerVideo',
      name: 'Bytes sent per video (mode video)',
      value: Math.round(bytes),
      unit: 'B',
      met: null,
      detail: `${fmtBytes(bytes)} per video (${FLEET.questions} answering requests, every one carries the frames); with vLLM's media uuid (not adopted) it would be ${fmtBytes(bytesUuid)}, a projection: the first request per replica with the frames, the others with a uuid in their place`,
      samples: { perVideo: Math.round(bytes), projectedWithUuid: Math.round(bytesUuid) },
    },
    {
      id: 'fleet.clientBound.ratio',
      name: 'Fleet at 300 ms/request: wall / ideal (client-bound here)',
      value: round(stress[0]!.ratio),
      unit: '×',
      met: null,
      detail: `the same fleet and clips with answers in ${FLEET_CLIENT_BOUND.perRequestMs} ms: the 16 slots want ~3.5 new videos a second; one run; wall ${Math.round(stress[0]!.wallMs)} ms, ideal ${Math.round(stress[0]!.idealMs)} ms; encodings/video ${stress[0]!.encodingsPerVideo.toFixed(3)}`,
      samples: stress.map((r) => ({ wallMs: Math.round(r.wallMs), idealMs: Math.round(r.idealMs), ratio: round(r.ratio) })),
    },
    {
      id: 'fleet.clientCpuPerVideo',
      name: 'Client CPU time per video (CLI + its ffmpeg/ffprobe)',
      value:
        stress[0]!.clientCpuMsPerVideo === null ? null : Math.round(median(reps.concat(stress).map((r) => r.clientCpuMsPerVideo ?? 0))),
      unit: 'ms',
      met: null,
      detail: `user + system time of the CLI process tree / ${FLEET.clips} videos (12 questions each, 640×360 2 s clips); median over the ${reps.length + stress.length} fleet runs; a client keeps a fleet fed while cores × 1000 / this ≥ the videos per second the fleet finishes`,
      samples: reps.concat(stress).map((r) => r.clientCpuMsPerVideo),
    },
  ];
}
