// The judge: ask the endpoint one question per request, read <reason>/<answer> and the
// answer-token probability (DESIGN.md, "The FingER method" steps 3–4).
export { answerQuestion, type AnswerQuestionArgs } from './answer';
export { answerTokenIndex, parseAnswerText, readAnswerProbability, yesNoOf, type AnswerProbability, type TokenLogprob } from './parse';
export { ANSWER_REPETITION_PENALTY, ANSWER_TOP_LOGPROBS, REASONING_MAX_TOKENS, buildAnswerRequest, type AnswerRequestInput } from './request';
export { entityScore } from '../scoring/finger';
export { buildVideoContent, samplingRate, videoTimingFields, type VideoContentInput, type VideoTimingFields, type VideoUrlContentPart } from './video-content';
