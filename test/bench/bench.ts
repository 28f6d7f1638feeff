// `npm run bench`: every figure of issue 5, written to bench-results.json and printed as a table.
//   node --import tsx test/bench/bench.ts [--only saturation,frames,memory,webview,activation,payload,fleet,signals] [--out FILE]
// Ratios are measured within one run (both sides back to back, interleaved, several repetitions,
// median), because the machines these run on are shared and noisy.
import { cpus, totalmem, type as osType, release } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir, removeTempDir } from '../helpers/clips';
import { runActivation } from './activation';
import { log, REPO, type Figure } from './common';
import { runFleet } from './fleet';
import { runFrames } from './frames';
import { runMemory } from './memory';
import { runPayload } from './payload';
import { runSaturation } from './saturation';
import { runSignals } from './signals';
import { formatTable } from './table';
import { runWebview } from './webview';

const SECTIONS: Record<string, (dir: string) => Promise<Figure[]>> = {
  saturation: runSaturation,
  frames: runFrames,
  memory: runMemory,
  webview: runWebview,
  activation: runActivation,
  payload: runPayload,
  fleet: runFleet,
  signals: runSignals,
};

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' }, keep: { type: 'boolean' } } });
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : Object.keys(SECTIONS);
  for (const name of only) if (!SECTIONS[name]) throw new Error(`unknown section ${name}; one of ${Object.keys(SECTIONS).join(', ')}`);
  const out = path.resolve(values.out ?? path.join(REPO, 'bench-results.json'));
  const started = new Date();
  const t0 = performance.now();
  const work = await makeTempDir('finger-bench');
  const figures: Figure[] = [];
  const errors: Record<string, string> = {};
  try {
    for (const name of only) {
      const s0 = performance.now();
      log(`── ${name} ──`);
      const dir = path.join(work, name);
      await mkdir(dir, { recursive: true });
      try {
        const measuredAt = new Date().toISOString();
        figures.push(...(await SECTIONS[name]!(dir)).map((f) => ({ ...f, section: name, measuredAt })));
      } catch (e) {
        errors[name] = e instanceof Error ? (e.stack ?? e.message) : String(e);
        log(`${name} FAILED: ${errors[name]}`);
      }
      log(`${name} took ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    }
  } finally {
    if (!values.keep) await removeTempDir(work);
    else log(`kept ${work}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const machine = {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
  };
  // A run of some sections (--only) keeps the other sections' figures of the file it rewrites, each
  // with the time it was measured: every ratio is still measured within one run of its section.
  const kept = values.only ? await keptFigures(out, new Set(only)) : [];
  const report = {
    version: 1,
    startedAt: started.toISOString(),
    durationSec: Math.round(seconds),
    machine,
    sections: only,
    figures: [...kept, ...figures],
    ...(Object.keys(errors).length ? { errors } : {}),
  };
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write('\n' + formatTable(figures) + '\n');
  process.stdout.write(
    `\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}. ` +
      `Took ${seconds.toFixed(0)} s. Written to ${path.relative(process.cwd(), out) || out}.\n`,
  );
  const missed = figures.filter((f) => f.met === false);
  if (missed.length) process.stdout.write(`Targets missed: ${missed.map((f) => f.id).join(', ')}\n`);
  if (Object.keys(errors).length) process.stdout.write(`Sections that failed to run: ${Object.keys(errors).join(', ')}\n`);
  return Object.keys(errors).length ? 1 : 0;
}

/** The figures of `file` that belong to sections not run now (older files name no section: the id's prefix does). */
async function keptFigures(file: string, rerun: Set<string>): Promise<Figure[]> {
  let previous: { startedAt?: string; figures?: (Figure & { section?: string; measuredAt?: string })[] };
  try {
    previous = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return [];
  }
  const sectionOf = (f: Figure & { section?: string }) => {
    const prefix = f.id.split('.')[0]!;
    return f.section ?? (prefix === 'encodings' || prefix === 'rescore' ? 'saturation' : prefix);
  };
  return (previous.figures ?? [])
    .filter((f) => !rerun.has(sectionOf(f)))
    .map((f) => ({ ...f, section: sectionOf(f), measuredAt: f.measuredAt ?? previous.startedAt }));
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
