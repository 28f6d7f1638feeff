// Everything that needs the engine, zod or the webviews, created on first use (see extension.ts):
// results index, jobs, panels, side panel, annotations, live templates and the command handlers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ProtocolSchema, type Protocol } from '../core/types';
import { FINGER_PATHS, isVideoPath, VIDEO_EXTENSIONS } from '../shared/model';
import { PromptAnnotationsController } from './annotations/promptAnnotations';
import { requireTrust, type Host } from './host';
import { JobManager, summarise, type JobOutcome, type ScoreRequest } from './jobs';
import { activeTabUri, toTarget, videoOf, type VideoTarget } from './locate';
import { ComparePanels } from './panels/comparePanel';
import { ResultsPanelManager, type ResultsPanel } from './panels/resultsPanel';
import { SidebarViewProvider } from './panels/sidebarView';
import { ResultsIndex } from './resultsIndex';
import { LiveTemplates } from './templates/liveTemplates';
import { FingerTestController } from './testing/controller';

export class Features implements vscode.Disposable {
  readonly index: ResultsIndex;
  readonly jobs: JobManager;
  readonly panels: ResultsPanelManager;
  readonly sidebar: SidebarViewProvider;
  readonly annotations: PromptAnnotationsController;
  readonly templates: LiveTemplates;
  readonly compare: ComparePanels;
  /** The Testing view: videos as tests, gated by finger.gate.* (testing/controller.ts). */
  readonly testing: FingerTestController;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: Host) {
    this.index = new ResultsIndex(host);
    this.jobs = new JobManager(host);
    this.panels = new ResultsPanelManager(host, this.index, this.jobs, { rescore: (p) => this.rescorePanel(p) });
    this.annotations = new PromptAnnotationsController(this.index);
    this.sidebar = new SidebarViewProvider(
      host,
      this.index,
      this.jobs,
      this.panels,
      (video) => this.openResults(vscode.Uri.file(video)),
      (doc, position) => this.annotations.manifestVideoAt(doc, position),
    );
    this.templates = new LiveTemplates(host, this.panels);
    this.compare = new ComparePanels(host);
    this.testing = new FingerTestController(host, this.jobs);
    this.disposables.push(
      this.testing,
      this.index,
      this.jobs,
      this.panels,
      this.sidebar,
      this.annotations,
      this.templates,
      this.compare,
      // A saved result enters the index here, once; every view updates from the index's event.
      this.jobs.onPipelineEvent(({ target, event }) => {
        if (event.type === 'saved') void this.index.refresh(target.video, target.workspaceRoot);
      }),
    );
  }

  // ─── Which videos a command is about ────────────────────────────────────────────────────────

  /** The explorer passes the clicked URI and the selection; the palette passes nothing (then the
   *  active editor, its prompt file's video, or the active results panel). */
  private async videosFrom(uri?: vscode.Uri, uris?: vscode.Uri[]): Promise<VideoTarget[]> {
    const candidates = uris && uris.length > 0 ? uris : uri instanceof vscode.Uri ? [uri] : [];
    if (candidates.length === 0) {
      const active = this.panels.all().find((p) => p.panel.active);
      if (active) return [active.target];
      const tab = activeTabUri();
      if (tab) candidates.push(tab);
    }
    const videos: string[] = [];
    for (const c of candidates) {
      const v = await videoOf(c);
      if (v) videos.push(v);
    }
    return [...new Set(videos)].map(toTarget);
  }

  private async pickVideo(): Promise<VideoTarget | undefined> {
    const files = await vscode.workspace.findFiles(`**/*.{${VIDEO_EXTENSIONS.join(',')}}`, '**/{node_modules,.finger,.git}/**', 2000);
    const items = files
      .filter((f) => isVideoPath(f.fsPath))
      .map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(f), uri: f }));
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Video to score', matchOnDescription: true });
    return pick ? toTarget(pick.uri.fsPath) : undefined;
  }

  // ─── Commands ───────────────────────────────────────────────────────────────────────────────

  /** The protocol of `finger.protocol` (for the workspace folder of `target` when given). */
  private protocolSetting(target?: VideoTarget): Protocol {
    return this.host.settingsForDisplay(target ? vscode.Uri.file(target.workspaceRoot) : undefined).protocol;
  }

  /** Asks which protocol to score with; the one of `finger.protocol` first. */
  private async pickProtocol(): Promise<Protocol | undefined> {
    const { PROTOCOLS } = await import('../core/protocols');
    const current = this.protocolSetting();
    const items = Object.values(PROTOCOLS)
      .map((p) => ({ label: p.label, description: p.id === current ? '(finger.protocol)' : undefined, detail: p.description, id: p.id }))
      .sort((a, b) => Number(b.id === current) - Number(a.id === current));
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Score with which protocol?', matchOnDetail: true });
    return pick?.id;
  }

  async scoreVideo(uri?: vscode.Uri, uris?: vscode.Uri[], protocol?: Protocol): Promise<void> {
    if (!requireTrust(this.host)) return;
    let targets = await this.videosFrom(uri, uris);
    if (targets.length === 0) {
      const picked = await this.pickVideo();
      if (!picked) return;
      targets = [picked];
    }
    const chosen = protocol ?? this.protocolSetting(targets[0]);
    if (targets.length === 1) await this.panels.open(targets[0]!, { protocol: chosen });
    await this.runScores(
      targets.map((target) => this.requestFor(target, chosen)),
      targets.length === 1 ? `Scoring ${targets[0]!.relPath}` : `Scoring ${targets.length} videos`,
    );
  }

  /** Score Video With…: the protocol is picked (or passed by a caller) rather than read from settings. */
  async scoreVideoWith(uri?: vscode.Uri, uris?: vscode.Uri[], protocol?: unknown): Promise<void> {
    if (!requireTrust(this.host)) return;
    const asked = ProtocolSchema.safeParse(protocol);
    const chosen = asked.success ? asked.data : await this.pickProtocol();
    if (chosen) await this.scoreVideo(uri, uris, chosen);
  }

  async scoreFolder(uri?: vscode.Uri): Promise<void> {
    if (!requireTrust(this.host)) return;
    let folder = uri instanceof vscode.Uri ? uri : undefined;
    if (!folder) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Score videos in folder',
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      folder = picked?.[0];
    }
    if (!folder) return;
    const files = await vscode.workspace.findFiles(
      new vscode.RelativePattern(folder, `**/*.{${VIDEO_EXTENSIONS.join(',')}}`),
      '**/{node_modules,.finger,.git}/**',
    );
    const targets = files
      .filter((f) => isVideoPath(f.fsPath))
      .map((f) => toTarget(f.fsPath))
      .sort((a, b) => a.relPath.localeCompare(b.relPath));
    if (targets.length === 0) {
      void vscode.window.showInformationMessage(
        `No videos (${VIDEO_EXTENSIONS.join(', ')}) in ${vscode.workspace.asRelativePath(folder)}.`,
      );
      return;
    }
    const protocol = this.protocolSetting(targets[0]);
    await this.runScores(
      targets.map((t) => this.requestFor(t, protocol)),
      `Scoring ${targets.length} videos in ${vscode.workspace.asRelativePath(folder)}`,
    );
  }

  /** The results of `protocol` (a command argument, e.g. from a FingER CodeLens), else of `finger.protocol`. */
  async openResults(uri?: vscode.Uri, protocol?: unknown): Promise<void> {
    let [target] = await this.videosFrom(uri);
    target ??= await this.pickVideo();
    if (!target) return;
    const asked = ProtocolSchema.safeParse(protocol);
    await this.panels.open(target, { protocol: asked.success ? asked.data : this.protocolSetting(target) });
  }

  async rescore(uri?: vscode.Uri): Promise<void> {
    const [target] = await this.videosFrom(uri);
    if (!target) return this.scoreVideo();
    const protocol = this.protocolSetting(target);
    const panel = this.panels.get(target.video, protocol) ?? (await this.panels.open(target, { protocol }));
    await this.rescorePanel(panel);
  }

  /** Rescore: the panel's regenerated question set (live templates) and the edited templates when
   *  there are any; the answer cache makes unchanged questions free. */
  async rescorePanel(panel: ResultsPanel): Promise<void> {
    if (!requireTrust(this.host)) return;
    const request = this.requestFor(panel.target, panel.protocol);
    if (panel.pendingQuestionSet) request.questionSet = panel.pendingQuestionSet;
    await this.runScores([request], `Rescoring ${panel.target.relPath}`);
  }

  private requestFor(target: VideoTarget, protocol: Protocol): ScoreRequest {
    // Edited templates are FingER's; the other protocols ask in their own fixed way.
    const templates = protocol === 'finger' ? this.templates.templatesFor(target.workspaceRoot) : undefined;
    return { target, protocol, ...(templates ? { templates } : {}) };
  }

  /** Outcomes of the last scoring command (tests and the log read them). */
  lastOutcomes: JobOutcome[] = [];

  private async runScores(requests: ScoreRequest[], title: string): Promise<void> {
    const outcomes = await this.jobs.score(requests, title);
    this.lastOutcomes = outcomes;
    // Saved results reached the index from their `saved` event (see the constructor); the command
    // is done once the index has them.
    await this.index.whenIdle();
    for (const o of outcomes) if (!o.outcome?.saved) this.panels.get(o.target.video)?.onScoreEnded();
    const { ok, failed, cancelled } = summarise(outcomes);
    if (failed.length > 0) {
      const first = failed[0]!;
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed)` : '';
      // Not awaited: the command is done when scoring is, not when the message is dismissed.
      void vscode.window
        .showErrorMessage(`FingER: ${first.target.relPath}: ${first.error}${more}`, 'Show Log', 'Open Settings')
        .then((choice) => {
          if (choice === 'Show Log') this.host.logger.channel.show(true);
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'finger.endpoint');
        });
    } else if (cancelled > 0) {
      void vscode.window.showInformationMessage(`FingER: scoring cancelled${ok ? ` after ${ok} video(s)` : ''}.`);
    } else if (requests.length > 1) {
      void vscode.window.showInformationMessage(`FingER: scored ${ok} video(s).`);
    }
    for (const o of outcomes) {
      if (o.outcome && !o.outcome.saved && o.outcome.note)
        void vscode.window.showWarningMessage(`FingER: ${o.target.relPath}: ${o.outcome.note}`);
    }
  }

  async customizeTemplates(): Promise<void> {
    const folder =
      vscode.workspace.workspaceFolders?.length === 1
        ? vscode.workspace.workspaceFolders[0]
        : await vscode.window.showWorkspaceFolderPick({ placeHolder: `Workspace folder for ${FINGER_PATHS.templates}` });
    if (!folder) {
      if (!vscode.workspace.workspaceFolders?.length)
        void vscode.window.showWarningMessage(`FingER: open a folder first; templates are kept in its ${FINGER_PATHS.templates}/.`);
      return;
    }
    const { customizeTemplates } = await import('../core/templates');
    const files = await customizeTemplates(folder.uri.fsPath);
    this.host.logger.info(`Templates in ${folder.uri.fsPath}/${FINGER_PATHS.templates}: ${files.length} file(s)`);
    for (const [i, f] of files.entries()) {
      await vscode.window.showTextDocument(vscode.Uri.file(f), { preview: false, preserveFocus: i < files.length - 1 });
    }
  }

  cancelScoring(): void {
    const n = this.jobs.cancelAll();
    if (n === 0) void vscode.window.showInformationMessage('FingER: nothing is being scored.');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

export function createFeatures(host: Host): Features {
  return new Features(host);
}
