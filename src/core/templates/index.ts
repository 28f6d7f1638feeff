// Templates: load (bundled defaults + workspace overrides), check, render (docs/ARCHITECTURE.md, "Files in the workspace").
export {
  loadTemplates,
  bundledTemplatesDir,
  customizeTemplates,
  templateDataOf,
  WORKSPACE_TEMPLATES_DIR,
  TEMPLATE_FILE_NAMES,
  type Templates,
  type TemplateDataFile,
  type LoadTemplatesOptions,
} from './load';
export {
  renderTemplate,
  renderEntitiesSystem,
  renderQuestionsSystem,
  renderAnswerSystem,
  renderAnswerQuestion,
  answerQuestionVariables,
  TEMPLATE_NAMES,
  TEMPLATE_VARIABLES,
  type TemplateName,
  type TemplateFile,
} from './render';
export {
  validateTemplateText,
  canonicalTemplateName,
  checkTemplateSource,
  checkDataSource,
  isTemplateName,
  isTemplateDataName,
  SAMPLE_TEMPLATE_DATA,
  type TemplateProblem,
} from './validate';
export {
  TEMPLATE_DATA_NAMES,
  type TemplateData,
  type TemplateDataName,
  type DimensionGuide,
  type EntityExample,
  type QuestionExample,
} from './data';
export { CUSTOM_FILTERS } from './engine';
export * from './markers';
