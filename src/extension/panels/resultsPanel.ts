// The results panel: one WebviewPanel per video, opened beside the video's prompt file (which opens
// in the active column), reused when asked again, restored after a reload by the serializer. It
// renders only what it is sent (src/shared/protocols/results.ts): the saved result as the results
// index displays it, or the rows of a score in progress. It posts back intents: rescore, override,
// open a file.
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { PipelineEvent } from '../../core/pipeline';
import { cacheDir, fromWorkspaceRelative, readLabels, readResult, resultPathFor, saveOverride } from '../../core/store';
import {
  PROTOCOL_LABELS,
  ProtocolSchema,
  type AnsweredQuestion,
  type Labels,
  type Protocol,
  type Question,
  type QuestionSet,
  type Result,
} from '../../core/types';
import {
  applyOverridesToResult,
  displayQuestions,
  effectiveWeights,
  NOTHING_DISPLAYED,
  resultHeader,
  type DisplayedResult,
} from '../../shared/display';
import { relativePosix } from '../../shared/paths';
import type { ResultHeader } from '../../shared/protocols/common';
import type { ParamsOf } from '../../shared/protocols/envelope';
import {
  RestoredResultsStateSchema,
  resultsProtocol,
  type FrameRef,
  type ResultsToHost,
  type ResultsToWebview,
} from '../../shared/protocols/results';
import type { Host } from '../host';
import type { JobManager } from '../jobs';
import { promptFileOf, promptLocationOf, toTarget, type VideoTarget } from '../locate';
import type { ResultsIndex } from '../resultsIndex';
import { WorkspaceKeys, type OpenPanel } from '../storage';
import { themeKind, WebviewController } from '../webview/controller';
import { RESULTS_VIEW_TYPE } from './viewTypes';

/** Codecs and containers a VS Code webview can play (H.264 and VP8; not VP9, not AAC). */
const PLAYABLE_CODECS = new Set(['h264', 'vp8']);
const PLAYABLE_CONTAINERS = new Set(['.mp4', '.m4v', '.webm']);

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

/** The rows of a score in progress: its question set, answered as answers arrive. */
interface LiveScore {
  prompt: string;
  questions: AnsweredQuestion[];
}

export class ResultsPanel implements vscode.Disposable {
  static readonly viewType = RESULTS_VIEW_TYPE;

