// Figures 1, 2 and 4: does the client keep a vLLM-like server saturated, does the server encode
// each video once, and does a rescore with nothing changed cost nothing?
//
// 20 clips × 20 questions are scored by the real CLI (dist/cli.js) against the endpoint double
// with capacity 16, 300 ms per request and an extra encoding delay the first time a prefix
// (system text + video) is seen. Each repetition: a fresh workspace and double, score at
// concurrency 16, then at once the same command again (the rescore). The ideal wall time of a
// run is the double's slot-time divided by its capacity (the shortest time the server could do
// that work in) plus the frame extraction of one clip (the first request cannot be sent before
// it). A sequential client (concurrency 1, the way the published evaluation scripts run) is
// measured once for the speed-up.
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { sampleVideo } from '../../src/core/video';
import { startEndpointDouble, type EndpointDouble } from '../double/endpoint-double';
import { testFfmpeg, testFfprobe } from '../helpers/clips';
import { makeClipSet } from './clips';
import { assertCliOk, log, median, round, runCli, scoreArgs, tagOf, writeQuestionSets, type CliRun, type Figure } from './common';

export const SATURATION = {
  clips: 20,
  questions: 20,
  capacity: 16,
  perRequestMs: 300,
  encodeMs: 400,
  concurrency: 16,
  repetitions: 3,
  clip: { durationSec: 2, width: 640, height: 360, fps: 24 },
} as const;

interface Rep {
  wallMs: number;
  slotMs: number;
  idealMs: number;
  ratio: number;
  peakActive: number;
  answerRequests: number;
  encodingsPerVideo: number[];
  prefixesPerVideo: number[];
  rescoreWallMs: number;
  rescoreAnswerRequests: number;
  rescoreRatio: number;
}

function encodingsByVideo(double: EndpointDouble): { encodings: Map<string, number>; prefixes: Map<string, Set<string>> } {
  const encodings = new Map<string, number>();
  const prefixes = new Map<string, Set<string>>();
  for (const r of double.chatRequests()) {
    if (r.kind !== 'answer') continue;
    const tag = tagOf(r.question);
    if (tag === null) continue;
    encodings.set(tag, (encodings.get(tag) ?? 0) + (r.encoded ? 1 : 0));
    if (r.prefix) {
      const set = prefixes.get(tag) ?? new Set<string>();
      set.add(r.prefix);
      prefixes.set(tag, set);
    }
  }
  return { encodings, prefixes };
}

async function startDouble(): Promise<EndpointDouble> {
  return startEndpointDouble({ capacity: SATURATION.capacity, perRequestMs: SATURATION.perRequestMs, encodeMs: SATURATION.encodeMs });
}

