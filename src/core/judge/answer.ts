// Asks the judge one question about one video and turns the reply into an AnsweredQuestion.
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import type { ChatClient } from '../endpoint/types';
import { CancelledError, ConfigError, describeError, isAbortError } from '../errors';
import type { AnsweredQuestion, Question } from '../types';
import { parseAnswerText, readAnswerProbability } from './parse';
import { buildAnswerRequest } from './request';
import { answered, unanswered } from '../scoring/answers';

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
}

/**
 * One request per question. A failure (after the client's retries) or a reply without a usable
 * answer is recorded on the question (answer/score null, `error` set) so the other questions of
 * the video are not lost; only cancellation throws (CancelledError).
 */
export async function answerQuestion(client: ChatClient, args: AnswerQuestionArgs, signal?: AbortSignal): Promise<AnsweredQuestion> {
  const request = buildAnswerRequest({
    systemText: args.systemText,
    videoContent: args.videoContent,
    questionText: args.questionText,
    reasoning: args.reasoning,
    temperature: args.temperature,
  });
  let response;
  try {
    response = await client.chat(request, signal ? { signal } : {});
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
  const probability = readAnswerProbability(choice?.logprobs?.content, { reasoning: args.reasoning }, parsed.answer);
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
