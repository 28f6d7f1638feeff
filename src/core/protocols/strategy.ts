// A scoring protocol as a strategy: the steps in which FingER, VideoScore2 and Q-Save differ.
// Everything they share — the engine's lifetime, the progress events, cancellation, building the
// result, saving it and the outcome — is the shell's (pipeline.ts, scoreVideo). How to add a
// protocol: docs/ARCHITECTURE.md, "Adding a protocol".
//
//   scoreVideo ─ phase 'probe' ─► prepare ─ 'frames', phase 'questions', 'questions' ─►
//   phase 'answers' ─► judge (onAnswer → 'answer' events) ─ phase 'save' ─► aggregate ─►
//   saveResultSafely(rescore) ─ 'saved' ─► outcome
import type { Engine } from '../engine';
import type { Templates } from '../templates';
import type { Rescore } from '../store/results';
import type { AnsweredQuestion, Protocol, QuestionSet, Result, Sampling, VideoMeta } from '../types';
import type { SoftScoreRule } from './scores';
import type { SlowFastOptions } from './slowfast';
import type { VideoInfo } from '../video';
import type { SignalsReport } from '../signals/schema';
import type { SignalThresholds } from '../signals/thresholds';

export type PipelinePhase = 'probe' | 'frames' | 'questions' | 'answers' | 'save';

/** What one scoring run asks for, besides the engine. */
export interface ScoreInputs {
  /** Use this question set instead of `<name>.questions.json` or generating one (FingER); its
   *  prompt is the video's prompt (every protocol). */
  questionSet?: QuestionSet;
  /** The prompt, when the caller already has it; else `questionSet.prompt`, else readPrompt(). */
  prompt?: string;
  /** FingER's templates, loaded once by the caller; else loaded from the workspace. */
  templates?: Templates;
  /** VideoScore2 and Q-Save: how digit probabilities become a rating (default: the protocol's own,
   *  RatingProtocolSpec.defaultSoftScore). */
  softScore?: SoftScoreRule;
  /** VideoScore2 and Q-Save: reply budget in tokens (default 1024: reasoning plus verdict). */
  maxTokens?: number;
  /** Q-Save: override parts of the SlowFast sampling. */
  slowFast?: Partial<SlowFastOptions>;
  /** Signals: the thresholds (default DEFAULT_SIGNAL_THRESHOLDS). */
  signalThresholds?: SignalThresholds;
}

/** What every step sees: the engine (its settings, pool, caches and tools), the video, the
 *  caller's inputs and signal, and the two events that only a step can time. */
export interface ProtocolContext {
  readonly engine: Engine;
  /** Absolute path of the video. */
  readonly videoPath: string;
  /** Root of `.finger/` and of relative paths. */
  readonly workspaceRoot: string;
  /** The video relative to the workspace root, with forward slashes (what events and results name). */
  readonly relPath: string;
  readonly inputs: ScoreInputs;
  readonly signal?: AbortSignal;
  /** A phase that starts inside a step (frame extraction starts only when frames are not cached). */
  phase(phase: PipelinePhase): void;
}

/** What prepare() found: what the result records about the video, and what judge() will ask. */
export interface Prepared<State> {
  /** The video as the result records it (its `path` is the shell's). */
  video: Omit<VideoMeta, 'path'>;
  prompt: string;
  /** The questions to ask, or the dimensions to rate, shown as pending rows before any answer. */
  questionSet: QuestionSet;
  /** The result's `sampling`: how the video was shown to the judge. */
  sampling: Sampling;
  /** Sampled frames on disk, shown while the video is scored (the `frames` event). */
  frameFiles?: { timeSec: number; file: string }[];
  /** The protocol's own state, handed to judge() (frames, templates, …). */
  state: State;
}

/** What judge() returns. */
export interface Judged {
  /** One per prepared question, in order, each built with answered() or unanswered(). */
  questions: AnsweredQuestion[];
  /** How the answers were asked (the result's `judge`, part of what makes a rescore comparable). */
  judge: NonNullable<Result['judge']>;
  /** The endpoint that replied; the first configured one when absent. A protocol that needs no
   *  endpoint names what scored instead (e.g. `{ baseUrl: '', model: 'ffmpeg' }`). */
  endpoint?: { baseUrl: string; model: string };
  /** Requests sent to the endpoint (cached answers are not sent). */
  requestsSent: number;
  answersReused: number;
  /** The signals protocol's measurements, kept in the result beside its questions. */
  signals?: SignalsReport;
}

export interface ScoringProtocol<State = unknown, J extends Judged = Judged> {
  readonly id: Protocol;
  /** The protocol's name for people (pickers, messages). */
  readonly label: string;
  /** One line for pickers: what it asks and what it gives. */
  readonly description: string;
  /** False for a protocol that scores from the video alone: an engine without an endpoint may run it. */
  readonly needsEndpoint: boolean;
  /** Everything before the judge is asked: frames, prompt, questions. Fails the video when it throws. */
  prepare(ctx: ProtocolContext): Promise<Prepared<State>>;
  /**
   * Answers every prepared question. Calls `onAnswer` once per question as each answer is known
   * (the shell turns it into the `answer` event); a question that fails is recorded with
   * unanswered(), not thrown. Throws CancelledError when the signal is aborted, and a
   * ConfigError (wrong model, rejected key) that dooms every question.
   */
  judge(ctx: ProtocolContext, prepared: Prepared<State>, onAnswer: (question: AnsweredQuestion, cached: boolean) => void): Promise<J>;
  /** The result's dimension scores and overall from its questions. */
  aggregate(ctx: ProtocolContext, judged: J): Pick<Result, 'dimensions' | 'overall'>;
  /** The same aggregate for the store, which calls it after filling failed questions from the
   *  saved result (saveResultSafely). */
  rescore(ctx: ProtocolContext, judged: J): Rescore;
  /** The outcome's note when `merged` failed questions kept the saved result's answers. */
  mergedNote(merged: number): string;
}

/** The result's record of a probed video (Prepared.video). */
export function videoMetaOf(v: { info: VideoInfo; sha256: string }): Omit<VideoMeta, 'path'> {
  return { sha256: v.sha256, durationSec: v.info.durationSec, width: v.info.width, height: v.info.height, fps: v.info.fps };
}
