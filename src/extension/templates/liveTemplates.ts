// Live templates: while a template under `.finger/templates/` is edited (debounced, on change, not
// only on save) it is validated (diagnostics in the template file), and the question set of the
// video in the active results panel is regenerated from the edited text; the panel is told which
// questions were added, removed or changed. The next Rescore of that panel uses the regenerated
// set and templates, so only questions without a cached answer reach the endpoint.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, isAbortError } from '../../core/errors';
import { FINGER_PATHS } from '../../shared/model';
import { isInsideRelative, relativePosix } from '../../shared/paths';
import type { Templates } from '../../core/templates';
import type { Question, QuestionSet } from '../../core/types';
import type { Host } from '../host';
import type { ResultsPanel, ResultsPanelManager } from '../panels/resultsPanel';

export const TEMPLATES_FOLDER = FINGER_PATHS.templates;
const DEBOUNCE_MS = 500;

export interface RegeneratedQuestions {
  questionSet: QuestionSet;
  added: Question[];
  removed: Question[];
  changed: { before: Question; after: Question }[];
}

export class LiveTemplates implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('finger-templates');
  private readonly disposables: vscode.Disposable[] = [this.diagnostics];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Templates edited since their last check (an open after an edit must still regenerate). */
  private readonly editedSinceValidation = new Set<string>();
  private inFlight: AbortController | undefined;
  /** Templates built from the edited (possibly unsaved) text, per workspace folder. */
  private readonly pendingTemplates = new Map<string, Templates>();
  private readonly regenerated = new vscode.EventEmitter<{ panel: ResultsPanel; diff: RegeneratedQuestions }>();
  readonly onDidRegenerate = this.regenerated.event;

  constructor(
    private readonly host: Host,
    private readonly panels: ResultsPanelManager,
  ) {
    this.disposables.push(
      this.regenerated,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, true);
      }),
      // Opening a template only validates it; questions are regenerated when it is edited.
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, false)),
      vscode.workspace.onDidCloseTextDocument((d) => this.diagnostics.delete(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, false);
  }

  /** `<ws>/.finger/templates/<name>` → { workspaceRoot, name } with `name` as the engine names
   *  template files ("questions.liquid", "examples/entities.json"). */
  templateOf(uri: vscode.Uri): { workspaceRoot: string; name: string } | undefined {
    if (uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    const name = relativePosix(path.join(folder.uri.fsPath, ...TEMPLATES_FOLDER.split('/')), uri.fsPath);
    if (!isInsideRelative(name)) return undefined;
    if (!/\.(liquid|json)$/.test(name)) return undefined; // README.md and the like
    return { workspaceRoot: folder.uri.fsPath, name };
  }

  /** Templates to score with in a workspace folder: the edited ones when there are edits. */
  templatesFor(workspaceRoot: string): Templates | undefined {
    return this.pendingTemplates.get(path.resolve(workspaceRoot));
  }

  private schedule(doc: vscode.TextDocument, edited: boolean): void {
    if (!this.templateOf(doc.uri)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    if (edited) this.editedSinceValidation.add(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.onTemplateEdited(doc, { regenerate: edited || this.editedSinceValidation.has(key) });
        this.editedSinceValidation.delete(key);
      }, DEBOUNCE_MS),
    );
  }

  /** Validates the template; when it is valid, regenerates the active panel's questions. */
  async onTemplateEdited(
    doc: vscode.TextDocument,
    o: { regenerate: boolean } = { regenerate: true },
  ): Promise<RegeneratedQuestions | undefined> {
    const t = this.templateOf(doc.uri);
    if (!t || doc.isClosed) return undefined;
    const templates = await import('../../core/templates');
    let loaded: Templates;
    try {
      // The edited (possibly unsaved) text of every open template of this folder over the files.
      const texts: Record<string, string> = {};
      for (const d of vscode.workspace.textDocuments) {
        const o = this.templateOf(d.uri);
        if (o && o.workspaceRoot === t.workspaceRoot && d.isDirty) texts[o.name] = d.getText();
      }
      texts[t.name] = doc.getText();
      const problems = templates.validateTemplateText(t.name, doc.getText());
      if (problems.length > 0) {
        this.showProblems(doc, problems);
        return undefined;
      }
      loaded = await templates.loadTemplates({ workspaceRoot: t.workspaceRoot, texts });
      this.showProblems(doc, []);
    } catch (e) {
      this.showProblems(doc, [{ line: 1, column: 1, message: describeError(e) }]);
      return undefined;
    }
    if ((this.diagnostics.get(doc.uri) ?? []).length > 0) return undefined;
    if (!o.regenerate) return undefined;
    this.pendingTemplates.set(path.resolve(t.workspaceRoot), loaded);
    const panel = this.panels.active;
    if (!panel || path.resolve(panel.target.workspaceRoot) !== path.resolve(t.workspaceRoot)) return undefined;
    return this.regenerate(panel, loaded);
  }

  private showProblems(doc: vscode.TextDocument, problems: { line: number; column: number; message: string }[]): void {
    this.diagnostics.set(
      doc.uri,
      problems.map((p) => {
        const line = Math.max(0, p.line - 1);
        const column = Math.max(0, p.column - 1);
        const d = new vscode.Diagnostic(new vscode.Range(line, column, line, column + 1), p.message, vscode.DiagnosticSeverity.Error);
        d.source = 'FingER templates';
        return d;
      }),
    );
  }

  /** New questions for the panel's video from these templates, diffed against what it shows. */
  async regenerate(panel: ResultsPanel, templates: Templates): Promise<RegeneratedQuestions | undefined> {
    if (!this.host.trusted) return undefined; // generating questions sends the prompt to an endpoint
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;
    const { createEngine, prepareQuestionSet } = await import('../../core/pipeline');
    const { diffQuestionSets } = await import('../../core/questions');
    const settings = await this.host.settings(vscode.Uri.file(panel.target.workspaceRoot));
    const engine = createEngine(settings.eval, { logger: this.host.logger });
    try {
      const prepared = await prepareQuestionSet({
        videoPath: panel.target.video,
        workspaceRoot: panel.target.workspaceRoot,
        engine,
        templates,
        signal: controller.signal,
      });
      const before = panel.pendingQuestionSet ?? this.shownQuestionSet(panel);
      const after = prepared.questionSet;
      const diff = before ? diffQuestionSets(before, after) : { added: after.questions, removed: [], changed: [], unchanged: [] };
      panel.pendingQuestionSet = after;
      panel.post('results/questionsChanged', { added: diff.added, removed: diff.removed, changed: diff.changed });
      const out: RegeneratedQuestions = { questionSet: after, added: diff.added, removed: diff.removed, changed: diff.changed };
      this.host.logger.info(
        `Templates changed: ${panel.target.relPath} now has ${after.questions.length} question(s): ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed${prepared.from === 'file' ? ' (from its .questions.json, which templates do not change)' : ''}`,
      );
      this.regenerated.fire({ panel, diff: out });
      return out;
    } catch (e) {
      if (!isAbortError(e)) {
        const message = describeError(e);
        this.host.logger.warn(`Could not regenerate the questions of ${panel.target.relPath}: ${message}`);
        panel.post('results/error', { message: `Questions not regenerated: ${message}` });
      }
      return undefined;
    } finally {
      engine.dispose();
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  /** The question set behind the result the panel shows. */
  private shownQuestionSet(panel: ResultsPanel): QuestionSet | undefined {
    const result = panel.currentResult;
    if (!result || result.questions.length === 0) return undefined;
    const questions = result.questions.map(({ id, dimension, entity, text, polarity }) => ({ id, dimension, entity, text, polarity }));
    const entities = [...new Set(questions.map((q) => q.entity))].map((name, i) => ({ id: `e${i + 1}`, name }));
    return { version: 1, prompt: result.prompt, entities, questions: questions as QuestionSet['questions'] };
  }

  dispose(): void {
    this.inFlight?.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
