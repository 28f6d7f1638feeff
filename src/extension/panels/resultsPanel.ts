// The results panel: one WebviewPanel per video, opened beside the video's prompt file (which opens
// in the active column), reused when asked again, restored after a reload by the serializer. It
// renders only what it is sent (protocol.ts) and posts back intents: rescore, override, open file.
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { PipelineEvent } from '../../core/pipeline';
import { cacheDir, fromWorkspaceRelative, readResult, resultPathFor, saveOverride } from '../../core/store';
import { PROTOCOL_LABELS, ProtocolSchema, type Protocol, type QuestionSet, type Result } from '../../core/types';
import {
  makeNotification,
  makeResponse,
  parseWebviewMessage,
  type ExtensionMessage,
  type FrameRef,
  type NotificationMethod,
  type NotificationParams,
  type WebviewMessage,
} from '../../shared/protocol';
import type { Host } from '../host';
import type { JobManager } from '../jobs';
import { promptFileOf, promptLocationOf, toTarget, type VideoTarget } from '../locate';
import type { ResultsIndex } from '../resultsIndex';
import { WorkspaceKeys } from '../storage';
import { extensionResourceRoots, themeKind, webviewHtml } from './webviewAssets';

export const RESULTS_VIEW_TYPE = 'finger.results';

/** Codecs and containers a VS Code webview can play (H.264 and VP8; not VP9, not AAC: docs/ARCHITECTURE.md, "Running a real VS Code and a real browser offline"). */
const PLAYABLE_CODECS = new Set(['h264', 'vp8']);
const PLAYABLE_CONTAINERS = new Set(['.mp4', '.m4v', '.webm']);

interface PanelState {
  relPath?: string;
  workspaceRoot?: string;
  protocol?: Protocol;
}

/** `FingER: clip.mp4`, `VideoScore2: clip.mp4`: the protocol shows in the tab. */
function panelTitle(protocol: Protocol, video: string): string {
  return `${PROTOCOL_LABELS[protocol]}: ${path.basename(video)}`;
}

/** The protocol a restored panel's title names (panelTitle); FingER when none does. */
function protocolOfTitle(title: string): Protocol {
  return ProtocolSchema.options.find((p) => title.startsWith(`${PROTOCOL_LABELS[p]}: `)) ?? 'finger';
}

/** Panels are per video and protocol; a FingER panel is keyed by the video's path alone. */
function panelKey(video: string, protocol: Protocol): string {
  return protocol === 'finger' ? path.resolve(video) : `${protocol}:${path.resolve(video)}`;
}

