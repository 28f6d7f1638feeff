// Gates in CI (README.md, "Gates in CI"): `--fail-under KEY=MIN` on `finger score` and
// `finger gate`, the list of failing clips on stderr, `--junit FILE` and `--summary FILE`.
// Exit status 3 when a clip is below a gate (exit codes: src/cli/main.ts).
import { appendFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ConfigError } from '../core/errors';
import { describeVerdict, evaluateGate, parseGateAssignment, type GateReport, type GateThresholds } from '../core/gate';
import { junitXml } from '../core/gate/junit';
import { markdownSummary } from '../core/gate/summary';
import { protocolResultsDir } from '../core/protocols';
import { parseThresholdAssignment, resolveThresholds, type SignalThresholds } from '../core/signals';
import { listResults } from '../core/store';
import type { Protocol, Result } from '../core/types';

export const EXIT_GATE = 3;

export interface GateFlags {
  /** `overall=0.6`, `text_alignment=0.5`, `frozen=1` … (repeatable). */
  failUnder?: string[];
  junit?: string;
  summary?: string;
}

export interface GateOptions {
  thresholds: GateThresholds;
  junit?: string;
  summary?: string;
}

/** undefined when no gate and no report was asked for. */
export function gateOptionsFromFlags(flags: GateFlags): GateOptions | undefined {
  const thresholds: GateThresholds = {};
  for (const a of flags.failUnder ?? []) {
    try {
      const [key, min] = parseGateAssignment(a);
      thresholds[key] = min;
    } catch (e) {
      throw new ConfigError(`--fail-under ${(e as Error).message}.`, {
        hint: 'For example: --fail-under overall=0.6 --fail-under text_alignment=0.5',
      });
    }
  }
  if (Object.keys(thresholds).length === 0 && !flags.junit && !flags.summary) return undefined;
  return { thresholds, ...(flags.junit ? { junit: flags.junit } : {}), ...(flags.summary ? { summary: flags.summary } : {}) };
}

export function signalThresholdsFromFlags(flags: { signal?: string[] }, base?: SignalThresholds): SignalThresholds {
  try {
    return resolveThresholds(base, ...(flags.signal ?? []).map(parseThresholdAssignment));
  } catch (e) {
    throw new ConfigError(`--signal ${(e as Error).message}.`, {
      hint: 'For example: --signal frozen.minSec=0.5 --signal cut.threshold=15',
    });
  }
}

export interface GateClip {
  video: string;
  result: Result | null;
  error: string | null;
  timeSec: number;
}

/** Evaluates, prints the failing clips, writes the reports; returns 3 when a clip failed a gate. */
export async function applyGate(
  passes: { protocol: Protocol; clips: GateClip[] }[],
  gate: GateOptions,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const reports: { protocol: Protocol; report: GateReport }[] = passes.map((p) => ({
    protocol: p.protocol,
    report: evaluateGate(
      p.clips.map((c) => ({ video: c.video, protocol: p.protocol, result: c.result, error: c.error, timeSec: c.timeSec })),
      gate.thresholds,
    ),
  }));
  const gated = Object.keys(gate.thresholds).length > 0;
  let failed = 0;
  for (const { protocol, report } of reports) {
    failed += report.failed;
    if (!gated) continue;
    for (const v of report.clips) {
      if (v.pass) continue;
      stderr.write(`✗ gate ${protocol} ${v.video}: ${describeVerdict(v)}\n`);
    }
    stderr.write(
      `Gate (${protocol}): ${report.passed} of ${report.clips.length} clips passed${report.failed ? `, ${report.failed} failed` : ''}.\n`,
    );
  }
  if (gate.junit) {
    await mkdir(path.dirname(path.resolve(gate.junit)), { recursive: true });
    await writeFileAtomic(path.resolve(gate.junit), junitXml(reports), { encoding: 'utf8' });
  }
  if (gate.summary) {
    // Appended, not replaced: GitHub's $GITHUB_STEP_SUMMARY collects what every command of a
    // step writes to it.
    await mkdir(path.dirname(path.resolve(gate.summary)), { recursive: true });
    await appendFile(path.resolve(gate.summary), markdownSummary(reports), 'utf8');
  }
  return gated && failed > 0 ? EXIT_GATE : 0;
}

/** `finger gate`: the same gate over results already saved (no endpoint, nothing scored). */
export async function runGate(flags: GateFlags & { workspace: string; protocol?: Protocol[] }): Promise<number> {
  const gate = gateOptionsFromFlags(flags);
  if (!gate || Object.keys(gate.thresholds).length === 0) {
    throw new ConfigError('finger gate needs at least one --fail-under KEY=MIN.', {
      hint: 'For example: finger gate --fail-under overall=0.6',
    });
  }
  const workspace = path.resolve(flags.workspace);
  const protocols = flags.protocol?.length ? flags.protocol : (['finger'] as Protocol[]);
  const passes: { protocol: Protocol; clips: GateClip[] }[] = [];
  let broken = 0;
  for (const protocol of protocols) {
    const listed = await listResults(workspace, protocolResultsDir(protocol));
    const clips: GateClip[] = listed.map((item) => {
      if (!item.result) broken++;
      return {
        video: item.videoRelPath,
        result: item.result ?? null,
        error: item.result ? null : (item.error ?? 'unreadable result file'),
        timeSec: 0,
      };
    });
    if (clips.length === 0) {
      process.stderr.write(
        `finger: no ${protocol} results under ${path.join(workspace, protocolResultsDir(protocol))}; nothing to gate.\n`,
      );
    }
    passes.push({ protocol, clips });
  }
  if (passes.every((p) => p.clips.length === 0)) return 2;
  const exit = await applyGate(passes, gate);
  // A broken result file fails its clip in the gate (exit 3) and is named on stderr above.
  return broken > 0 && exit === 0 ? 1 : exit;
}
