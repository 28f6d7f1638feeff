// What the signals protocol records per clip, beside the result's pseudo-questions: each signal's
// value, the time ranges it flags and whether it passed. Pure zod (no Node APIs): the webview
// reads it through ResultSchema to draw the Signals strip.
import * as z from 'zod';

export const TimeRangeSchema = z.object({
  /** Seconds from the clip's first frame. */
  start: z.number().min(0),
  end: z.number().min(0),
});
export type TimeRange = z.infer<typeof TimeRangeSchema>;

export const SignalOutcomeSchema = z.object({
  id: z.enum(['dynamic', 'frozen', 'cut', 'flicker', 'blur', 'black']),
  label: z.string(),
  /** The measured value, in `unit` (mean TI, seconds flagged, number of cuts). */
  value: z.number(),
  unit: z.string(),
  /** What the value was compared with, as a person reads it ("≥ 2", "= 0 s"). */
  threshold: z.string(),
  pass: z.boolean(),
  ranges: z.array(TimeRangeSchema),
});
export type SignalOutcome = z.infer<typeof SignalOutcomeSchema>;

export const SignalsReportSchema = z.object({
  /** Frames analysed (every decoded frame: one pass, no sampling). */
  frames: z.number().int().min(0),
  /** Seconds from the first frame to the end of the last. */
  durationSec: z.number().min(0),
  /** One frame interval (the median step between frame times). */
  frameIntervalSec: z.number().min(0),
  /** Size the filters ran at. */
  analysisWidth: z.number().int().min(0),
  analysisHeight: z.number().int().min(0),
  signals: z.array(SignalOutcomeSchema),
});
export type SignalsReport = z.infer<typeof SignalsReportSchema>;
