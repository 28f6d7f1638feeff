// Asks the judge one question about one video and turns the reply into an AnsweredQuestion.
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatClient, ChatRequest } from '../endpoint/types';
import { EndpointError } from '../endpoint/endpoint-errors';
import { CancelledError, ConfigError, describeError, isAbortError } from '../errors';
import type { AnsweredQuestion, Question } from '../types';
import {
  answerProbabilityFromPaths,
  extendAnswerPaths,
  nextPrefillBranch,
  parseAnswerText,
  readAnswerPaths,
  sampledProbability,
  type AnswerPaths,
} from './parse';
import { buildAnswerRequest, buildPrefillRequest, MAX_PREFILL_REQUESTS } from './request';
import { answered, unanswered } from '../scoring/answers';
import type { VideoTimingFields } from './video-content';

export interface AnswerQuestionArgs {
  question: Question;
  /** The constant system text (same for every question, so the prefix is cached). */
  systemText: string;
  /** From buildVideoContent, built once per video. */
  videoContent: ReadonlyArray<ChatCompletionContentPart>;
  /** The question as rendered by the answering template (often just question.text). */
  questionText: string;
  reasoning: boolean;
  temperature: number;
  /** From videoTimingFields, the same object for every question of the video. */
  videoTiming?: VideoTimingFields;
  /** Routes every request about the video to one server of a fleet: the video's sha256. */
  affinityKey?: string;
}

type ChatOptions = NonNullable<Parameters<ChatClient['chat']>[1]>;

/**
 * Clients whose server refused an assistant prefill (a hosted API that does not know
 * `continue_final_message`), with its answer: they are not asked again, and their answers are
 * read from the reply alone (`approximate` where a branch is missing).
 */
const prefillRefusedBy = new WeakMap<ChatClient, string>();

/** Whether `client` refused an assistant prefill, and how; undefined when it did not (yet). */
export function prefillRefusal(client: ChatClient): string | undefined {
  return prefillRefusedBy.get(client);
}

/**
 * One request per question, plus at most MAX_PREFILL_REQUESTS assistant prefills for branches
 * of the answer paths that the reply did not take (README, "How the scores are computed"). A
 * failure (after the client's retries) or a reply without a usable answer is recorded on the
 * question (answer/score null, `error` set) so the other questions of the video are not lost;
 * only cancellation throws (CancelledError).
 */
export async function answerQuestion(client: ChatClient, args: AnswerQuestionArgs, signal?: AbortSignal): Promise<AnsweredQuestion> {
  const request = buildAnswerRequest({
    systemText: args.systemText,
    videoContent: args.videoContent,
    questionText: args.questionText,
    reasoning: args.reasoning,
    temperature: args.temperature,
    ...(args.videoTiming ? { videoTiming: args.videoTiming } : {}),
  });
  // One options object for the question and its prefill requests, so that whatever it carries
  // for the server (the affinity key that keeps a video on one replica) reaches them all alike.
  const chatOptions: ChatOptions = { ...(signal ? { signal } : {}), ...(args.affinityKey ? { affinityKey: args.affinityKey } : {}) };
  let response;
  try {
    response = await client.chat(request, chatOptions);
  } catch (e) {
    if (e instanceof CancelledError || isAbortError(e) || signal?.aborted) throw e instanceof CancelledError ? e : new CancelledError();
    // A wrong model name or a rejected key fails every question the same way: let the caller stop
    // once with one clear message instead of sending (and recording) the same failure N times.
    if (e instanceof ConfigError) throw e;
    return unanswered(args.question, describeError(e));
  }

  const choice = response.completion.choices[0];
  const text = choice?.message?.content ?? '';
  const parsed = parseAnswerText(text);
  const paths = readAnswerPaths(choice?.logprobs?.content, args.reasoning);
  if (paths) await readBranches(client, request, paths, chatOptions);
  const probability = (paths && answerProbabilityFromPaths(paths)) ?? sampledProbability(parsed.answer);
  if (probability === null) {
    const cutOff = choice?.finish_reason === 'length';
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return unanswered(
      args.question,
      cutOff
        ? `The model's reply was cut off before it gave a Yes/No answer (${response.completion.usage?.completion_tokens ?? 'max'} tokens): "${shown}"`
        : `The model's reply has no Yes/No answer: "${shown}"`,
    );
  }
  const answer = parsed.answer ?? (probability.pYes >= 0.5 ? 'Yes' : 'No');
  return answered(args.question, {
    answer,
    reason: args.reasoning ? parsed.reason : null,
    pYes: probability.pYes,
    probabilitySource: probability.source,
  });
}

/**
 * Reads the heaviest branches that could still move pYes, one assistant prefill each, at most
 * MAX_PREFILL_REQUESTS. A server that refuses the prefill fields (4xx) is remembered for this
 * client; a branch that fails otherwise stays unread (its question is then `approximate`).
 */
async function readBranches(client: ChatClient, answering: ChatRequest, paths: AnswerPaths, chatOptions: ChatOptions): Promise<void> {
  for (let asked = 0; asked < MAX_PREFILL_REQUESTS && !prefillRefusedBy.has(client); asked++) {
    const branch = nextPrefillBranch(paths);
    if (!branch) return;
    try {
      const reply = await client.chat(buildPrefillRequest(answering, branch.assistantText), chatOptions);
      extendAnswerPaths(paths, branch, reply.completion.choices[0]?.logprobs?.content?.[0]);
    } catch (e) {
      if (e instanceof CancelledError || isAbortError(e) || chatOptions.signal?.aborted)
        throw e instanceof CancelledError ? e : new CancelledError();
      branch.prefillable = false;
      if (refusesPrefill(e)) prefillRefusedBy.set(client, describeError(e));
    }
  }
}

/** A 4xx that is not about load or the key: the server does not take the prefill fields. */
function refusesPrefill(e: unknown): boolean {
  if (!(e instanceof EndpointError) || e.details.kind !== 'http') return false;
  const status = e.details.status ?? 0;
  return status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 429;
}
