// Quality gates over results (README.md, "Gates in CI"): a clip fails when its overall score, a
// dimension's score or (signals) a signal's score is below the minimum set for it. The same
// evaluation serves `finger score --fail-under`, `finger gate`, the JUnit and Markdown reports
// and the VS Code Testing view. Pure: results in, verdicts out.
import { DIMENSIONS, DIMENSION_LABELS, type AnsweredQuestion, type Dimension, type Result } from '../types';
import { SIGNAL_IDS, SIGNAL_LABELS, type SignalId } from '../signals/thresholds';

/** What a minimum applies to: the overall score, a dimension, or one signal. */
export type GateKey = 'overall' | Dimension | SignalId;
export const GATE_KEYS: readonly GateKey[] = ['overall', ...DIMENSIONS, ...SIGNAL_IDS];

export type GateThresholds = Partial<Record<GateKey, number>>;

export function isGateKey(key: string): key is GateKey {
  return (GATE_KEYS as readonly string[]).includes(key);
}

export function gateKeyLabel(key: GateKey): string {
  if (key === 'overall') return 'Overall';
  if ((DIMENSIONS as readonly string[]).includes(key)) return DIMENSION_LABELS[key as Dimension];
  return SIGNAL_LABELS[key as SignalId];
}

/** `overall=0.6` → ['overall', 0.6]; throws a message naming the allowed keys otherwise. */
export function parseGateAssignment(text: string): [GateKey, number] {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq).trim() : '';
  const raw = eq > 0 ? text.slice(eq + 1).trim() : '';
  const value = Number(raw);
  if (!isGateKey(key)) throw new Error(`"${text}": the key must be one of ${GATE_KEYS.join(', ')}`);
  if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new Error(`"${text}": the minimum must be a number from 0 to 1`);
  return [key, value];
}

export interface GateFailure {
  key: GateKey;
  label: string;
  /** The score found (null: the clip has no score there, e.g. every question of it failed). */
  value: number | null;
  min: number;
}

export interface ClipVerdict {
  video: string;
  protocol: string;
  /** null when the clip has no result (it could not be scored). */
  result: Result | null;
  /** Why the clip could not be scored, when it could not. */
  error: string | null;
  failures: GateFailure[];
  /** The lowest-scoring questions behind the failures (answer and reason), worst first. */
  worst: AnsweredQuestion[];
  pass: boolean;
  /** Seconds the clip took to score in this run (0 when read from an earlier run). */
  timeSec: number;
}

export interface GateReport {
  thresholds: GateThresholds;
  clips: ClipVerdict[];
  failed: number;
  passed: number;
}

/** The score a key reads in a result; undefined when the key does not apply to it. */
export function scoreFor(result: Result, key: GateKey): number | null | undefined {
  if (key === 'overall') return result.overall;
  if ((DIMENSIONS as readonly string[]).includes(key)) {
    const d = result.dimensions[key as Dimension];
    return d === undefined ? undefined : d.score;
  }
  const q = result.questions.find((x) => x.id === key && result.protocol === 'signals');
  return q === undefined ? undefined : q.score;
}

/** At most this many questions are listed per failing clip. */
export const WORST_QUESTIONS = 3;

export function failingQuestions(result: Result, failures: readonly GateFailure[], limit = WORST_QUESTIONS): AnsweredQuestion[] {
  if (failures.length === 0) return [];
  const all = failures.some((f) => f.key === 'overall');
  const dims = new Set(failures.map((f) => f.key));
  const relevant = result.questions.filter(
    (q) => all || dims.has(q.dimension) || (result.protocol === 'signals' && dims.has(q.id as GateKey)),
  );
  // Failed answers first (score below one half), worst first; questions that could not be
  // answered after them (they carry their error as the reason).
  const below = relevant.filter((q) => q.score !== null && q.score < 0.5).sort((a, b) => a.score! - b.score!);
  const errored = relevant.filter((q) => q.score === null);
  return [...below, ...errored].slice(0, limit);
}

export function evaluateClip(
  input: { video: string; protocol: string; result: Result | null; error?: string | null; timeSec?: number },
  thresholds: GateThresholds,
): ClipVerdict {
  const failures: GateFailure[] = [];
  if (input.result) {
    for (const key of Object.keys(thresholds) as GateKey[]) {
      const min = thresholds[key]!;
      const value = scoreFor(input.result, key);
      if (value === undefined) continue; // not measured by this protocol: nothing to gate
      if (value === null || value < min) failures.push({ key, label: gateKeyLabel(key), value, min });
    }
  }
  const error = input.error ?? (input.result ? null : 'no result');
  const worst = input.result ? failingQuestions(input.result, failures) : [];
  return {
    video: input.video,
    protocol: input.protocol,
    result: input.result,
    error,
    failures,
    worst,
    pass: error === null && failures.length === 0,
    timeSec: input.timeSec ?? 0,
  };
}

export function evaluateGate(
  clips: readonly { video: string; protocol: string; result: Result | null; error?: string | null; timeSec?: number }[],
  thresholds: GateThresholds,
): GateReport {
  const verdicts = clips.map((c) => evaluateClip(c, thresholds));
  const failed = verdicts.filter((v) => !v.pass).length;
  return { thresholds, clips: verdicts, failed, passed: verdicts.length - failed };
}

const pct = (x: number | null) => (x === null ? 'no score' : x.toFixed(3));

/** One line per failing dimension: "text_alignment 0.420 < 0.5". */
export function describeFailure(f: GateFailure): string {
  return `${f.key} ${pct(f.value)} < ${f.min}`;
}

/** "[No] Is the umbrella red? — The umbrella is blue." */
export function describeQuestion(q: AnsweredQuestion): string {
  const answer = q.answer ?? 'no answer';
  const why = q.error ?? q.reason ?? '';
  const entity = q.entity ? `${q.entity}: ` : '';
  return `[${answer}${q.score !== null ? `, score ${q.score.toFixed(2)}` : ''}] ${entity}${q.text}${why ? ` — ${why}` : ''}`;
}

/** The failure text of a clip: failing keys, then its worst questions with reasons. */
export function describeVerdict(v: ClipVerdict): string {
  if (v.pass) return 'passed';
  const lines: string[] = [];
  if (v.error) lines.push(`could not be scored: ${v.error}`);
  if (v.failures.length) lines.push(`below the gate: ${v.failures.map(describeFailure).join(', ')}`);
  for (const q of v.worst) lines.push(`  ${describeQuestion(q)}`);
  return lines.join('\n');
}
