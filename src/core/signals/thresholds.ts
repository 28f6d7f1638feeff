// The signals protocol's thresholds, as data: what each ffmpeg filter is told, and when a signal
// fails. Every default is documented here and in README.md ("Signals without a GPU"); settings
// (`finger.signals.*`) and CLI flags (`--signal name.key=value`) override them one by one.
//
// Units: times in seconds; luma in 8-bit levels (0–255, what signalstats reports for 8-bit
// video); TI as ITU-T P.910 defines it (what ffmpeg's siti filter prints), measured on frames
// scaled to `analysisSize`.
import * as z from 'zod';
import type { Dimension } from '../types';

export const SIGNAL_IDS = ['dynamic', 'frozen', 'cut', 'flicker', 'blur', 'black'] as const;
export type SignalId = (typeof SIGNAL_IDS)[number];
export const SignalIdSchema = z.enum(SIGNAL_IDS);

/** Which FingER dimension a signal speaks to, so signals results line up with the others. */
export const SIGNAL_DIMENSION: Record<SignalId, Dimension> = {
  dynamic: 'dynamic_degree',
  frozen: 'temporal_consistency',
  cut: 'temporal_consistency',
  flicker: 'temporal_consistency',
  blur: 'visual_quality',
  black: 'visual_quality',
};

export const SIGNAL_LABELS: Record<SignalId, string> = {
  dynamic: 'Dynamic degree',
  frozen: 'Frozen stretches',
  cut: 'Hard cuts',
  flicker: 'Flicker',
  blur: 'Blur',
  black: 'Black frames',
};

/** The yes/no question a signal answers; "Yes" is a good clip (polarity positive). */
export const SIGNAL_QUESTIONS: Record<SignalId, string> = {
  dynamic: 'Does the clip move enough (mean temporal information at or above the threshold)?',
  frozen: 'Is the clip free of frozen stretches?',
  cut: 'Is the clip one shot, without hard cuts?',
  flicker: 'Is the clip free of brightness flicker?',
  blur: 'Is the clip free of blurred stretches?',
  black: 'Is the clip free of black frames?',
};

const nonNegative = z.number().finite().min(0);
const unitInterval = z.number().finite().min(0).max(1);

export const SignalThresholdsSchema = z.object({
  /** Frames are scaled (fast bilinear) so their longer side is at most this many pixels before
   *  any filter runs: the filters' cost then hardly depends on the clip's resolution. */
  analysisSize: z.number().int().min(32).max(4096),
  dynamic: z.object({
    /** Fails when the clip's mean TI is below this. */
    minMeanTi: nonNegative,
    /** A frame whose TI is below this counts as still… */
    stillTi: nonNegative,
    /** …and a run of still frames this long or longer is flagged. */
    minStillSec: nonNegative,
  }),
  frozen: z.object({
    /** freezedetect `n`: noise tolerance (mean absolute difference, as a fraction of full scale). */
    noise: unitInterval,
    /** freezedetect `d`: shortest frozen stretch flagged. */
    minSec: nonNegative,
  }),
  cut: z.object({
    /** scdet `threshold`: a frame whose scene-change score (0–100) reaches this is a cut. */
    threshold: z.number().finite().min(0).max(100),
    /** Fails with more cuts than this. */
    maxCuts: z.number().int().min(0),
  }),
  flicker: z.object({
    /** A frame is a flicker frame when its mean luma jumps at least this much from the previous
     *  frame and back by at least as much to the next (an alternation, not a fade or a cut). */
    minLumaStep: nonNegative,
    /** Flagged from this many consecutive flicker frames (a lone flash is not flicker). */
    minFrames: z.number().int().min(1),
  }),
  blur: z.object({
    /** A frame whose blurdetect value reaches this is blurred (higher is blurrier). */
    threshold: nonNegative,
    /** A run of blurred frames this long or longer is flagged. */
    minSec: nonNegative,
    /** blurdetect reads edges; a frame with less spatial information (siti SI) than this has too
     *  few to judge (a smooth gradient, a clear sky) and is only judged when its SI also fell to
     *  half the clip's median or less (detail lost, which is what blur does). */
    minSi: nonNegative,
  }),
  black: z.object({
    /** blackdetect `pix_th`: a pixel is black below this luma fraction. */
    pixelThreshold: unitInterval,
    /** blackdetect `pic_th`: a frame is black when this fraction of its pixels is. */
    pictureRatio: unitInterval,
    /** blackdetect `d`: shortest black stretch flagged (0: any black frame). */
    minSec: nonNegative,
  }),
});
export type SignalThresholds = z.infer<typeof SignalThresholdsSchema>;

/**
 * Defaults, chosen on generated test patterns (test/integration/signals) so that clean moving
 * clips flag nothing and each planted defect is found; see README.md for the reasoning and the
 * false-positive count.
 */
export const DEFAULT_SIGNAL_THRESHOLDS: SignalThresholds = {
  analysisSize: 160,
  dynamic: { minMeanTi: 2, stillTi: 1, minStillSec: 0.5 },
  frozen: { noise: 0.003, minSec: 0.3 },
  cut: { threshold: 10, maxCuts: 0 },
  flicker: { minLumaStep: 4, minFrames: 3 },
  blur: { threshold: 8, minSec: 0.2, minSi: 12 },
  black: { pixelThreshold: 0.1, pictureRatio: 0.98, minSec: 0 },
};

export type SignalThresholdOverrides = { analysisSize?: number } & { [K in SignalId]?: Partial<SignalThresholds[K]> };

/** Defaults with `overrides` laid over them, validated (a bad value names its key). */
export function resolveThresholds(...overrides: (SignalThresholdOverrides | undefined)[]): SignalThresholds {
  const merged: Record<string, unknown> = structuredClone(DEFAULT_SIGNAL_THRESHOLDS);
  for (const o of overrides) {
    if (!o) continue;
    if (o.analysisSize !== undefined) merged.analysisSize = o.analysisSize;
    for (const id of SIGNAL_IDS) {
      const part = o[id];
      if (part) merged[id] = { ...(merged[id] as object), ...part };
    }
  }
  return SignalThresholdsSchema.parse(merged);
}

/** Every `signal.key` a threshold can be set by (`frozen.minSec`, `analysisSize` …). */
export function thresholdKeys(): string[] {
  const keys = ['analysisSize'];
  for (const id of SIGNAL_IDS) keys.push(...Object.keys(DEFAULT_SIGNAL_THRESHOLDS[id]).map((k) => `${id}.${k}`));
  return keys;
}

/** `frozen.minSec=0.5` → { frozen: { minSec: 0.5 } }; throws with the allowed keys otherwise. */
export function parseThresholdAssignment(text: string): SignalThresholdOverrides {
  const eq = text.indexOf('=');
  const key = eq > 0 ? text.slice(0, eq).trim() : '';
  const value = Number(eq > 0 ? text.slice(eq + 1).trim() : NaN);
  if (!thresholdKeys().includes(key) || !Number.isFinite(value)) {
    throw new Error(`"${text}" is not KEY=NUMBER with KEY among ${thresholdKeys().join(', ')}`);
  }
  if (key === 'analysisSize') return { analysisSize: value };
  const [id, field] = key.split('.') as [SignalId, string];
  return { [id]: { [field]: value } } as SignalThresholdOverrides;
}
