// From per-frame filter values to signals: each with its value, the time ranges it flags and
// pass/fail against the thresholds (thresholds.ts). Pure functions, so the rules are tested on
// hand-made frame series as well as on real clips.
//
// Times are seconds from the clip's first frame; a frame covers [t, t + one frame interval).
// - frozen, black: the stretches freezedetect and blackdetect report (start to the first frame
//   that differs; open at the end of the clip → to its end).
// - cut: each frame scdet marks, as the interval of the first frame of the new shot.
// - dynamic: the mean TI over the clip (P.910, from siti), and runs of still frames (TI below
//   `stillTi`) of at least `minStillSec`, from the frame they repeat to the last one.
// - flicker: frames where the mean luma (signalstats YAVG) jumps by at least `minLumaStep` and
//   back by at least as much (a local extreme); `minFrames` of them in a row.
// - blur: runs of frames whose blurdetect value reaches `threshold`, of at least `minSec`
//   (frames with too little detail to judge are left out: see thresholds.ts, blur.minSi).
import type { FrameStats } from './parse';
import type { SignalOutcome, SignalsReport, TimeRange } from './schema';
import { SIGNAL_LABELS, type SignalThresholds } from './thresholds';

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Frame times from the first frame, filling unknown times from the frame number. */
function relativeTimes(frames: readonly FrameStats[], fallbackInterval: number): { times: number[]; dt: number; t0: number } {
  const known = frames.filter((f) => Number.isFinite(f.t));
  const t0 = known[0]?.t ?? 0;
  const steps: number[] = [];
  for (let i = 1; i < frames.length; i++) {
    const a = frames[i - 1]!.t;
    const b = frames[i]!.t;
    if (Number.isFinite(a) && Number.isFinite(b) && b > a) steps.push(b - a);
  }
  const dt = steps.length > 0 ? median(steps) : fallbackInterval;
  const times = frames.map((f, i) => (Number.isFinite(f.t) ? f.t - t0 : i * dt));
  return { times, dt, t0 };
}

/** Runs of consecutive indices where `flagged(i)` holds: [first, last] pairs. */
function runs(count: number, flagged: (i: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i < count; i++) {
    if (flagged(i)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push([start, i - 1]);
      start = -1;
    }
  }
  if (start >= 0) out.push([start, count - 1]);
  return out;
}

const total = (ranges: TimeRange[]) => ranges.reduce((s, r) => s + (r.end - r.start), 0);

/** Stretches opened and closed by metadata (freezedetect, blackdetect), in relative seconds. */
function stretches(
  frames: readonly FrameStats[],
  t0: number,
  duration: number,
  startOf: (f: FrameStats) => number | undefined,
  endOf: (f: FrameStats) => number | undefined,
): TimeRange[] {
  const out: TimeRange[] = [];
  let open: number | undefined;
  for (const f of frames) {
    const s = startOf(f);
    const e = endOf(f);
    // A frame can close one stretch and open the next (black_end then black_start).
    if (e !== undefined && open !== undefined) {
      out.push({ start: open, end: Math.max(open, Math.min(duration, e - t0)) });
      open = undefined;
    }
    if (s !== undefined && open === undefined) open = Math.max(0, s - t0);
  }
  if (open !== undefined) out.push({ start: open, end: duration });
  return out;
}

export interface DetectContext {
  fps?: number;
  width: number;
  height: number;
}

