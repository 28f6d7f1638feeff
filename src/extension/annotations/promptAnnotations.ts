// Prompt-file annotations: a CodeLens with the scores, diagnostics on the words of entities that
// failed a question, and a hover listing every question about an entity. Recomputed when the
// result or labels change on disk (ResultsIndex) and when the prompt text is edited; cleared when
// the result is deleted.
//
// Sidecars (`clip.txt` → `clip.mp4`) get one set for their video. Manifests (prompts.json,
// prompts.jsonl, prompts.csv) get one set per entry whose video exists, has a result and takes its
// prompt from this manifest (no sidecar or nearer manifest wins): a CodeLens on the entry, marks
// on the entity words inside that entry's prompt string.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LocatedManifestEntry } from '../../core/prompts';
import { VIDEO_EXTENSIONS } from '../../shared/model';
import { isInsideRelative, relativePosix } from '../../shared/paths';
import type { ResultsIndex } from '../resultsIndex';
import { videoForPromptFile, workspaceRootOf } from '../locate';
import {
  computeAnnotations,
  computeManifestEntryAnnotations,
  hoverMarkdown,
  type EntityHover,
  type ManifestEntryAnnotations,
  type PromptAnnotations,
  type PromptDiagnostic,
} from './compute';

/** Files that can hold a prompt: sidecars (`clip.txt`, `.prompt`, `.md`) and manifests. */
export const PROMPT_FILE_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.{txt,prompt,md}' },
  { scheme: 'file', pattern: '**/prompts.{json,jsonl,csv}' },
];

export const PROMPT_FILE_HAS_VIDEO = 'finger.promptFileHasVideo';

const MANIFEST_FILE = /^prompts\.(json|jsonl|csv)$/;

function isManifestDoc(doc: vscode.TextDocument): boolean {
  return MANIFEST_FILE.test(path.basename(doc.uri.fsPath));
}

function isInside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel === '' || isInsideRelative(rel);
}

