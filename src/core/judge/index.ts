// The judge: ask the endpoint one question per request, read <reason>/<answer> and the
// answer-token probability (docs/ARCHITECTURE.md, "The FingER method" steps 3–4).
export { answerQuestion, type AnswerQuestionArgs } from './answer';
export { answerTokenIndex, parseAnswerText, readAnswerProbability, yesNoOf, type AnswerProbability, type TokenLogprob } from './parse';
export { ANSWER_TOP_LOGPROBS, REASONING_MAX_TOKENS, buildAnswerRequest, type AnswerRequestInput } from './request';
export { entityScore } from '../scoring/finger';
export { buildVideoContent, type VideoContentInput, type VideoUrlContentPart } from './video-content';
