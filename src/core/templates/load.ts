// Templates come from the workspace (.finger/templates/<name>) when the file is there, else from
// the bundled defaults in media/templates — file by file, data files included.
import { createHash } from 'node:crypto';
import { constants as fsConstants, existsSync } from 'node:fs';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, FingerError } from '../errors';
import { decodeText } from '../prompts/text-file';
import { TEMPLATE_DATA_NAMES, type TemplateData, type TemplateDataName } from './data';
import { templateError } from './engine';
import { TEMPLATE_NAMES, type TemplateFile, type TemplateName } from './render';
import { canonicalTemplateName, checkDataSource, checkTemplateSource } from './validate';
import { FINGER_PATHS } from '../../shared/model';

/** Where a workspace keeps its own templates, relative to the workspace root. */
export const WORKSPACE_TEMPLATES_DIR = FINGER_PATHS.templates;

/** Files copied by customizeTemplates but not used by the engine. */
const DOC_FILES = ['README.md'] as const;

export interface TemplateDataFile<T> extends TemplateFile {
  value: T;
}

export interface Templates {
  entities: TemplateFile;
  questions: TemplateFile;
  answerSystem: TemplateFile;
  answerQuestion: TemplateFile;
  data: {
    dimensions: TemplateDataFile<TemplateData['dimensions']>;
    entityExamples: TemplateDataFile<TemplateData['entityExamples']>;
    questionExamples: TemplateDataFile<TemplateData['questionExamples']>;
  };
  /** sha256 over every template and data file. */
  hash: string;
  /** sha256 over the entity and question templates and the data files: what the generated
   *  questions depend on (the question cache key uses this, so editing an answer template does
   *  not regenerate questions). */
  questionHash: string;
  /** sha256 over the two answer templates only. */
  answerHash: string;
}

/** Folder with the bundled templates: the first media/templates found walking up from this
 *  module (src/core/templates under tsx, dist/ in the esbuild bundles). */
