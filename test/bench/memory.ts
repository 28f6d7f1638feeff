// Figure 5: peak RSS of one CLI run scoring 100 and 500 short clips (distinct content, 10
// questions each, endpoint double with no delay, so memory that grows with the number of clips
// would show). The peak is the CLI's own Node process (getrusage maxrss via a preload), not
// ffmpeg's. One run of each, back to back.
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { startEndpointDouble } from '../double/endpoint-double';
import { makeClipSet } from './clips';
import { assertCliOk, log, median, round, runCli, scoreArgs, writeQuestionSets, type Figure } from './common';

const MiB = 1 << 20;

export async function runMemory(dir: string): Promise<Figure[]> {
  log('memory: making 500 one-second clips (one ffmpeg run)');
  const all = await makeClipSet(path.join(dir, 'pool'), { count: 500, durationSec: 1, width: 320, height: 180, fps: 12 });
  await writeQuestionSets(all, 10);
  // Each run starts from an empty .finger/ (no cached frames or answers) and gets the files.
  const sets = { 100: all.slice(0, 100), 500: all };
  const peaks: Record<100 | 500, number[]> = { 100: [], 500: [] };
  const walls: Record<100 | 500, number[]> = { 100: [], 500: [] };
  const double = await startEndpointDouble({});
  try {
    for (const n of [100, 500] as const) {
      await rm(path.join(dir, 'pool', '.finger'), { recursive: true, force: true });
      const run = await runCli(scoreArgs(sets[n], { endpoint: double.url, workspace: path.join(dir, 'pool'), concurrency: 8 }), dir);
      assertCliOk(run, `memory run over ${n} clips`);
      if (run.peakRssBytes === null) throw new Error('memory: the CLI did not report its peak RSS');
      peaks[n].push(run.peakRssBytes);
      walls[n].push(run.wallMs);
      log(`memory: ${n} clips → peak RSS ${(run.peakRssBytes / MiB).toFixed(1)} MiB in ${(run.wallMs / 1000).toFixed(1)} s`);
    }
  } finally {
    await double.close();
  }
  const p100 = median(peaks[100]);
  const p500 = median(peaks[500]);
  const growth = p500 / p100 - 1;
  const worst = Math.max(...peaks[100], ...peaks[500]);
  return [
    {
      id: 'memory.peak100',
      name: 'Peak RSS of one CLI run, 100 clips',
      value: round(p100 / MiB, 1),
      unit: 'MiB',
      target: '≤ 300 MB',
      met: Math.max(...peaks[100]) <= 300e6,
      detail: `1 s 320×180 clips, 10 questions each, concurrency 8; one run; ${(median(walls[100]) / 1000).toFixed(1)} s`,
      samples: peaks[100].map((b) => round(b / MiB, 1)),
    },
    {
      id: 'memory.peak500',
      name: 'Peak RSS of one CLI run, 500 clips',
      value: round(p500 / MiB, 1),
      unit: 'MiB',
      target: '≤ 300 MB',
      met: Math.max(...peaks[500]) <= 300e6,
      detail: `as above; one run; ${(median(walls[500]) / 1000).toFixed(1)} s`,
      samples: peaks[500].map((b) => round(b / MiB, 1)),
    },
    {
      id: 'memory.growth',
      name: 'Peak RSS, 500 clips vs 100 clips',
      value: round(growth * 100, 1),
      unit: '%',
      target: '≤ +10 %',
      met: growth <= 0.1 && worst <= 300e6,
      detail: `500-clip peak / 100-clip peak − 1 (one run each, back to back)`,
    },
  ];
}