  readonly controller: WebviewController<ResultsToWebview, ResultsToHost, 'results/ready'>;
  private frames: FrameRef[] = [];
  private videoUri: string | undefined;
  private promptFile: string | undefined;
  private live: LiveScore | undefined;
  /** Another protocol's result, read from its file (the results index holds FingER's). */
  private protocolResult: { result?: Result; error?: string; file: string; labels: Labels | null } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Question set regenerated from edited templates, used by the next Rescore of this panel. */
  pendingQuestionSet: QuestionSet | undefined;
  private readonly disposed = new vscode.EventEmitter<void>();
  private isDisposed = false;
  readonly onDidDispose = this.disposed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly target: VideoTarget,
    private readonly host: Host,
    private readonly index: ResultsIndex,
    commands: { rescore(panel: ResultsPanel): Promise<void> },
    /** Whose result the panel shows and what its Rescore runs. */
    readonly protocol: Protocol = 'finger',
  ) {
    panel.iconPath = vscode.Uri.joinPath(host.context.extensionUri, 'media', 'icons', 'finger.svg');
    this.controller = new WebviewController(host, panel.webview, {
      protocol: resultsProtocol,
      bundle: 'results',
      title: panelTitle(protocol, target.video),
      // The sampled frames (this workspace's frame cache) and the video itself; nothing else of the disk.
      extraResourceRoots: [vscode.Uri.file(cacheDir(target.workspaceRoot, 'frames')), vscode.Uri.file(target.video)],
      latestOnly: ['results/show', 'results/progress'],
      onError: (message) => this.post('results/error', { message }),
      handlers: {
        'results/rescore': () => commands.rescore(this),
        'results/override': async (change) => {
          await saveOverride(target.workspaceRoot, target.video, change);
          host.logger.info(`Override saved for ${target.relPath}: "${change.questionText}" → ${change.answer ?? '(removed)'}`);
          // The index reads the labels back and fires; the panel shows them from its change event.
          const changed = await index.refreshLabels(target.video, target.workspaceRoot);
          if (this.protocol !== 'finger' || !changed?.result) void this.sendShow(); // the index shows FingER's results only
        },
        'results/openFile': async ({ relPath }) => {
          const file = fromWorkspaceRelative(target.workspaceRoot, relPath);
          await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One });
        },
      },
    });
    this.disposables.push(
      this.controller,
      panel.onDidDispose(() => this.dispose()),
    );
    if (protocol !== 'finger') void this.watchProtocolResult();
    void this.sendShow();
  }

  /**
   * Another protocol's result is not in the results index (which holds FingER's), so its one file is
   * watched here: a rescore elsewhere (the CLI, another window) reaches the open panel. The panel
   * sends only when what it read changed, so its own save (already shown) is not sent twice.
   */
  private async watchProtocolResult(): Promise<void> {
    const { protocolResultsDir } = await import('../../core/protocols');
    if (this.isDisposed) return;
    const ws = this.target.workspaceRoot;
    const file = resultPathFor(ws, this.target.video, protocolResultsDir(this.protocol, this.index.resultsFolder(ws)));
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)),
    );
    let timer: NodeJS.Timeout | undefined;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (this.isDisposed || this.live) return;
        const shown = JSON.stringify([this.protocolResult?.result ?? null, this.protocolResult?.error ?? null]);
        const now = await this.readProtocolResult();
        if (JSON.stringify([now.result ?? null, now.error ?? null]) !== shown) void this.sendShow({ reread: false });
      }, 100);
    };
    this.disposables.push(watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed), {
      dispose: () => clearTimeout(timer),
    });
  }

  post<K extends ResultsToWebview['method']>(method: K, params: ParamsOf<ResultsToWebview, K>): void {
    this.controller.post(method, params);
  }

  private weights(result: Result | null) {
    return effectiveWeights(result, this.host.settingsForDisplay(vscode.Uri.file(this.target.workspaceRoot)).eval.weights);
  }

  /** What the panel shows: a score in progress, else the result as the index displays it (another
   *  protocol's: as read from its file, with its own overall while no answer is overridden). */
  private async displayed(reread: boolean): Promise<{ header: ResultHeader | null; prompt: string | null; displayed: DisplayedResult }> {
    if (this.protocol !== 'finger' && !this.live) {
      const { result, labels } = (!reread && this.protocolResult) || (await this.readProtocolResult());
      if (!result) return { header: null, prompt: null, displayed: NOTHING_DISPLAYED };
      return { header: resultHeader(result), prompt: result.prompt, displayed: applyOverridesToResult(result, labels) };
    }
    const entry = this.index.get(this.target.video);
    const result = entry?.result ?? null;
    const header = result ? resultHeader(result) : null;
    if (this.live)
      return { header, prompt: this.live.prompt, displayed: displayQuestions(this.live.questions, entry?.labels, this.weights(result)) };
    return { header, prompt: result?.prompt ?? null, displayed: entry?.displayed ?? NOTHING_DISPLAYED };
  }

  /** Sends everything the panel shows: video, frames, header and the displayed rows and scores. */
  /** `reread: false` when the protocol's result file was just read (watchProtocolResult). */
  async sendShow(o: { reread?: boolean } = {}): Promise<void> {
    const shown = await this.displayed(o.reread !== false);
    const entry = this.protocol === 'finger' ? this.index.get(this.target.video) : this.protocolResult;
    this.promptFile ??= await promptFileOf(this.target).then((f) => (f ? relativePosix(this.target.workspaceRoot, f) : undefined));
    if (this.frames.length === 0 && entry?.result) this.frames = await this.cachedFrames(entry.result.video.sha256, entry.result.sampling);
    this.videoUri ??= await this.playableVideoUri();
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.target.workspaceRoot));
    this.post('results/show', {
      video: {
        name: path.basename(this.target.video),
        relPath: this.target.relPath,
        ...(folder ? { workspaceFolder: folder.name } : {}),
        protocol: this.protocol,
        ...(this.promptFile ? { promptFile: this.promptFile } : {}),
        ...(this.videoUri ? { videoUri: this.videoUri } : {}),
        frames: this.frames,
      },
      theme: themeKind(),
      ...shown,
      // The signals protocol's ranges for the Signals strip (webview/results/signals.ts).
      ...(entry?.result?.signals ? { signals: entry.result.signals } : {}),
    });
    if (entry?.error) this.post('results/error', { message: entry.error, file: relativePosix(this.target.workspaceRoot, entry.file) });
  }

  /** This panel's result when its protocol is not FingER: `.finger/results-<protocol>/…`, read when
   *  shown (a save of this protocol, or its file changing: watchProtocolResult). Labels are the
   *  video's, as in FingER. */
  private async readProtocolResult(): Promise<NonNullable<ResultsPanel['protocolResult']>> {
    const { protocolResultsDir } = await import('../../core/protocols');
    const ws = this.target.workspaceRoot;
    const file = resultPathFor(ws, this.target.video, protocolResultsDir(this.protocol, this.index.resultsFolder(ws)));
    const labels = await readLabels(ws, this.target.video).catch(() => null);
    try {
      this.protocolResult = { result: await readResult(file), file, labels };
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException)?.code === 'ENOENT' || (e as { cause?: NodeJS.ErrnoException })?.cause?.code === 'ENOENT';
      this.protocolResult = missing ? { file, labels } : { error: describeError(e), file, labels };
    }
    return this.protocolResult;
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

  /** Live updates while this video is scored: rows fill in as answers arrive. The saved result
   *  reaches the panel through the results index, like a result written by the CLI. */
  onPipelineEvent(event: PipelineEvent): void {
    switch (event.type) {
      case 'frames':
        this.frames = event.frames.map((f) => this.frameRef(f));
        void this.sendShow();
        break;
      case 'questions': {
        const shown = this.live?.questions ?? this.index.get(this.target.video)?.result?.questions ?? [];
        this.live = { prompt: event.questionSet.prompt, questions: mergeQuestionSet(shown, event.questionSet.questions) };
        void this.sendShow();
        break;
      }
      case 'phase':
        this.post('results/progress', { phase: event.phase, done: 0, total: 0 });
        break;
      case 'answer': {
        const live = (this.live ??= { prompt: '', questions: [] });
        const at = live.questions.findIndex((q) => q.id === event.question.id);
        if (at >= 0) live.questions[at] = event.question;
        else live.questions.push(event.question);
        const entry = this.index.get(this.target.video);
        const { questions, ...scores } = displayQuestions(live.questions, entry?.labels, this.weights(entry?.result ?? null));
        const question = questions.find((q) => q.id === event.question.id)!;
        this.post('results/answer', { question, scores });
        this.post('results/progress', { phase: 'answers', done: event.done, total: event.total });
        break;
      }
      case 'saved':
        this.live = undefined;
        this.pendingQuestionSet = undefined;
        this.post('results/progress', { phase: 'done', done: 0, total: 0 });
        // FingER's result reaches the panel through the index; another protocol's is read again.
        if (this.protocol !== 'finger') void this.sendShow();
        break;
    }
  }

  /** A score of this video ended without saving (failed, cancelled, or worse than the saved
   *  result): show the saved result again. */
  onScoreEnded(): void {
    if (!this.live) return;
    this.live = undefined;
    this.post('results/progress', { phase: 'done', done: 0, total: 0 });
    void this.sendShow();
  }

  /** The result on disk for this video (without overrides). */
  get currentResult(): Result | undefined {
    return this.protocol === 'finger' ? this.index.get(this.target.video)?.result : this.protocolResult?.result;
  }

  dispose(): void {
    this.isDisposed = true;
    this.disposed.fire();
    this.disposed.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** A new question set starts: answers of questions that are still asked are kept, the others
 *  start unanswered and show as pending until their answer arrives. */
function mergeQuestionSet(previous: readonly AnsweredQuestion[], questions: readonly Question[]): AnsweredQuestion[] {
  const byId = new Map(previous.map((q) => [q.id, q]));
  return questions.map((q) => {
    const old = byId.get(q.id);
    if (old && old.text === q.text && old.dimension === q.dimension && old.entity === q.entity) return { ...old, ...q };
    return { ...q, answer: null, reason: null, pYes: null, pNo: null, score: null, probabilitySource: null, error: null };
  });
}

export class ResultsPanelManager implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, ResultsPanel>();
  private lastActive: ResultsPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly host: Host,
    private readonly index: ResultsIndex,
    jobs: JobManager,
    private readonly commands: { rescore(panel: ResultsPanel): Promise<void> },
  ) {
    this.disposables.push(
      jobs.onPipelineEvent(({ target, protocol, event }) => this.get(target.video, protocol)?.onPipelineEvent(event)),
      index.onDidChange(({ videos }) => {
        // Labels are every protocol's; results in the index are FingER's.
        for (const v of videos) for (const p of this.all()) if (path.resolve(p.target.video) === path.resolve(v)) void p.sendShow();
      }),
      vscode.window.onDidChangeActiveColorTheme(() => {
        for (const p of this.panels.values()) void p.sendShow();
      }),
    );
  }

  /** The panel the user looked at last (live templates regenerate its video's questions). */
  get active(): ResultsPanel | undefined {
    return this.lastActive && this.panels.get(panelKey(this.lastActive.target.video, this.lastActive.protocol)) === this.lastActive
      ? this.lastActive
      : undefined;
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
    const existing = this.get(target.video, protocol);
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
      ResultsPanel.viewType,
      panelTitle(protocol, target.video),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: o.preserveFocus ?? true },
      { enableScripts: true, retainContextWhenHidden: true, enableFindWidget: true },
    );
    return this.adopt(panel, target, protocol);
  }

  private adopt(panel: vscode.WebviewPanel, target: VideoTarget, protocol: Protocol): ResultsPanel {
    const rp = new ResultsPanel(panel, target, this.host, this.index, this.commands, protocol);
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
    const open: OpenPanel[] = this.all().map((p) => ({
      workspaceFolder: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(p.target.workspaceRoot))?.name ?? '',
      relPath: p.target.relPath,
      protocol: p.protocol,
    }));
    return this.host.workspaceState.update(WorkspaceKeys.openPanels, open);
  }

  /** Window reload: the webview's saved state names its video (workspace folder + relative
   *  path); a panel restored without state gets the first remembered video not yet shown. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = RestoredResultsStateSchema.safeParse(state);
    const protocol = ProtocolSchema.safeParse(saved.data?.show.video.protocol).data ?? protocolOfTitle(panel.title);
    let video = saved.success ? resolveOpenPanel(saved.data.show.video) : undefined;
    // Which way the panel found its video, in the log: a restore that falls back to the title is
    // the first thing to look for when a reloaded panel shows the wrong video.
    if (video) this.host.logger.info(`Restoring the ${protocol} results panel of ${saved.data?.show.video.relPath} from its saved state.`);
    else {
      this.host.logger.info(`Restoring "${panel.title}" without a usable saved state: matching it by title.`);
      const remembered = this.host.workspaceState.get(WorkspaceKeys.openPanels, []).filter((p) => (p.protocol ?? 'finger') === protocol);
      video = remembered
        .map(resolveOpenPanel)
        .find((v) => v !== undefined && !this.get(v, protocol) && panel.title.endsWith(path.basename(v)));
    }
    if (!video || this.get(video, protocol)) {
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

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** The absolute path of a saved workspace-relative video that still exists: in the named
 *  workspace folder, else the first folder that has it. */
function resolveOpenPanel(p: { relPath: string; workspaceFolder?: string }): string | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const named = folders.filter((f) => f.name === p.workspaceFolder);
  for (const folder of named.length > 0 ? named : folders) {
    try {
      const video = fromWorkspaceRelative(folder.uri.fsPath, p.relPath);
      if (existsSync(video)) return video;
    } catch {
      // outside the folder: not a path we wrote
    }
  }
  return undefined;
}