export async function runSaturation(workDir: string): Promise<Figure[]> {
  const clipsDir = path.join(workDir, 'clips');
  log(`saturation: making ${SATURATION.clips} clips`);
  const clips = await makeClipSet(clipsDir, { count: SATURATION.clips, ...SATURATION.clip });
  await writeQuestionSets(clips, SATURATION.questions);

  // The frame extraction that cannot overlap with answering: one clip, probe + hash + ffmpeg.
  const sampling = { fps: DEFAULT_SETTINGS.fps, maxFrames: DEFAULT_SETTINGS.maxFrames, maxPixels: DEFAULT_SETTINGS.maxPixels };
  const extractSamples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await sampleVideo(clips[i % clips.length]!, sampling, { ffmpeg: testFfmpeg, ffprobe: testFfprobe });
    extractSamples.push(performance.now() - t0);
  }
  const extractMs = median(extractSamples);

  const reps: Rep[] = [];
  const total = SATURATION.clips * SATURATION.questions;
  for (let rep = 0; rep < SATURATION.repetitions; rep++) {
    await rm(path.join(workDir, '.finger'), { recursive: true, force: true });
    const double = await startDouble();
    try {
      const args = scoreArgs([clipsDir], { endpoint: double.url, workspace: workDir, concurrency: SATURATION.concurrency });
      const first: CliRun = await runCli(args, workDir);
      assertCliOk(first, 'saturation run');
      const slotMs = double.stats.slotMs;
      const answerRequests = double.stats.byKind.answer;
      if (answerRequests !== total) throw new Error(`saturation: expected ${total} answering requests, the double got ${answerRequests}`);
      const { encodings, prefixes } = encodingsByVideo(double);
      const idealMs = slotMs / SATURATION.capacity + extractMs;
      const before = double.stats.byKind.answer;
      const again = await runCli(args, workDir);
      assertCliOk(again, 'rescore run');
      const rescoreAnswerRequests = double.stats.byKind.answer - before;
      reps.push({
        wallMs: first.wallMs,
        slotMs,
        idealMs,
        ratio: first.wallMs / idealMs,
        peakActive: double.stats.peakActive,
        answerRequests,
        encodingsPerVideo: [...encodings.values()],
        prefixesPerVideo: [...prefixes.values()].map((s) => s.size),
        rescoreWallMs: again.wallMs,
        rescoreAnswerRequests,
        rescoreRatio: again.wallMs / first.wallMs,
      });
      log(
        `saturation rep ${rep + 1}: wall ${Math.round(first.wallMs)} ms, ideal ${Math.round(idealMs)} ms (ratio ${first.wallMs / idealMs > 0 ? (first.wallMs / idealMs).toFixed(3) : '?'}), ` +
          `peak active ${double.stats.peakActive}; rescore ${Math.round(again.wallMs)} ms, ${rescoreAnswerRequests} requests`,
      );
    } finally {
      await double.close();
    }
  }

  // The sequential client, once (it takes clips × questions × 300 ms).
  log('saturation: the same run at concurrency 1 (about two minutes)');
  await rm(path.join(workDir, '.finger'), { recursive: true, force: true });
  const seqDouble = await startDouble();
  let seq: { wallMs: number; slotMs: number };
  try {
    const run = await runCli(scoreArgs([clipsDir], { endpoint: seqDouble.url, workspace: workDir, concurrency: 1 }), workDir);
    assertCliOk(run, 'sequential run');
    seq = { wallMs: run.wallMs, slotMs: seqDouble.stats.slotMs };
  } finally {
    await seqDouble.close();
  }

  const ratio = median(reps.map((r) => r.ratio));
  const wall16 = median(reps.map((r) => r.wallMs));
  const speedup = seq.wallMs / wall16;
  const allEncodings = reps.flatMap((r) => r.encodingsPerVideo);
  const maxEnc = Math.max(...allEncodings);
  const minEnc = Math.min(...allEncodings);
  const maxPrefixes = Math.max(...reps.flatMap((r) => r.prefixesPerVideo));
  const rescoreRequests = Math.max(...reps.map((r) => r.rescoreAnswerRequests));
  const rescoreRatio = median(reps.map((r) => r.rescoreRatio));
  const shape = `${SATURATION.clips} clips × ${SATURATION.questions} questions, capacity ${SATURATION.capacity}, ${SATURATION.perRequestMs} ms/request, ${SATURATION.encodeMs} ms encoding per new prefix`;

  return [
    {
      id: 'saturation.ratio',
      name: 'Saturation: wall / ideal at concurrency 16',
      value: round(ratio),
      unit: '×',
      target: '≤ 1.10',
      met: ratio <= 1.1,
      detail: `${shape}; median of ${reps.length}; wall ${Math.round(wall16)} ms; ideal = slot-time / capacity + ${Math.round(extractMs)} ms extraction of one clip`,
      samples: {
        reps: reps.map((r) => ({
          wallMs: Math.round(r.wallMs),
          idealMs: Math.round(r.idealMs),
          slotMs: Math.round(r.slotMs),
          ratio: round(r.ratio),
          peakActive: r.peakActive,
        })),
        extractMs: extractSamples.map(Math.round),
      },
    },
    {
      id: 'saturation.sequentialSpeedup',
      name: 'Speed-up over a sequential client (concurrency 1)',
      value: round(speedup, 1),
      unit: '×',
      met: null,
      detail: `concurrency 1: ${(seq.wallMs / 1000).toFixed(1)} s (slot-time ${(seq.slotMs / 1000).toFixed(1)} s, wall / slot-time ${(seq.wallMs / seq.slotMs).toFixed(3)}); concurrency 16: ${(wall16 / 1000).toFixed(1)} s`,
      samples: {
        sequentialWallMs: Math.round(seq.wallMs),
        sequentialSlotMs: Math.round(seq.slotMs),
        concurrent16WallMs: Math.round(wall16),
      },
    },
    {
      id: 'encodings.perVideo',
      name: 'Video encodings per video (default message order)',
      value: maxEnc,
      unit: '',
      target: '= 1',
      met: minEnc === 1 && maxEnc === 1 && maxPrefixes === 1,
      detail: `over ${allEncodings.length} videos in ${reps.length} runs: min ${minEnc}, max ${maxEnc}; distinct system+video prefixes per video at most ${maxPrefixes}`,
    },
    {
      id: 'rescore.requests',
      name: 'Rescore with nothing changed: answering requests',
      value: rescoreRequests,
      unit: '',
      target: '= 0',
      met: rescoreRequests === 0,
      detail: `the same command again on the same workspace, ${reps.length} times; worst case`,
    },
    {
      id: 'rescore.time',
      name: 'Rescore with nothing changed: time / first scoring',
      value: round(rescoreRatio * 100, 1),
      unit: '%',
      target: '≤ 5 %',
      met: rescoreRatio <= 0.05,
      detail: `median of ${reps.length}; rescore ${Math.round(median(reps.map((r) => r.rescoreWallMs)))} ms vs first ${Math.round(wall16)} ms (whole CLI process, Node start-up included)`,
      samples: reps.map((r) => ({ firstMs: Math.round(r.wallMs), rescoreMs: Math.round(r.rescoreWallMs) })),
    },
  ];
}