export function bundledTemplatesDir(): string {
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'media', 'templates');
    if (existsSync(join(candidate, 'entities.liquid'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new ConfigError(`The bundled FingER templates (media/templates) were not found above ${start}.`, {
    hint: 'Reinstall the extension, or run from the repository checkout.',
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function combinedHash(files: readonly TemplateFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.name).update('\0').update(f.hash).update('\0');
  return h.digest('hex');
}

export interface LoadTemplatesOptions {
  workspaceRoot?: string;
  /** Defaults to bundledTemplatesDir(). */
  bundledDir?: string;
  /**
   * Texts that replace the files' contents, e.g. unsaved editor buffers while a user edits:
   * keyed by template name with or without extension ("questions", "questions.liquid",
   * "examples/entities.json"). They count as workspace files (origin "workspace").
   */
  texts?: Record<string, string>;
}

interface SourceContext {
  workspaceDir: string | undefined;
  bundledDir: string;
  texts: Map<string, string>;
}

function canonicalTexts(texts: Record<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, text] of Object.entries(texts ?? {})) {
    const canonical = canonicalTemplateName(name);
    if (!canonical) throw new FingerError(`unknown template name ${JSON.stringify(name)}.`);
    out.set(canonical, text);
  }
  return out;
}

async function readSource(name: string, ctx: SourceContext): Promise<TemplateFile> {
  const { workspaceDir, bundledDir } = ctx;
  const override = ctx.texts.get(name);
  if (override !== undefined) {
    const source = override.replace(/^\uFEFF/, '');
    const file = join(workspaceDir ?? bundledDir, name);
    return { name, file, origin: 'workspace', source, hash: sha256(source) };
  }
  const workspaceFile = workspaceDir ? join(workspaceDir, name) : undefined;
  const useWorkspace = workspaceFile !== undefined && existsSync(workspaceFile);
  const file = useWorkspace ? workspaceFile : join(bundledDir, name);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if (useWorkspace) throw new FingerError(`could not read the template: ${(e as Error).message}`, { file, cause: e });
    throw new ConfigError(`The bundled template ${name} is missing.`, { file, hint: 'Reinstall the extension.', cause: e });
  }
  const source = decodeText(bytes, file, 'The template').replace(/^\uFEFF/, '');
  return { name, file, origin: useWorkspace ? 'workspace' : 'bundled', source, hash: sha256(source) };
}

async function readData<N extends TemplateDataName>(name: N, ctx: SourceContext) {
  const file = await readSource(name, ctx);
  const checked = checkDataSource(name, file.source);
  if (!checked.ok) {
    const p = checked.problems[0] ?? { line: 1, column: 1, message: 'invalid' };
    throw new FingerError(`${p.message} (line ${p.line}, column ${p.column}).`, {
      file: file.file,
      line: p.line,
      hint: 'Fix the data file, or delete it to use the bundled default.',
    });
  }
  return { ...file, value: checked.value };
}

/**
 * Loads and checks all templates: each Liquid template is parsed and rendered once with the
 * variables it will get, so a typo is reported now, with its file and line, not mid-evaluation.
 */
export async function loadTemplates(opts: LoadTemplatesOptions = {}): Promise<Templates> {
  const ctx: SourceContext = {
    bundledDir: resolve(opts.bundledDir ?? bundledTemplatesDir()),
    workspaceDir: opts.workspaceRoot ? join(resolve(opts.workspaceRoot), WORKSPACE_TEMPLATES_DIR) : undefined,
    texts: canonicalTexts(opts.texts),
  };

  const [dimensions, entityExamples, questionExamples] = await Promise.all([
    readData('dimensions.json', ctx),
    readData('examples/entities.json', ctx),
    readData('examples/questions.json', ctx),
  ]);
  const data: TemplateData = {
    dimensions: dimensions.value,
    entityExamples: entityExamples.value,
    questionExamples: questionExamples.value,
  };

  const [entities, questions, answerSystem, answerQuestion] = (await Promise.all(
    TEMPLATE_NAMES.map(async (name: TemplateName) => {
      const t = await readSource(name, ctx);
      const problem = checkTemplateSource(name, t.source, data, t.file)[0];
      if (problem) throw templateError(t.file, problem);
      return t;
    }),
  )) as [TemplateFile, TemplateFile, TemplateFile, TemplateFile];

  const dataFiles = [dimensions, entityExamples, questionExamples];
  return {
    entities,
    questions,
    answerSystem,
    answerQuestion,
    data: { dimensions, entityExamples, questionExamples },
    hash: combinedHash([entities, questions, answerSystem, answerQuestion, ...dataFiles]),
    questionHash: combinedHash([entities, questions, ...dataFiles]),
    answerHash: combinedHash([answerSystem, answerQuestion]),
  };
}

/** The data values of loaded templates, e.g. for validateTemplateText. */
export function templateDataOf(t: Templates): TemplateData {
  return {
    dimensions: t.data.dimensions.value,
    entityExamples: t.data.entityExamples.value,
    questionExamples: t.data.questionExamples.value,
  };
}

/** Every file name under a templates folder that loadTemplates reads. */
export const TEMPLATE_FILE_NAMES: readonly string[] = [...TEMPLATE_NAMES, ...TEMPLATE_DATA_NAMES];

/**
 * Copies the bundled templates, data files and README into <workspaceRoot>/.finger/templates,
 * never overwriting a file that is already there. Returns the files created (absolute paths).
 */
export async function customizeTemplates(workspaceRoot: string, opts: { bundledDir?: string } = {}): Promise<string[]> {
  const bundledDir = resolve(opts.bundledDir ?? bundledTemplatesDir());
  const target = join(resolve(workspaceRoot), WORKSPACE_TEMPLATES_DIR);
  const created: string[] = [];
  for (const name of [...TEMPLATE_FILE_NAMES, ...DOC_FILES]) {
    const from = join(bundledDir, name);
    if (!existsSync(from)) continue;
    const to = join(target, name);
    await mkdir(dirname(to), { recursive: true });
    try {
      await copyFile(from, to, fsConstants.COPYFILE_EXCL);
      created.push(to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return created;
}