export function detectSignals(frames: readonly FrameStats[], t: SignalThresholds, ctx: DetectContext): SignalsReport {
  const fallback = ctx.fps && ctx.fps > 0 ? 1 / ctx.fps : 1 / 25;
  const { times, dt, t0 } = relativeTimes(frames, fallback);
  const n = frames.length;
  const duration = n > 0 ? times[n - 1]! + dt : 0;
  const frameRange = (a: number, b: number): TimeRange => ({ start: round(times[a]!), end: round(Math.min(duration, times[b]! + dt)) });
  const tidy = (rs: TimeRange[]) => rs.map((r) => ({ start: round(r.start), end: round(r.end) }));
  /** The stretches a detect filter's start/end metadata mark, tidied. */
  const marked = (startOf: (f: FrameStats) => number | undefined, endOf: (f: FrameStats) => number | undefined) =>
    tidy(stretches(frames, t0, duration, startOf, endOf));

  // dynamic degree
  const tis = frames
    .slice(1)
    .map((f) => f.ti)
    .filter(Number.isFinite);
  const meanTi = tis.length > 0 ? tis.reduce((s, x) => s + x, 0) / tis.length : 0;
  const stillRuns = runs(n, (i) => i > 0 && Number.isFinite(frames[i]!.ti) && frames[i]!.ti < t.dynamic.stillTi)
    .map(([a, b]) => frameRange(a - 1, b))
    .filter((r) => r.end - r.start >= t.dynamic.minStillSec - 1e-9);
  const dynamic: SignalOutcome = {
    id: 'dynamic',
    label: SIGNAL_LABELS.dynamic,
    value: round(meanTi, 3),
    unit: 'mean TI',
    threshold: `≥ ${t.dynamic.minMeanTi}`,
    pass: meanTi >= t.dynamic.minMeanTi,
    ranges: stillRuns,
  };

  // frozen
  const frozenRanges = marked(
    (f) => f.freezeStart,
    (f) => f.freezeEnd,
  );
  const frozen: SignalOutcome = {
    id: 'frozen',
    label: SIGNAL_LABELS.frozen,
    value: round(total(frozenRanges), 3),
    unit: 's',
    threshold: `no stretch ≥ ${t.frozen.minSec} s`,
    pass: frozenRanges.length === 0,
    ranges: frozenRanges,
  };

  // flicker: local extremes of the mean luma with a large step on both sides
  const y = frames.map((f) => f.yavg);
  const isExtreme = (i: number): boolean => {
    if (i <= 0 || i >= n - 1) return false;
    const before = y[i]! - y[i - 1]!;
    const after = y[i + 1]! - y[i]!;
    if (!Number.isFinite(before) || !Number.isFinite(after)) return false;
    return Math.sign(before) !== Math.sign(after) && Math.abs(before) >= t.flicker.minLumaStep && Math.abs(after) >= t.flicker.minLumaStep;
  };
  const flickerRuns = runs(n, isExtreme).filter(([a, b]) => b - a + 1 >= t.flicker.minFrames);
  const flickerRanges = flickerRuns.map(([a, b]) => frameRange(a, b));

  // hard cuts: the frames scdet marks. Two corrections, both from scdet's own mafd:
  // - scdet scores a frame min(mafd, |mafd − previous mafd|) (libavfilter/vf_scdet.c) with a
  //   previous mafd of 0 before the second frame, so any fast motion between the first two frames
  //   would read as a cut; that frame is scored against the next frame's mafd instead.
  // - a flickering stretch makes scdet fire where it starts and ends; flicker explains those.
  const inFlicker = (i: number) => flickerRuns.some(([a, b]) => i >= a && i <= b + 1);
  const cutRanges: TimeRange[] = [];
  frames.forEach((f, i) => {
    if (i === 0 || inFlicker(i)) return;
    let isCut = f.cut;
    if (i === 1 && isCut && n > 2 && Number.isFinite(f.mafd) && Number.isFinite(frames[2]!.mafd)) {
      isCut = Math.min(f.mafd, Math.abs(f.mafd - frames[2]!.mafd)) >= t.cut.threshold;
    }
    if (isCut) cutRanges.push(frameRange(i, i));
  });
  const cut: SignalOutcome = {
    id: 'cut',
    label: SIGNAL_LABELS.cut,
    value: cutRanges.length,
    unit: 'cuts',
    threshold: `≤ ${t.cut.maxCuts} (score ≥ ${t.cut.threshold})`,
    pass: cutRanges.length <= t.cut.maxCuts,
    ranges: cutRanges,
  };

  const flicker: SignalOutcome = {
    id: 'flicker',
    label: SIGNAL_LABELS.flicker,
    value: round(total(flickerRanges), 3),
    unit: 's',
    threshold: `no ${t.flicker.minFrames}+ frames alternating by ≥ ${t.flicker.minLumaStep} luma levels`,
    pass: flickerRanges.length === 0,
    ranges: flickerRanges,
  };

  // blur
  const medianSi = median(frames.map((f) => f.si).filter(Number.isFinite));
  const judged = (f: FrameStats) => !Number.isFinite(f.si) || f.si >= t.blur.minSi || f.si <= medianSi / 2;
  const blurRanges = runs(n, (i) => Number.isFinite(frames[i]!.blur) && frames[i]!.blur >= t.blur.threshold && judged(frames[i]!))
    .map(([a, b]) => frameRange(a, b))
    .filter((r) => r.end - r.start >= t.blur.minSec - 1e-9);
  const blur: SignalOutcome = {
    id: 'blur',
    label: SIGNAL_LABELS.blur,
    value: round(total(blurRanges), 3),
    unit: 's',
    threshold: `no stretch ≥ ${t.blur.minSec} s with blur ≥ ${t.blur.threshold}`,
    pass: blurRanges.length === 0,
    ranges: blurRanges,
  };

  // black
  const blackRanges = marked(
    (f) => f.blackStart,
    (f) => f.blackEnd,
  ).filter((r) => r.end > r.start);
  const black: SignalOutcome = {
    id: 'black',
    label: SIGNAL_LABELS.black,
    value: round(total(blackRanges), 3),
    unit: 's',
    threshold: t.black.minSec > 0 ? `no stretch ≥ ${t.black.minSec} s` : 'no black frame',
    pass: blackRanges.length === 0,
    ranges: blackRanges,
  };

  return {
    frames: n,
    durationSec: round(duration),
    frameIntervalSec: round(dt, 6),
    analysisWidth: ctx.width,
    analysisHeight: ctx.height,
    signals: [dynamic, frozen, cut, flicker, blur, black],
  };
}
