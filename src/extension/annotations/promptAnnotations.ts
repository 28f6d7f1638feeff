// Prompt-file annotations: a CodeLens with the scores, diagnostics on the words of entities that
// failed a question, and a hover listing every question about an entity. Recomputed when the
// result or labels change on disk (ResultsIndex) and when the prompt text is edited; cleared when
// the result is deleted.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Host } from '../host';
import type { ResultsIndex } from '../resultsIndex';
import { videoForPromptFile } from '../locate';
import { computeAnnotations, hoverMarkdown, type PromptAnnotations } from './compute';

/** Files that can hold a prompt: sidecars (`clip.txt`, `.prompt`, `.md`) and manifests. */
export const PROMPT_FILE_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.{txt,prompt,md}' },
  { scheme: 'file', pattern: '**/prompts.{json,jsonl,csv}' },
];

export const PROMPT_FILE_HAS_VIDEO = 'finger.promptFileHasVideo';

export class PromptAnnotationsController implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('finger');
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** Document → its video (or null when it is not a prompt file of a video). */
  private readonly videoOfDoc = new Map<string, Promise<string | null>>();
  private readonly annotations = new Map<string, PromptAnnotations>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly host: Host,
    private readonly index: ResultsIndex,
  ) {
    this.disposables.push(
      this.diagnostics,
      this.lensesChanged,
      vscode.languages.registerCodeLensProvider(PROMPT_FILE_SELECTOR, this),
      vscode.languages.registerHoverProvider(PROMPT_FILE_SELECTOR, this),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 250)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.window.onDidChangeActiveTextEditor(() => void this.updateContextKey()),
      index.onDidChange(({ videos }) => this.onResultsChanged(videos)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('finger.weights')) for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
    );
    void index.whenReady().then(() => {
      for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      void this.updateContextKey();
    });
  }

  private isCandidate(doc: vscode.TextDocument): boolean {
    return doc.uri.scheme === 'file' && vscode.languages.match(PROMPT_FILE_SELECTOR, doc) > 0;
  }

  private videoOf(doc: vscode.TextDocument): Promise<string | null> {
    const key = doc.uri.toString();
    let v = this.videoOfDoc.get(key);
    if (!v) this.videoOfDoc.set(key, (v = videoForPromptFile(doc.uri.fsPath).then((x) => (x ? path.resolve(x) : null))));
    return v;
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.isCandidate(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.pending.get(key));
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        void this.update(doc);
      }, delayMs),
    );
  }

  private onResultsChanged(videos: string[]): void {
    const changed = new Set(videos.map((v) => path.resolve(v)));
    // A new result can make an open file a prompt file of a scored video: forget cached lookups.
    for (const doc of vscode.workspace.textDocuments) {
      if (!this.isCandidate(doc)) continue;
      void this.videoOf(doc).then((video) => {
        if (video === null || changed.has(video)) {
          if (video === null) this.videoOfDoc.delete(doc.uri.toString());
          this.schedule(doc, 0);
        }
      });
    }
    void this.updateContextKey();
  }

  /** Recomputes one document's annotations now. */
  async update(doc: vscode.TextDocument): Promise<PromptAnnotations | undefined> {
    const key = doc.uri.toString();
    const video = await this.videoOf(doc);
    const entry = video ? this.index.get(video) : undefined;
    if (!entry?.result || doc.isClosed) {
      this.diagnostics.delete(doc.uri);
      if (this.annotations.delete(key)) this.fireLensesChanged();
      return undefined;
    }
    const weights = this.host.settingsForDisplay(doc.uri).eval.weights;
    const a = computeAnnotations(doc.getText(), entry.result, entry.labels, weights);
    this.annotations.set(key, a);
    this.diagnostics.set(
      doc.uri,
      a.diagnostics.map((d) => {
        const diag = new vscode.Diagnostic(
          new vscode.Range(doc.positionAt(d.start), doc.positionAt(d.end)),
          d.message,
          vscode.DiagnosticSeverity.Warning,
        );
        diag.source = 'FingER';
        diag.code = d.question.dimension;
        return diag;
      }),
    );
    this.fireLensesChanged();
    return a;
  }

  private lensTimer: NodeJS.Timeout | undefined;

  /** Now, and once more shortly after: a change that lands while the editor is still resolving
   *  the previous lenses is otherwise merged into that stale request. */
  private fireLensesChanged(): void {
    this.lensesChanged.fire();
    clearTimeout(this.lensTimer);
    this.lensTimer = setTimeout(() => this.lensesChanged.fire(), 750);
  }

  /** The annotations currently shown for a document (for tests and the side panel). */
  annotationsOf(uri: vscode.Uri): PromptAnnotations | undefined {
    return this.annotations.get(uri.toString());
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.videoOfDoc.delete(key);
    this.annotations.delete(key);
    this.diagnostics.delete(uri);
  }

  private async updateContextKey(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    const has = doc && this.isCandidate(doc) ? (await this.videoOf(doc)) !== null : false;
    await vscode.commands.executeCommand('setContext', PROMPT_FILE_HAS_VIDEO, has);
  }

  /** Computed from the index on every request (no side effects here: an event fired while VS Code
   *  is asking could leave it with a stale lens). */
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const video = await this.videoOf(doc);
    if (!video) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const entry = this.index.get(video);
    if (!entry?.result) {
      return [new vscode.CodeLens(top, { title: 'FingER: not scored yet — Score Video', command: 'finger.scoreVideo', arguments: [vscode.Uri.file(video)] })];
    }
    const a = computeAnnotations(doc.getText(), entry.result, entry.labels, this.host.settingsForDisplay(doc.uri).eval.weights);
    return [new vscode.CodeLens(top, { title: a.lens.title, tooltip: a.lens.tooltip, command: 'finger.openResults', arguments: [vscode.Uri.file(video)] })];
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const a = this.annotations.get(doc.uri.toString());
    if (!a) return undefined;
    const offset = doc.offsetAt(position);
    const h = a.hovers.find((x) => x.start <= offset && offset <= x.end);
    if (!h) return undefined;
    const md = new vscode.MarkdownString(hoverMarkdown(h));
    md.isTrusted = false;
    md.supportHtml = false;
    return new vscode.Hover(md, new vscode.Range(doc.positionAt(h.start), doc.positionAt(h.end)));
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    clearTimeout(this.lensTimer);
    for (const d of this.disposables) d.dispose();
  }
}
