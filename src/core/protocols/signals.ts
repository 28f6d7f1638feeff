// The signals protocol as a strategy of the one scoring pipeline (strategy.ts,
// docs/ARCHITECTURE.md "Adding a protocol"): prepare() probes, hashes and runs the one ffmpeg
// analysis pass; judge() turns each signal into its pseudo-question; no endpoint is asked.
import { CancelledError } from '../errors';
import { scoreDimensions } from '../scoring/finger';
import type { Judged, ScoringProtocol } from './strategy';
import { PROTOCOL_LABELS, type Result } from '../types';
import { probeVideo, sha256File } from '../video';
import {
  analyzeSignals,
  DEFAULT_SIGNAL_THRESHOLDS,
  SIGNAL_DIMENSION,
  SIGNAL_IDS,
  SIGNAL_QUESTIONS,
  SIGNALS_ENDPOINT,
  signalQuestion,
  thresholdsHash,
  type SignalsReport,
  type SignalThresholds,
} from '../signals';

interface SignalsState {
  report: SignalsReport;
  thresholds: SignalThresholds;
}

export const signalsProtocol: ScoringProtocol<SignalsState, Judged & { signals: SignalsReport }> = {
  id: 'signals',
  label: PROTOCOL_LABELS.signals,
  description: 'no GPU: stillness, frozen stretches, hard cuts, flicker, blur and black frames from one ffmpeg pass',
  needsEndpoint: false,
  async prepare(ctx) {
    const thresholds = ctx.inputs.signalThresholds ?? DEFAULT_SIGNAL_THRESHOLDS;
    const tools = await ctx.engine.tools();
    const [info, sha256] = await Promise.all([
      probeVideo(ctx.videoPath, { ffprobe: tools.ffprobe, signal: ctx.signal }),
      sha256File(ctx.videoPath, ctx.signal),
    ]);
    ctx.phase('frames');
    const report = await ctx.engine.extractionSlot(() =>
      analyzeSignals(ctx.videoPath, {
        ffmpeg: tools.ffmpeg,
        width: info.width,
        height: info.height,
        fps: info.fps,
        thresholds,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      }),
    );
    if (ctx.signal?.aborted) throw new CancelledError();
    const fps = report.frameIntervalSec > 0 ? 1 / report.frameIntervalSec : info.fps > 0 ? info.fps : 1;
    return {
      video: { sha256, durationSec: info.durationSec, width: info.width, height: info.height, fps: info.fps },
      prompt: ctx.inputs.prompt ?? ctx.inputs.questionSet?.prompt ?? '',
      questionSet: {
        version: 1,
        prompt: '',
        entities: [],
        questions: SIGNAL_IDS.map((id) => ({
          id,
          dimension: SIGNAL_DIMENSION[id],
          entity: '',
          text: SIGNAL_QUESTIONS[id],
          polarity: 'positive' as const,
        })),
      },
      sampling: {
        mode: 'video',
        fps: Number(fps.toFixed(6)),
        maxFrames: Math.max(1, report.frames),
        maxPixels: Math.max(1, report.analysisWidth * report.analysisHeight),
        frames: report.frames,
      },
      state: { report, thresholds },
    };
  },
  async judge(_ctx, prepared, onAnswer) {
    const questions = prepared.state.report.signals.map(signalQuestion);
    for (const q of questions) onAnswer(q, false);
    const judge: NonNullable<Result['judge']> = {
      reasoning: false,
      temperature: 0,
      templateHash: thresholdsHash(prepared.state.thresholds),
    };
    return { questions, judge, endpoint: { ...SIGNALS_ENDPOINT }, requestsSent: 0, answersReused: 0, signals: prepared.state.report };
  },
  aggregate(_ctx, judged) {
    return scoreDimensions(judged.questions);
  },
  rescore() {
    return (merged) => scoreDimensions(merged.questions);
  },
  mergedNote(merged) {
    return `${merged} signal(s) kept their earlier values`;
  },
};
