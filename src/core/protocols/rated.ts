// What VideoScore2 and Q-Save have in common as strategies: one request per video that rates a
// few dimensions 1–5, each rating becoming one pseudo-question (scores.ts, ratedQuestion). They
// differ in how they sample the video and how they ask; see videoscore2.ts and qsave.ts.
import { readFile } from 'node:fs/promises';
import { CancelledError, isAbortError, throwIfAborted } from '../errors';
import { readPrompt } from '../prompts';
import { scoreDimensions } from '../scoring/finger';
import type { AnsweredQuestion, Protocol, Sampling, VideoMeta } from '../types';
import { videoMimeType } from '../video';
import { rescoreFor } from './aggregate';
import { ratedDimensionQuestion, ratedQuestion, type RatedDimension, type SoftScoreRule } from './scores';
import type { Judged, ProtocolContext, ScoringProtocol } from './strategy';

export interface RatedSample<State> {
  video: Omit<VideoMeta, 'path'>;
  sampling: Sampling;
  state: State;
}

export interface RatingReply {
  questions: AnsweredQuestion[];
  endpoint: { baseUrl: string; model: string };
  /** Replaces the mean of the dimensions as the overall (Q-Save's MOS, normalised); null when it
   *  could not be read; absent for a protocol whose overall is the mean. */
  overall?: number | null;
}

export interface RatedJudged extends Judged {
  /** The reply's own overall (see RatingReply.overall). */
  overall?: number | null;
}

export interface RatingProtocolSpec<State> {
  id: Exclude<Protocol, 'finger'>;
  label: string;
  description: string;
  fields: readonly RatedDimension[];
  /** Identifies the way of asking (`judge.templateHash` of the result). */
  templateHash: string;
  /** The soft-score rule when the caller names none (recorded as `judge.softScore`). */
  defaultSoftScore: SoftScoreRule;
  /** The frames the judge sees, with the ffmpeg binaries already checked. */
  sample(ctx: ProtocolContext, tools: { ffmpeg: string; ffprobe: string }): Promise<RatedSample<State>>;
  /** One request; transport errors propagate (the strategy records them on every dimension). */
  ask(ctx: ProtocolContext, prompt: string, state: State, file: { data: Buffer; mime: string } | undefined): Promise<RatingReply>;
}

export function ratingProtocol<State>(spec: RatingProtocolSpec<State>): ScoringProtocol<RatedSample<State>, RatedJudged> {
  return {
    id: spec.id,
    label: spec.label,
    description: spec.description,
    needsEndpoint: true,

    async prepare(ctx) {
      const { engine, videoPath, workspaceRoot, inputs } = ctx;
      const promptP =
        inputs.prompt !== undefined
          ? Promise.resolve(inputs.prompt)
          : inputs.questionSet
            ? Promise.resolve(inputs.questionSet.prompt)
            : readPrompt(videoPath, workspaceRoot).then((p) => p.prompt);
      const framesP = (async () => {
        const tools = await engine.tools();
        ctx.phase('frames');
        return spec.sample(ctx, tools);
      })();
      const [promptR, framesR] = await Promise.allSettled([promptP, framesP]);
      if (framesR.status === 'rejected') throw framesR.reason;
      if (promptR.status === 'rejected') throw promptR.reason;
      const prompt = promptR.value;
      const sampled = framesR.value;
      return {
        video: sampled.video,
        prompt,
        // The dimensions as pending questions, so a progress view can list them before the reply.
        questionSet: { version: 1, prompt, entities: [], questions: spec.fields.map(ratedDimensionQuestion) },
        sampling: sampled.sampling,
        state: sampled,
      };
    },

    async judge(ctx, prepared, onAnswer) {
      const { engine, videoPath, signal } = ctx;
      const settings = engine.settings;
      const file = settings.mode === 'file' ? { data: await readFile(videoPath), mime: videoMimeType(videoPath) } : undefined;
      throwIfAborted(signal);
      let reply: Omit<RatingReply, 'endpoint'> & { endpoint?: RatingReply['endpoint'] };
      try {
        reply = await spec.ask(ctx, prepared.prompt, prepared.state.state, file);
      } catch (e) {
        if (isAbortError(e) || signal?.aborted) throw new CancelledError();
        const message = e instanceof Error ? e.message : String(e);
        reply = { questions: spec.fields.map((f) => ratedQuestion(f, { ok: false, error: message }, null)) };
      }
      for (const q of reply.questions) onAnswer(q, false);
      return {
        questions: reply.questions,
        judge: {
          reasoning: true,
          temperature: settings.temperature,
          templateHash: spec.templateHash,
          softScore: ctx.inputs.softScore ?? spec.defaultSoftScore,
        },
        // The pool's answer names the endpoint that replied; the shell uses the first configured one otherwise.
        ...(reply.endpoint ? { endpoint: reply.endpoint } : {}),
        ...(reply.overall !== undefined ? { overall: reply.overall } : {}),
        requestsSent: 1,
        answersReused: 0,
      };
    },

    // Equal weights: each protocol's overall is defined by its paper (mean, or Q-Save's MOS), not
    // by the FingER dimension weights in the settings.
    aggregate(_ctx, judged) {
      const scored = scoreDimensions(judged.questions);
      return { dimensions: scored.dimensions, overall: judged.overall ?? scored.overall };
    },
    // The store fills failed dimensions from the saved result and rescores with the protocol's own
    // aggregate (Q-Save: this reply's MOS), in the one write it makes.
    rescore: (_ctx, judged) => rescoreFor(spec.id, { mos: judged.overall ?? null }),
    mergedNote: (merged) => `${merged} failed dimension(s) kept their earlier ratings`,
  };
}
