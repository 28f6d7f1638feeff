// scoreVideo(): probe → frames → questions → answers → scores → save, with progress events, for
// every protocol. This is the engine's front door; the CLI and the extension are thin shells over
// it. The protocols (protocols/, one strategy each) supply the steps in which they differ
// (prepare, judge, aggregate, rescore); this shell owns the rest: the engine's lifetime, the
// events, cancellation, the result, saving it and the outcome (docs/ARCHITECTURE.md, "The scoring
// pipeline").
import * as path from 'node:path';
import { displayUrl } from './endpoint/endpoint-errors';
import { createEngine, type Engine } from './engine';
import { throwIfAborted } from './errors';
import type { Logger } from './log';
import { PROTOCOLS, protocolResultPathFor, type PipelinePhase, type ProtocolContext, type ScoreInputs } from './protocols';
import type { EvalSettings } from './settings';
import { saveResultSafely, toWorkspaceRelative } from './store';
import type { AnsweredQuestion, Protocol, QuestionSet, Result } from './types';

export { createEngine, type Engine, type EngineOptions } from './engine';
export { prepareQuestionSet, questionSetPathFor, type PrepareQuestionSetOptions, type PreparedQuestionSet } from './questions/prepare';
export type { PipelinePhase, ScoreInputs } from './protocols';
export type { Frame } from './video';

export type PipelineEvent =
  | { type: 'phase'; video: string; phase: PipelinePhase }
  | { type: 'frames'; video: string; frames: { timeSec: number; file: string }[] }
  | { type: 'questions'; video: string; questionSet: QuestionSet }
  | { type: 'answer'; video: string; question: AnsweredQuestion; cached: boolean; done: number; total: number }
  | { type: 'saved'; video: string; result: Result; resultFile: string };

export interface ScoreVideoTarget extends ScoreInputs {
  /** Absolute path of the video. */
  videoPath: string;
  /** Root of `.finger/` and of relative paths. */
  workspaceRoot: string;
  /** How to score (default 'finger'). */
  protocol?: Protocol;
  signal?: AbortSignal;
  onEvent?: (e: PipelineEvent) => void;
  /** FingER's results folder (workspace-relative); another protocol's is its sibling (protocolResultsDir). */
  resultsDir?: string;
}

/** One video to score, and either the engine to score it with (which carries the settings) or
 *  the settings to make one for this call: never both, so the settings have one source. */
export type ScoreVideoOptions = ScoreVideoTarget &
  ({ engine: Engine; settings?: never; logger?: never } | { settings: EvalSettings; logger?: Logger; engine?: never });

export interface ScoreVideoOutcome {
  result: Result;
  resultFile: string;
  /** Answering requests sent to the endpoint (cached answers are not sent). */
  requestsSent: number;
  answersReused: number;
  /** False when the new result was worse than the complete one already saved, which was kept. */
  saved: boolean;
  /** Why the result was not saved, or how many failed questions were filled from the saved result. */
  note?: string;
}

/**
 * Scores one video with `o.protocol` and saves the result. Cancellation (o.signal) throws
 * CancelledError; a question (or rated dimension) that fails is recorded in the result with its
 * error; what fails the whole video (unreadable video, no prompt, a configuration error) throws.
 */
export async function scoreVideo(o: ScoreVideoOptions): Promise<ScoreVideoOutcome> {
  const protocol = PROTOCOLS[o.protocol ?? 'finger'];
  const engine = o.engine ?? createEngine(o.settings, { logger: o.logger, endpointRequired: protocol.needsEndpoint });
  try {
    return await scoreVideoWith(engine, o);
  } finally {
    if (!o.engine) engine.dispose();
  }
}

async function scoreVideoWith(engine: Engine, o: ScoreVideoTarget): Promise<ScoreVideoOutcome> {
  const protocol = PROTOCOLS[o.protocol ?? 'finger'];
  const emit = o.onEvent ?? (() => {});
  const videoPath = path.resolve(o.videoPath);
  const rel = toWorkspaceRelative(o.workspaceRoot, videoPath);
  const ctx: ProtocolContext = {
    engine,
    videoPath,
    workspaceRoot: o.workspaceRoot,
    relPath: rel,
    inputs: o,
    ...(o.signal ? { signal: o.signal } : {}),
    phase: (phase) => emit({ type: 'phase', video: rel, phase }),
  };
  throwIfAborted(o.signal);

  ctx.phase('probe');
  const prepared = await protocol.prepare(ctx);
  if (prepared.frameFiles) emit({ type: 'frames', video: rel, frames: prepared.frameFiles });
  ctx.phase('questions');
  emit({ type: 'questions', video: rel, questionSet: prepared.questionSet });

  ctx.phase('answers');
  const total = prepared.questionSet.questions.length;
  let done = 0;
  const judged = await protocol.judge(ctx, prepared, (question, cached) => {
    done++;
    emit({ type: 'answer', video: rel, question, cached, done, total });
  });

  ctx.phase('save');
  const judgeEndpoint = engine.settings.endpoints[0];
  const result: Result = {
    version: 1,
    protocol: protocol.id,
    video: { path: rel, ...prepared.video },
    prompt: prepared.prompt,
    // A base URL may carry credentials (http://user:key@host/v1): a result keeps what is shown.
    endpoint: judged.endpoint ?? { baseUrl: displayUrl(judgeEndpoint!.baseUrl), model: judgeEndpoint!.model },
    sampling: prepared.sampling,
    judge: judged.judge,
    createdAt: new Date().toISOString(),
    questions: judged.questions,
    ...protocol.aggregate(ctx, judged),
    ...(judged.signals ? { signals: judged.signals } : {}),
  };
  const resultFile = protocolResultPathFor(protocol.id, o.workspaceRoot, videoPath, o.resultsDir);
  throwIfAborted(o.signal);
  const decision = await saveResultSafely(resultFile, result, protocol.rescore(ctx, judged));
  const counts = { requestsSent: judged.requestsSent, answersReused: judged.answersReused };
  if (decision.written) {
    emit({ type: 'saved', video: rel, result: decision.result, resultFile });
    const note = decision.merged > 0 ? protocol.mergedNote(decision.merged) : undefined;
    return { result: decision.result, resultFile, ...counts, saved: true, ...(note ? { note } : {}) };
  }
  return { result, resultFile, ...counts, saved: false, note: decision.reason };
}
