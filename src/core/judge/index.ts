// The judge: ask the endpoint one question per request, read <reason>/<answer> and the
// answer-token probability (docs/ARCHITECTURE.md, "The FingER method" steps 3–4).
export { answerQuestion, type AnswerQuestionArgs } from './answer';
export {
  answerProbabilityFromPaths,
  extendAnswerPaths,
  nextPrefillBranch,
  parseAnswerText,
  readAnswerPaths,
  readAnswerProbability,
  yesNoOf,
  type AnswerBranch,
  type AnswerPaths,
  type AnswerProbability,
  type TokenLogprob,
} from './parse';
export {
  ANSWER_REPETITION_PENALTY,
  ANSWER_TOP_LOGPROBS,
  MAX_PREFILL_REQUESTS,
  REASONING_MAX_TOKENS,
  buildAnswerRequest,
  buildPrefillRequest,
  type AnswerRequestInput,
} from './request';
export { entityScore } from '../scoring/finger';
export {
  buildVideoContent,
  samplingRate,
  videoTimingFields,
  type VideoContentInput,
  type VideoTimingFields,
  type VideoUrlContentPart,
} from './video-content';
