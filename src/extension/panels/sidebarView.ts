// The FingER side panel (WebviewView): details of the video in the active editor (or its prompt
// file), every scored video of the workspace, and the jobs in progress with a cancel button. Every
// score it shows is the results index's displayed result (src/shared/display.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { labelAgreement, resultWeights, type LabelledClip } from '../../core/workbench/agreement';
import { resultHeader } from '../../shared/display';
import { DIMENSIONS } from '../../shared/model';
import { relativePosix } from '../../shared/paths';
import type { ParamsOf } from '../../shared/protocols/envelope';
import { sidebarProtocol, type SidebarToHost, type SidebarToWebview, type VideoRow } from '../../shared/protocols/sidebar';
import type { Host } from '../host';
import type { JobManager } from '../jobs';
import { activeTabUri, videoOf, workspaceRootOf } from '../locate';
import type { ResultsIndex } from '../resultsIndex';
import { WebviewController } from '../webview/controller';
import type { ResultsPanelManager } from './resultsPanel';
import { SIDEBAR_VIEW_TYPE } from './viewTypes';

export class SidebarViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = SIDEBAR_VIEW_TYPE;

  /** The connection to the side panel, once VS Code resolved the view. */
  controller: WebviewController<SidebarToWebview, SidebarToHost, 'sidebar/ready'> | undefined;
  private target: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** What belongs to the current webview view (its controller and its event subscriptions). */
  private readonly viewDisposables: vscode.Disposable[] = [];

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
        this.sendAgreement();
        if (this.target && videos.some((v) => path.resolve(v) === this.target)) this.sendDetails();
      }),
      jobs.onDidChange(() => this.sendJobs()),
      vscode.window.tabGroups.onDidChangeTabs(() => void this.followActive()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => void this.followActive()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.followActive()),
      // Per cursor move: only a manifest maps the cursor to a video (elsewhere the editor's video
      // does not move with it, and re-resolving it would read the folder on every keystroke).
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor === vscode.window.activeTextEditor && this.manifestVideoAt(e.textEditor.document, e.textEditor.selection.active))
          void this.followActive();
      }),
    );
  }

  /** The video whose details the side panel shows (it follows the active editor). */
  get followedVideo(): string | undefined {
    return this.target;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    // VS Code resolves the view again after it was disposed (moved, or hidden and restored): what
    // belonged to the previous one goes with it, so nothing accumulates per resolve.
    this.controller?.dispose();
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    const controller = new WebviewController(this.host, view.webview, {
      protocol: sidebarProtocol,
      bundle: 'sidebar',
      title: 'FingER',
      latestOnly: ['sidebar/details', 'sidebar/videos', 'sidebar/jobs', 'sidebar/agreement'],
      onReady: async () => {
        await this.index.whenReady();
        await this.followActive(true);
        this.sendAll();
      },
      handlers: {
        'sidebar/openResults': async ({ relPath }) => {
          const video = this.videoOfRelPath(relPath);
          if (video) await this.openResults(video);
        },
        'sidebar/cancelJob': ({ id }) => this.jobs.cancel(id),
      },
    });
    this.controller = controller;
    this.viewDisposables.push(
      controller,
      view.onDidChangeVisibility(() => {
        if (view.visible) this.sendAll();
      }),
      view.onDidDispose(() => {
        controller.dispose();
        if (this.controller === controller) this.controller = undefined;
      }),
    );
    this.sendAll();
  }

  /** Rows carry workspace-relative paths; with several workspace folders the first match wins. */
  private videoOfRelPath(relPath: string): string | undefined {
    return (
      this.index.all().find((e) => e.relPath === relPath)?.video ??
      (this.target && this.relPathOf(this.target) === relPath ? this.target : undefined)
    );
  }

  private relPathOf(video: string): string {
    const root = workspaceRootOf(video);
    return root ? relativePosix(root, video) : path.basename(video);
  }

  /** Follows the active tab: a video (VS Code's preview), its prompt file, or a results panel. */
  private async followActive(force = false): Promise<void> {
    const panel = this.panels.all().find((p) => p.panel.active);
    let video: string | undefined = panel?.target.video;
    if (!video) {
      const uri = activeTabUri();
      const editor = vscode.window.activeTextEditor;
      if (uri && editor && editor.document.uri.toString() === uri.toString())
        video = this.manifestVideoAt(editor.document, editor.selection.active);
      if (!video && uri) video = await videoOf(uri);
    }
    if (!video && !force) return; // keep showing the last target while other files are active
    const next = video ? path.resolve(video) : undefined;
    if (next === this.target && !force) return;
    this.target = next;
    this.sendDetails();
  }

  private post<K extends SidebarToWebview['method']>(method: K, params: ParamsOf<SidebarToWebview, K>): void {
    this.controller?.post(method, params);
  }

  private sendAll(): void {
    this.sendDetails();
    this.sendVideos();
    this.sendJobs();
    this.sendAgreement();
  }

  /** The judge against the corrected answers of the workspace, as `finger agreement --labels`
   *  computes it (the same core function; the human score of a clip is its labels' `mos`). */
  private sendAgreement(): void {
    const clips: LabelledClip[] = [];
    for (const e of this.index.all()) {
      if (!e.result || !e.labels || e.labels.overrides.length === 0) continue;
      clips.push({ video: e.relPath, result: e.result, labels: e.labels, ...(e.labels.mos !== undefined ? { human: e.labels.mos } : {}) });
    }
    this.post('sidebar/agreement', {
      agreement: clips.length === 0 ? null : labelAgreement(clips, resultWeights(clips.map((c) => c.result))),
    });
  }

  private sendDetails(): void {
    const entry = this.target ? this.index.get(this.target) : undefined;
    const result = entry?.result;
    this.post('sidebar/details', {
      target: this.target ? { videoRelPath: this.relPathOf(this.target) } : null,
      header: result ? resultHeader(result) : null,
      displayed: entry?.displayed ?? null,
    });
  }

  private sendVideos(): void {
    const rows: VideoRow[] = this.index.all().map((e) => {
      if (!e.result || !e.displayed)
        return { relPath: e.relPath, overall: null, dimensions: {}, createdAt: '', ...(e.error ? { error: e.error } : {}) };
      const dimensions: VideoRow['dimensions'] = {};
      for (const d of DIMENSIONS) if (e.displayed.dimensions[d]) dimensions[d] = e.displayed.dimensions[d]!.score;
      return {
        relPath: e.relPath,
        overall: e.displayed.overall,
        dimensions,
        createdAt: e.result.createdAt,
        model: e.result.endpoint.model,
      };
    });
    this.post('sidebar/videos', { rows });
  }

  private sendJobs(): void {
    this.post('sidebar/jobs', { jobs: this.jobs.list() });
  }

  dispose(): void {
    this.controller?.dispose();
    for (const d of [...this.viewDisposables, ...this.disposables]) d.dispose();
  }
}
