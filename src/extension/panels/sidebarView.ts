// The FingER side panel (WebviewView): details of the video in the active editor (or its prompt
// file), every scored video of the workspace, and the jobs in progress with a cancel button.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeNotification, parseWebviewMessage, type NotificationMethod, type NotificationParams, type VideoRow } from '../../shared/protocol';
import type { Host } from '../host';
import type { JobManager } from '../jobs';
import { activeTabUri, videoOf, workspaceRootOf } from '../locate';
import type { ResultsIndex } from '../resultsIndex';
import { DIMENSIONS } from '../../core/types';
import { applyOverridesToResult } from '../../shared/display';
import { extensionResourceRoots, webviewHtml } from './webviewAssets';
import type { ResultsPanelManager } from './resultsPanel';

export const SIDEBAR_VIEW_ID = 'finger.sidebar';

export class SidebarViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private target: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: Host,
    private readonly index: ResultsIndex,
    private readonly jobs: JobManager,
    private readonly panels: ResultsPanelManager,
    private readonly openResults: (video: string) => Promise<void>,
    /** The video of the manifest entry under the cursor (a manifest holds many videos' prompts). */
    private readonly manifestVideoAt: (doc: vscode.TextDocument, position: vscode.Position) => string | undefined = () => undefined,
  ) {
    this.disposables.push(
      index.onDidChange(({ videos }) => {
        this.sendVideos();
        if (this.target && videos.some((v) => path.resolve(v) === this.target)) this.sendDetails();
      }),
      jobs.onDidChange(() => this.sendJobs()),
      vscode.window.tabGroups.onDidChangeTabs(() => void this.followActive()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => void this.followActive()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.followActive()),
      // Per cursor move: only a manifest maps the cursor to a video (elsewhere the editor's video
      // does not move with it, and re-resolving it would read the folder on every keystroke).
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor && this.manifestVideoAt(e.textEditor.document, e.textEditor.selection.active)) void this.followActive();
      }),
    );
  }

  /** The video whose details the side panel shows (it follows the active editor). */
  get followedVideo(): string | undefined {
    return this.target;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: extensionResourceRoots(this.host.context.extensionUri) };
    view.webview.html = webviewHtml(view.webview, this.host.context.extensionUri, 'sidebar', 'FingER');
    this.disposables.push(
      view.webview.onDidReceiveMessage((data) => void this.receive(data)),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.sendAll();
      }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
      }),
    );
  }

  private async receive(data: unknown): Promise<void> {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.host.logger.warn(`Ignored a malformed message from the side panel: ${parsed.error}`);
      return;
    }
    const m = parsed.message;
    switch (m.method) {
      case 'sidebar/ready':
        this.ready = true;
        await this.index.whenReady();
        await this.followActive(true);
        this.sendAll();
        return;
      case 'sidebar/openResults': {
        const video = this.videoOfRelPath(m.params.relPath);
        if (video) await this.openResults(video);
        return;
      }
      case 'sidebar/cancelJob':
        this.jobs.cancel(m.params.id);
        return;
      default:
        return;
    }
  }

  /** Rows carry workspace-relative paths; with several workspace folders the first match wins. */
  private videoOfRelPath(relPath: string): string | undefined {
    return this.index.all().find((e) => e.relPath === relPath)?.video ??
      (this.target && path.relative(workspaceRootOf(this.target) ?? '', this.target).split(path.sep).join('/') === relPath ? this.target : undefined);
  }

  /** Follows the active tab: a video (VS Code's preview), its prompt file, or a results panel. */
  private async followActive(force = false): Promise<void> {
    const panel = this.panels.all().find((p) => p.panel.active);
    let video: string | undefined = panel?.target.video;
    if (!video) {
      const uri = activeTabUri();
      const editor = vscode.window.activeTextEditor;
      if (uri && editor && editor.document.uri.toString() === uri.toString()) video = this.manifestVideoAt(editor.document, editor.selection.active);
      if (!video && uri) video = await videoOf(uri);
    }
    if (!video && !force) return; // keep showing the last target while other files are active
    const next = video ? path.resolve(video) : undefined;
    if (next === this.target && !force) return;
    this.target = next;
    this.sendDetails();
  }

  private post<M extends NotificationMethod>(method: M, params: NotificationParams<M>): void {
    if (!this.view || !this.ready) return;
    void this.view.webview.postMessage(makeNotification(method, params));
  }

  private sendAll(): void {
    this.sendDetails();
    this.sendVideos();
    this.sendJobs();
  }

  private sendDetails(): void {
    if (!this.target) {
      this.post('sidebar/details', { target: null, result: null, labels: null });
      return;
    }
    const root = workspaceRootOf(this.target);
    const entry = this.index.get(this.target);
    const relPath = root ? path.relative(root, this.target).split(path.sep).join('/') : path.basename(this.target);
    this.post('sidebar/details', {
      target: { videoRelPath: relPath },
      result: entry?.result ?? null,
      labels: entry?.labels ?? null,
    });
  }

  private sendVideos(): void {
    const weights = this.host.settingsForDisplay().eval.weights;
    const rows: VideoRow[] = this.index.all().map((e) => {
      if (!e.result) return { relPath: e.relPath, overall: null, dimensions: {}, createdAt: '', ...(e.error ? { error: e.error } : {}) };
      const shown = applyOverridesToResult(e.result, e.labels, weights);
      const dimensions: VideoRow['dimensions'] = {};
      for (const d of DIMENSIONS) if (shown.dimensions[d]) dimensions[d] = shown.dimensions[d]!.score;
      return { relPath: e.relPath, overall: shown.overall, dimensions, createdAt: e.result.createdAt, model: e.result.endpoint.model };
    });
    this.post('sidebar/videos', { rows });
  }

  private sendJobs(): void {
    this.post('sidebar/jobs', { jobs: this.jobs.list() });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