export class ResultsPanel implements vscode.Disposable {
  private ready = false;
  private queue: ExtensionMessage[] = [];
  private frames: FrameRef[] = [];
  private videoUri: string | undefined;
  private promptFile: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Question set regenerated from edited templates, used by the next Rescore of this panel. */
  pendingQuestionSet: QuestionSet | undefined;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  /** Another protocol's result, read from its file (the results index holds FingER's). */
  private protocolResult: { result?: Result; error?: string; file: string } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: VideoTarget,
    private readonly host: Host,
    private readonly index: ResultsIndex,
    private readonly onCommand: (panel: ResultsPanel, message: WebviewMessage) => Promise<void>,
    /** Whose result the panel shows and what its Rescore runs. */
    readonly protocol: Protocol = 'finger',
  ) {
    const extensionUri = host.context.extensionUri;
    panel.webview.options = { enableScripts: true, localResourceRoots: this.resourceRoots() };
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'finger.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'results', panelTitle(protocol, target.video));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data) => void this.receive(data)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** What the panel may load: the extension's webview assets, this workspace's frame cache (the
   *  sampled frames) and the video file itself. Nothing else of the disk. */
  private resourceRoots(): vscode.Uri[] {
    return [
      ...extensionResourceRoots(this.host.context.extensionUri),
      vscode.Uri.file(cacheDir(this.target.workspaceRoot, 'frames')),
      vscode.Uri.file(this.target.video),
    ];
  }

  private async receive(data: unknown): Promise<void> {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.host.logger.warn(`Ignored a malformed message from the results panel: ${parsed.error}`);
      return;
    }
    const message = parsed.message;
    if (message.method === 'results/ready') {
      this.ready = true;
      await this.sendShow();
      const queued = this.queue;
      this.queue = [];
      for (const m of queued) void this.panel.webview.postMessage(m);
      return;
    }
    if (message.kind === 'request' && message.method === 'results/getLabels') {
      const labels = await this.index.labelsOf(this.target.video, this.target.workspaceRoot);
      void this.panel.webview.postMessage(makeResponse(message, { result: { labels } }));
      return;
    }
    try {
      await this.onCommand(this, message);
    } catch (e) {
      this.post('results/error', { message: describeError(e) });
    }
  }

  post<M extends NotificationMethod>(method: M, params: NotificationParams<M>): void {
    const message = makeNotification(method, params) as ExtensionMessage;
    if (!this.ready) {
      // `results/show` is sent on ready with the latest state; other messages wait for it.
      if (method !== 'results/show') this.queue.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  /** Sends everything the panel shows: result (or null), labels, video, frames, weights. */
  async sendShow(): Promise<void> {
    if (!this.ready) return;
    // The index is kept current by its watchers; not re-reading here keeps show → change → show from looping.
    const entry = this.protocol === 'finger' ? this.index.get(this.target.video) : await this.readProtocolResult();
    this.promptFile ??= await promptFileOf(this.target).then((f) => (f ? path.relative(this.target.workspaceRoot, f).split(path.sep).join('/') : undefined));
    if (this.frames.length === 0 && entry?.result) this.frames = await this.cachedFrames(entry.result.video.sha256, entry.result.sampling);
    this.videoUri ??= await this.playableVideoUri();
    const settings = this.host.settingsForDisplay(vscode.Uri.file(this.target.workspaceRoot));
    this.post('results/show', {
      result: entry?.result ?? null,
      labels: entry?.labels ?? null,
      video: {
        name: path.basename(this.target.video),
        relPath: this.target.relPath,
        ...(this.promptFile ? { promptFile: this.promptFile } : {}),
        ...(this.videoUri ? { videoUri: this.videoUri } : {}),
        frames: this.frames,
      },
      theme: themeKind(),
      // The weights in the settings are FingER's; another protocol's overall is its own.
      ...(this.protocol === 'finger' ? { weights: settings.eval.weights } : {}),
    });
    if (entry?.error) this.post('results/error', { message: entry.error, file: entry.file });
  }

  /** This panel's result when its protocol is not FingER: `.finger/results-<protocol>/…` (no watcher;
   *  read when shown, which a save of this protocol triggers). Labels are the video's, as in FingER. */
  private async readProtocolResult(): Promise<{ result?: Result; error?: string; file: string; labels: import('../../core/types').Labels | null }> {
    const { protocolResultsDir } = await import('../../core/protocols');
    const ws = this.target.workspaceRoot;
    const file = resultPathFor(ws, this.target.video, protocolResultsDir(this.protocol, this.index.resultsFolder(ws)));
    const labels = await this.index.labelsOf(this.target.video, ws);
    try {
      this.protocolResult = { result: await readResult(file), file };
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException)?.code === 'ENOENT' || (e as { cause?: NodeJS.ErrnoException })?.cause?.code === 'ENOENT';
      this.protocolResult = missing ? { file } : { error: describeError(e), file };
    }
    return { ...this.protocolResult, labels };
  }

  /** Frames of an earlier score, from the frame cache (no ffmpeg run just to show a result). */
  private async cachedFrames(sha256: string, sampling: { fps: number; maxFrames: number; maxPixels: number }): Promise<FrameRef[]> {
    try {
      const video = await import('../../core/video');
      const folder = path.join(cacheDir(this.target.workspaceRoot, 'frames'), video.frameCacheKey(sha256, sampling));
      // The cache's index names each frame's JPEG; read it rather than decoding every frame.
      const index = JSON.parse(await readFile(path.join(folder, 'index.json'), 'utf8')) as { frames?: { timeSec: number; file: string }[] };
      return (index.frames ?? [])
        .filter((f) => typeof f.file === 'string' && /^[\w.-]+\.jpg$/.test(f.file))
        .map((f) => this.frameRef({ timeSec: f.timeSec, file: path.join(folder, f.file) }));
    } catch (e) {
      this.host.logger.debug(`No cached frames for ${this.target.relPath}: ${describeError(e)}`);
      return [];
    }
  }

  private frameRef(f: { timeSec: number; file: string }): FrameRef {
    return { timeSec: f.timeSec, uri: this.panel.webview.asWebviewUri(vscode.Uri.file(f.file)).toString() };
  }

  /** The video's webview URI when a webview can play it; probing runs ffprobe, so only when trusted. */
  private async playableVideoUri(): Promise<string | undefined> {
    if (!PLAYABLE_CONTAINERS.has(path.extname(this.target.video).toLowerCase()) || !this.host.trusted) return undefined;
    try {
      const video = await import('../../core/video');
      const settings = this.host.settingsForDisplay(vscode.Uri.file(this.target.workspaceRoot)).eval;
      const tools = await video.resolveFfmpeg({ ffmpegPath: settings.ffmpegPath });
      const info = await video.probeVideo(this.target.video, { ffprobe: tools.ffprobe });
      if (!PLAYABLE_CODECS.has(String(info.codec).toLowerCase())) return undefined;
      return this.panel.webview.asWebviewUri(vscode.Uri.file(this.target.video)).toString();
    } catch (e) {
      this.host.logger.debug(`Not showing the video of ${this.target.relPath}: ${describeError(e)}`);
      return undefined;
    }
  }

  /** Live updates while this video is scored: rows fill in as answers arrive. */
  onPipelineEvent(event: PipelineEvent): void {
    switch (event.type) {
      case 'frames':
        this.frames = event.frames.map((f) => this.frameRef(f));
        void this.sendShow();
        break;
      case 'questions':
        this.post('results/questions', { prompt: event.questionSet.prompt, questions: event.questionSet.questions });
        break;
      case 'phase':
        this.post('results/progress', { phase: event.phase, done: 0, total: 0 });
        break;
      case 'answer':
        this.post('results/answer', { question: event.question });
        this.post('results/progress', { phase: 'answers', done: event.done, total: event.total });
        break;
      case 'saved':
        this.pendingQuestionSet = undefined;
        if (this.protocol === 'finger') void this.index.refresh(this.target.video, this.target.workspaceRoot).then(() => this.sendShow());
        else void this.sendShow();
        break;
    }
  }

  /** The result on disk for this video (without overrides). */
  get currentResult(): Result | undefined {
    return this.protocol === 'finger' ? this.index.get(this.target.video)?.result : this.protocolResult?.result;
  }

  get state(): PanelState {
    return { relPath: this.target.relPath, workspaceRoot: this.target.workspaceRoot, protocol: this.protocol };
  }

  dispose(): void {
    this.disposed.fire();
    this.disposed.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

export class ResultsPanelManager implements vscode.WebviewPanelSerializer<PanelState>, vscode.Disposable {
  private readonly panels = new Map<string, ResultsPanel>();
  private lastActive: ResultsPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: Host,
    private readonly index: ResultsIndex,
    private readonly jobs: JobManager,
    private readonly commands: { rescore(panel: ResultsPanel): Promise<void> },
  ) {
    this.disposables.push(
      jobs.onPipelineEvent(({ target, protocol, event }) => this.panels.get(panelKey(target.video, protocol))?.onPipelineEvent(event)),
      index.onDidChange(({ videos }) => {
        for (const v of videos) void this.panels.get(path.resolve(v))?.sendShow();
      }),
      vscode.window.onDidChangeActiveColorTheme(() => {
        for (const p of this.panels.values()) void p.sendShow();
      }),
    );
  }

  /** The panel the user looked at last (live templates regenerate its video's questions). */
  get active(): ResultsPanel | undefined {
    return this.lastActive && this.panels.has(path.resolve(this.lastActive.target.video)) ? this.lastActive : undefined;
  }

  /** The open panel of a video's results for `protocol` (FingER's by default). */
  get(video: string, protocol: Protocol = 'finger'): ResultsPanel | undefined {
    return this.panels.get(panelKey(video, protocol));
  }

  all(): ResultsPanel[] {
    return [...this.panels.values()];
  }

  /** Opens (or reveals) the panel of a video's results for `o.protocol` (FingER's by default) beside its prompt file. */
  async open(target: VideoTarget, o: { preserveFocus?: boolean; protocol?: Protocol } = {}): Promise<ResultsPanel> {
    const protocol = o.protocol ?? 'finger';
    const existing = this.panels.get(panelKey(target.video, protocol));
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn ?? vscode.ViewColumn.Beside, o.preserveFocus);
      this.lastActive = existing;
      return existing;
    }
    // A manifest holds many prompts: open it at this video's entry, not at the top.
    const prompt = await promptLocationOf(target);
    if (prompt) {
      const at = prompt.line ? new vscode.Position(prompt.line - 1, 0) : undefined;
      await vscode.window.showTextDocument(vscode.Uri.file(prompt.file), {
        viewColumn: vscode.ViewColumn.Active,
        preview: false,
        preserveFocus: false,
        selection: at && new vscode.Range(at, at),
      });
    }
    const panel = vscode.window.createWebviewPanel(
      RESULTS_VIEW_TYPE,
      panelTitle(protocol, target.video),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: o.preserveFocus ?? true },
      { enableScripts: true, retainContextWhenHidden: true, enableFindWidget: true },
    );
    return this.adopt(panel, target, protocol);
  }

  private adopt(panel: vscode.WebviewPanel, target: VideoTarget, protocol: Protocol): ResultsPanel {
    const rp = new ResultsPanel(panel, target, this.host, this.index, (p, m) => this.handle(p, m), protocol);
    const key = panelKey(target.video, protocol);
    this.panels.set(key, rp);
    this.lastActive = rp;
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.lastActive = rp;
    });
    rp.onDidDispose(() => {
      if (this.panels.get(key) === rp) this.panels.delete(key);
      if (this.lastActive === rp) this.lastActive = undefined;
      void this.rememberOpenPanels();
    });
    void this.rememberOpenPanels();
    return rp;
  }

  private rememberOpenPanels(): Thenable<void> {
    return this.host.workspaceState.update(WorkspaceKeys.openPanels, [...this.panels.values()].map((p) => p.target.video));
  }

  /** Window reload: the webview's state names its video; else the list of panels open before. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PanelState | undefined): Promise<void> {
    const remembered = this.host.workspaceState.get(WorkspaceKeys.openPanels, []);
    const protocol = ProtocolSchema.safeParse(state?.protocol).data ?? protocolOfTitle(panel.title);
    let video: string | undefined;
    if (state?.relPath && state.workspaceRoot) video = path.resolve(state.workspaceRoot, state.relPath);
    video ??= remembered.find((v) => !this.panels.has(panelKey(v, protocol)) && panel.title.endsWith(path.basename(v)));
    if (!video || !existsSync(video)) {
      panel.dispose();
      return;
    }
    try {
      this.adopt(panel, toTarget(video), protocol);
    } catch (e) {
      this.host.logger.warn(`Could not restore the results panel of ${video}: ${describeError(e)}`);
      panel.dispose();
    }
  }

  private async handle(p: ResultsPanel, message: WebviewMessage): Promise<void> {
    switch (message.method) {
      case 'results/rescore':
        await this.commands.rescore(p);
        return;
      case 'results/override': {
        const { questionId, questionText, answer, note } = message.params;
        const labels = await saveOverride(p.target.workspaceRoot, p.target.video, {
          questionId,
          questionText,
          answer,
          ...(note ? { note } : {}),
        });
        this.host.logger.info(`Override saved for ${p.target.relPath}: "${questionText}" → ${answer ?? '(removed)'}`);
        await this.index.labelsOf(p.target.video, p.target.workspaceRoot);
        p.post('results/labels', { labels });
        return;
      }
      case 'results/openFile': {
        const file = fromWorkspaceRelative(p.target.workspaceRoot, message.params.relPath);
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One });
        return;
      }
      default:
        return;
    }
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