export class PromptAnnotationsController implements vscode.CodeLensProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('finger');
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  /** Document → its video (or null when it is not a prompt file of a video). */
  private readonly videoOfDoc = new Map<string, Promise<string | null>>();
  private readonly annotations = new Map<string, PromptAnnotations>();
  /** Manifest document → the annotations of its entries, in file order. */
  private readonly manifestAnnotations = new Map<string, ManifestEntryAnnotations[]>();
  /** `manifest\0video` → whether the video exists and takes its prompt from that manifest.
   *  Cleared when prompt files or videos are created, changed or deleted. */
  private readonly reachedCache = new Map<string, Promise<boolean>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(private readonly index: ResultsIndex) {
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
      // Which manifest entry speaks for which video depends on other files: sidecars and nearer
      // manifests take precedence, and a missing video gets nothing.
      ...this.watch('**/*.{txt,prompt,md}', true),
      ...this.watch('**/prompts.{json,jsonl,csv}', false),
      ...this.watch(`**/*.{${VIDEO_EXTENSIONS.join(',')}}`, true),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.isCandidate(d)) this.sourcesChanged();
      }),
    );
    void index.whenReady().then(() => {
      for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      void this.updateContextKey();
    });
  }

  private watch(glob: string, ignoreChange: boolean): vscode.Disposable[] {
    const w = vscode.workspace.createFileSystemWatcher(glob, false, ignoreChange, false);
    const changed = () => this.sourcesChanged();
    return [w, w.onDidCreate(changed), w.onDidDelete(changed), ...(ignoreChange ? [] : [w.onDidChange(changed)])];
  }

  /** A prompt file or video appeared, changed or went away: re-check the open manifests. */
  private sourcesChanged(): void {
    this.reachedCache.clear();
    for (const d of vscode.workspace.textDocuments) if (this.isCandidate(d) && isManifestDoc(d)) this.schedule(d, 100);
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
      if (isManifestDoc(doc)) {
        const folder = path.dirname(path.resolve(doc.uri.fsPath));
        if ([...changed].some((v) => isInside(v, folder))) this.schedule(doc, 0);
        continue;
      }
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
    if (isManifestDoc(doc)) {
      await this.updateManifest(doc);
      return undefined;
    }
    const key = doc.uri.toString();
    const video = await this.videoOf(doc);
    const entry = video ? this.index.get(video) : undefined;
    if (!entry?.result || !entry.displayed || doc.isClosed) {
      this.diagnostics.delete(doc.uri);
      if (this.annotations.delete(key)) this.fireLensesChanged();
      return undefined;
    }
    const a = computeAnnotations(doc.getText(), entry.result, entry.displayed);
    this.annotations.set(key, a);
    this.setDiagnostics(doc, a.diagnostics);
    this.fireLensesChanged();
    return a;
  }

  private setDiagnostics(doc: vscode.TextDocument, diagnostics: PromptDiagnostic[]): void {
    this.diagnostics.set(
      doc.uri,
      diagnostics.map((d) => {
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
  }

  /** Recomputes a manifest's annotations now (one set per entry with a scored video). */
  async updateManifest(doc: vscode.TextDocument): Promise<ManifestEntryAnnotations[]> {
    const key = doc.uri.toString();
    const version = doc.version;
    const list = await this.computeManifest(doc);
    // An edit (or a close) while computing: the newer update that it scheduled wins.
    if (doc.isClosed || doc.version !== version) return list;
    const had = this.manifestAnnotations.get(key)?.length ?? 0;
    if (list.length === 0) {
      this.diagnostics.delete(doc.uri);
      this.manifestAnnotations.delete(key);
      if (had > 0) this.fireLensesChanged();
      return list;
    }
    this.manifestAnnotations.set(key, list);
    this.setDiagnostics(
      doc,
      list.flatMap((a) => a.diagnostics),
    );
    this.fireLensesChanged();
    return list;
  }

  /** The annotations of every entry of a manifest document whose video exists, has a result and
   *  takes its prompt from this manifest. Nothing when the text is not a valid manifest. */
  private async computeManifest(doc: vscode.TextDocument): Promise<ManifestEntryAnnotations[]> {
    const file = path.resolve(doc.uri.fsPath);
    const rootPath = workspaceRootOf(file);
    if (!rootPath) return [];
    const root = path.resolve(rootPath);
    const folder = path.dirname(file);
    const scored = this.index
      .all()
      .filter((r) => r.result && r.displayed && path.resolve(r.workspaceRoot) === root && isInside(path.resolve(r.video), folder));
    if (scored.length === 0) return [];
    const prompts = await import('../../core/prompts');
    const text = doc.getText();
    let entries: LocatedManifestEntry[];
    try {
      entries = prompts.locatePromptManifest(text, file);
    } catch {
      return []; // mid-edit or broken: the scorer would refuse it too
    }
    const lookup = prompts.manifestEntryLookup(entries, file, root);
    const out: ManifestEntryAnnotations[] = [];
    for (const r of scored) {
      const video = path.resolve(r.video);
      const entry = lookup(video);
      if (!entry || !(await this.reached(file, video, root))) continue;
      const label = relativePosix(folder, video);
      out.push(computeManifestEntryAnnotations(entry, { path: video, label }, r.result!, r.displayed!));
    }
    return out.sort((a, b) => a.entry.start - b.entry.start || a.video.localeCompare(b.video));
  }

  private reached(manifest: string, video: string, root: string): Promise<boolean> {
    const key = `${manifest}\0${video}`;
    let p = this.reachedCache.get(key);
    if (!p) {
      p = (async () => {
        const prompts = await import('../../core/prompts');
        try {
          if (!(await stat(video)).isFile()) return false;
        } catch {
          return false; // the video is gone: its result stays, its entry gets nothing
        }
        return prompts.manifestIsReachedFor(manifest, video, root);
      })();
      if (this.reachedCache.size > 10_000) this.reachedCache.clear();
      this.reachedCache.set(key, p);
    }
    return p;
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

  /** The per-entry annotations currently shown for a manifest (for tests and the side panel). */
  manifestAnnotationsOf(uri: vscode.Uri): readonly ManifestEntryAnnotations[] | undefined {
    return this.manifestAnnotations.get(uri.toString());
  }

  /** The scored video whose manifest entry holds `position`, if `doc` is an annotated manifest. */
  manifestVideoAt(doc: vscode.TextDocument, position: vscode.Position): string | undefined {
    const offset = doc.offsetAt(position);
    return this.manifestAnnotations.get(doc.uri.toString())?.find((a) => a.entry.start <= offset && offset <= a.entry.end)?.video;
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.videoOfDoc.delete(key);
    this.annotations.delete(key);
    this.manifestAnnotations.delete(key);
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
    if (isManifestDoc(doc)) {
      const list = await this.computeManifest(doc);
      return list.map(
        (a) =>
          new vscode.CodeLens(new vscode.Range(doc.positionAt(a.entry.start), doc.positionAt(a.entry.end)), {
            title: a.lens.title,
            tooltip: a.lens.tooltip,
            command: 'finger.openResults',
            // The lens shows FingER's scores: it opens FingER's results, whatever finger.protocol says.
            arguments: [vscode.Uri.file(a.video), 'finger'],
          }),
      );
    }
    const video = await this.videoOf(doc);
    if (!video) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const entry = this.index.get(video);
    if (!entry?.result || !entry.displayed) {
      return [
        new vscode.CodeLens(top, {
          title: 'FingER: not scored yet — Score Video',
          command: 'finger.scoreVideo',
          arguments: [vscode.Uri.file(video)],
        }),
      ];
    }
    const a = computeAnnotations(doc.getText(), entry.result, entry.displayed);
    return [
      new vscode.CodeLens(top, {
        title: a.lens.title,
        tooltip: a.lens.tooltip,
        command: 'finger.openResults',
        arguments: [vscode.Uri.file(video), 'finger'],
      }),
    ];
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const key = doc.uri.toString();
    const hovers: EntityHover[] = this.annotations.get(key)?.hovers ?? this.manifestAnnotations.get(key)?.flatMap((a) => a.hovers) ?? [];
    const offset = doc.offsetAt(position);
    const h = hovers.find((x) => x.start <= offset && offset <= x.end);
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
