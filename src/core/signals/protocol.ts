// The signals protocol as a scorer beside FingER, VideoScore2 and Q-Save: one ffmpeg pass per
// clip, no endpoint. Its result has the same shape as the others (README.md, "Signals without a
// GPU"): one pseudo-question per signal ("Is the clip free of frozen stretches?", Yes when it
// passed), grouped into the FingER dimension it speaks to, plus the `signals` report with each
// signal's value and flagged time ranges, which the results panel draws as the Signals strip.
import { createHash } from 'node:crypto';
import { scoreDimensions } from '../scoring/finger';
import type { AnsweredQuestion, Result } from '../types';
import type { SignalOutcome, SignalsReport } from './schema';
import { SIGNAL_DIMENSION, SIGNAL_QUESTIONS, type SignalThresholds } from './thresholds';

/** What a signals result names as its "endpoint": the analyser, not a server. */
export const SIGNALS_ENDPOINT = { baseUrl: 'ffmpeg', model: 'signals' } as const;

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** A sentence a person reads in the panel, the JUnit message and the Testing view. */
export function signalReason(s: SignalOutcome): string {
  const where =
    s.ranges.length > 0
      ? ` at ${s.ranges.map((r) => (r.end - r.start <= 0.0801 ? `${fmt(r.start)} s` : `${fmt(r.start)}–${fmt(r.end)} s`)).join(', ')}`
      : '';
  const measured = s.unit === 's' ? `${fmt(s.value)} s flagged` : `${fmt(s.value)} ${s.unit}`;
  return `${s.label}: ${measured}${where} (passes when ${s.threshold}).`;
}

/** The pseudo-question of one signal, in the result shape every protocol shares. */
export function signalQuestion(s: SignalOutcome): AnsweredQuestion {
  const score = s.pass ? 1 : 0;
  return {
    id: s.id,
    dimension: SIGNAL_DIMENSION[s.id],
    entity: '',
    text: SIGNAL_QUESTIONS[s.id],
    polarity: 'positive',
    answer: s.pass ? 'Yes' : 'No',
    reason: signalReason(s),
    pYes: score,
    pNo: 1 - score,
    score,
    // A measurement, not a model's token probability: the answer is certain.
    probabilitySource: 'sampled',
    error: null,
  };
}

/** Identifies the thresholds a result was measured with (the Testing view's "is it current"). */
export function thresholdsHash(t: SignalThresholds): string {
  return 'signals:' + createHash('sha256').update(JSON.stringify(t)).digest('hex').slice(0, 16);
}

export function signalsResult(o: {
  rel: string;
  sha256: string;
  info: { durationSec: number; width: number; height: number; fps: number };
  report: SignalsReport;
  thresholds: SignalThresholds;
}): Result {
  const questions = o.report.signals.map(signalQuestion);
  const scored = scoreDimensions(questions);
  const fps = o.report.frameIntervalSec > 0 ? 1 / o.report.frameIntervalSec : o.info.fps > 0 ? o.info.fps : 1;
  return {
    version: 1,
    protocol: 'signals',
    video: { path: o.rel, sha256: o.sha256, durationSec: o.info.durationSec, width: o.info.width, height: o.info.height, fps: o.info.fps },
    prompt: '',
    endpoint: { ...SIGNALS_ENDPOINT },
    sampling: {
      mode: 'video',
      fps: Number(fps.toFixed(6)),
      maxFrames: Math.max(1, o.report.frames),
      maxPixels: Math.max(1, o.report.analysisWidth * o.report.analysisHeight),
      frames: o.report.frames,
    },
    judge: { reasoning: false, temperature: 0, templateHash: thresholdsHash(o.thresholds) },
    createdAt: new Date().toISOString(),
    questions,
    dimensions: scored.dimensions,
    overall: scored.overall,
    signals: o.report,
  };
}
