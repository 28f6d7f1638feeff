// FingER steps 1–2 (entities, questions), question-set files, and diffs between question sets.
export {
  extractEntities,
  generateQuestions,
  generateQuestionSet,
  parseEntitiesReply,
  parseQuestionsReply,
  questionCacheKey,
  questionCacheFile,
  InvalidReplyError,
  isResponseFormatRefusal,
  skipsResponseFormat,
  type StepOptions,
  type GenerateQuestionSetOptions,
  type ParsedQuestions,
} from './generate';
export { readQuestionSet, writeQuestionSet, parseQuestionSet } from './question-set-file';
export { prepareQuestionSet, questionSetPathFor, type PrepareQuestionSetOptions, type PreparedQuestionSet } from './prepare';
export { diffQuestionSets, type QuestionSetDiff } from './diff';
export { normaliseQuestionText, normaliseEntityName } from './text';
export {
  ENTITIES_SCHEMA_NAME,
  QUESTIONS_SCHEMA_NAME,
  EntitiesWireSchema,
  QuestionsWireSchema,
  EntitiesReplySchema,
  QuestionsReplySchema,
  entitiesResponseFormat,
  questionsResponseFormat,
  jsonSchemaResponseFormat,
  normaliseDimension,
  type JsonSchemaResponseFormat,
} from './schemas';
