// The FingER test controller (README.md, "The Testing view"): every video of the workspace in the
// Test Explorer, grouped by folder, with one child per dimension. Running a test scores the video
// with the protocol of `finger.protocol` (or reads its result when it is current) and passes
// or fails it against `finger.gate.*`. A failure's TestMessage holds the failing questions with
// answers and reasons, located at the entity in the prompt file (annotations/compute.ts finds the
// words), so the peek view, the gutter and re-running failed tests work as they do for unit tests.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { describeFailure, describeQuestion, evaluateClip, type ClipVerdict, type GateThresholds } from '../../core/gate';
import { protocolResultPathFor } from '../../core/protocols';
import { gateFromSettings, signalOverridesFromSettings } from '../../core/settings';
import { resolveThresholds, thresholdsHash } from '../../core/signals';
import { readResultIfExists } from '../../core/store';
import {
  DIMENSION_LABELS,
  DIMENSIONS,
  isVideoPath,
  ProtocolSchema,
  VIDEO_EXTENSIONS,
  type AnsweredQuestion,
  type Dimension,
  type Protocol,
  type Result,
} from '../../core/types';
import { findEntitySpans, promptRegion } from '../annotations/compute';
import { requireTrust, type Host } from '../host';
import type { JobManager } from '../jobs';
import { promptLocationOf, toTarget, type VideoTarget } from '../locate';
import { CONFIG_SECTION } from '../settings';

/** Dimensions the signals protocol measures (signals/thresholds.ts, SIGNAL_DIMENSION). */
const SIGNALS_DIMENSIONS: readonly Dimension[] = ['visual_quality', 'temporal_consistency', 'dynamic_degree'];

/** What a run decided, per test item id (the extension-host tests read it). */
export interface RecordedOutcome {
  state: 'passed' | 'failed' | 'errored' | 'skipped';
  messages: { text: string; location?: { uri: string; start: number; end: number; line: number } }[];
}

export class FingerTestController implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly disposables: vscode.Disposable[] = [];
  /** Outcome of every item in the last run, by item id. */
  readonly lastRun = new Map<string, RecordedOutcome>();

  constructor(
    private readonly host: Host,
    private readonly jobs: JobManager,
  ) {
    this.controller = vscode.tests.createTestController('finger', 'FingER');
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = async () => this.discover();
    this.controller.createRunProfile('Score', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher(`**/*.{${VIDEO_EXTENSIONS.join(',')}}`);
    this.disposables.push(
      this.controller,
      watcher,
      watcher.onDidCreate(() => this.discover()),
      watcher.onDidDelete(() => this.discover()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.protocol`)) void this.discover();
      }),
    );
  }

  private protocol(scope?: vscode.Uri): Protocol {
    const raw = vscode.workspace.getConfiguration(CONFIG_SECTION, scope).get<string>('protocol', 'finger');
    const parsed = ProtocolSchema.safeParse(raw);
    return parsed.success ? parsed.data : 'finger';
  }

  /** Folder items, video items and one child per dimension, from the videos in the workspace. */
  async discover(): Promise<void> {
    const files = await vscode.workspace.findFiles(`**/*.{${VIDEO_EXTENSIONS.join(',')}}`, '**/{node_modules,.finger,.git}/**', 5000);
    const folders = new Map<string, vscode.TestItem>();
    const roots: vscode.TestItem[] = [];
    const targets = files
      .filter((f) => isVideoPath(f.fsPath))
      .flatMap((f) => {
        try {
          return [toTarget(f.fsPath)];
        } catch {
          return [];
        }
      });
    targets.sort((a, b) => a.relPath.localeCompare(b.relPath));
    const folderItem = (target: VideoTarget): vscode.TestItem | undefined => {
      const dir = path.posix.dirname(target.relPath);
      if (dir === '.') return undefined;
      const id = `folder:${target.workspaceRoot}:${dir}`;
      let item = folders.get(id);
      if (!item) {
        item = this.controller.createTestItem(id, dir, vscode.Uri.file(path.join(target.workspaceRoot, dir)));
        folders.set(id, item);
        roots.push(item);
      }
      return item;
    };
    for (const target of targets) {
      const protocol = this.protocol(vscode.Uri.file(target.video));
      const video = this.controller.createTestItem(target.video, path.posix.basename(target.relPath), vscode.Uri.file(target.video));
      video.description = protocol === 'finger' ? undefined : protocol;
      for (const d of protocol === 'signals' ? SIGNALS_DIMENSIONS : DIMENSIONS) {
        video.children.add(this.controller.createTestItem(`${target.video}#${d}`, DIMENSION_LABELS[d], vscode.Uri.file(target.video)));
      }
      const parent = folderItem(target);
      if (parent) parent.children.add(video);
      else roots.push(video);
    }
    this.controller.items.replace(roots);
  }

  /** The videos a request is about: folders expand to their videos; a dimension to its video. */
  private videosOf(request: vscode.TestRunRequest): { video: vscode.TestItem; only?: Dimension }[] {
    const out = new Map<string, { video: vscode.TestItem; only?: Dimension }>();
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const visit = (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      if (item.id.startsWith('folder:')) {
        item.children.forEach(visit);
      } else if (item.id.includes('#')) {
        const videoItem = item.parent;
        if (videoItem && !out.has(videoItem.id)) out.set(videoItem.id, { video: videoItem, only: item.id.split('#').pop() as Dimension });
      } else {
        out.set(item.id, { video: item });
      }
    };
    if (request.include) request.include.forEach(visit);
    else this.controller.items.forEach(visit);
    return [...out.values()];
  }

  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    this.lastRun.clear();
    try {
      for (const { video, only } of this.videosOf(request)) {
        if (token.isCancellationRequested) break;
        const children: vscode.TestItem[] = [];
        video.children.forEach((c) => {
          if (!only || c.id.endsWith(`#${only}`)) children.push(c);
        });
        run.started(video);
        for (const c of children) run.started(c);
        const started = Date.now();
        try {
          const verdict = await this.verdictFor(video.id, token);
          const duration = Date.now() - started;
          if (!verdict) {
            this.record(run, video, 'skipped', []);
            for (const c of children) this.record(run, c, 'skipped', []);
            continue;
          }
          await this.report(run, video, children, verdict, duration);
        } catch (e) {
          const message = new vscode.TestMessage(describeError(e));
          this.record(run, video, 'errored', [message], Date.now() - started);
          for (const c of children) this.record(run, c, 'errored', [message]);
        }
      }
    } finally {
      run.end();
    }
  }

  /** The gate over the video's current result; scores it first when there is none or it is stale. */
  private async verdictFor(video: string, token: vscode.CancellationToken): Promise<ClipVerdict | undefined> {
    const target = toTarget(video);
    const scope = vscode.Uri.file(video);
    const protocol = this.protocol(scope);
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
    const get = (key: string) => config.get(key);
    const thresholds: GateThresholds = gateFromSettings(get);
    const signalThresholds = resolveThresholds(signalOverridesFromSettings(get));
    const resultsDir = this.host.settingsForDisplay(scope).resultsFolder;
    const resultFile = protocolResultPathFor(protocol, target.workspaceRoot, video, resultsDir);
    let result = await this.currentResult(resultFile, video, protocol === 'signals' ? thresholdsHash(signalThresholds) : undefined);
    if (!result) {
      if (!requireTrust(this.host)) return undefined;
      result = await this.score(target, protocol, resultsDir, signalThresholds, token);
    }
    return evaluateClip({ video: target.relPath, protocol, result }, thresholds);
  }

  /** A saved result that is newer than the video (and, for signals, made with these thresholds). */
  private async currentResult(resultFile: string, video: string, signalsHash?: string): Promise<Result | null> {
    const result = await readResultIfExists(resultFile).catch(() => null);
    if (!result) return null;
    try {
      const [r, v] = await Promise.all([stat(resultFile), stat(video)]);
      if (r.mtimeMs < v.mtimeMs) return null;
    } catch {
      return null;
    }
    if (signalsHash && result.judge?.templateHash !== signalsHash) return null;
    return result;
  }

  private async score(
    target: VideoTarget,
    protocol: Protocol,
    resultsDir: string,
    thresholds: ReturnType<typeof resolveThresholds>,
    token: vscode.CancellationToken,
  ): Promise<Result | null> {
    if (protocol === 'finger') {
      // Through the job manager, like Score Video: progress, cancel, and the panels follow.
      const [outcome] = await this.jobs.score([{ target }], `Testing ${target.relPath}`);
      if (outcome?.error) throw new Error(outcome.error);
      return outcome?.outcome?.result ?? null;
    }
    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      const { scoreVideo } = await import('../../core/pipeline');
      const settings = await this.host.settings(vscode.Uri.file(target.video));
      const out = await scoreVideo({
        protocol,
        videoPath: target.video,
        workspaceRoot: target.workspaceRoot,
        resultsDir,
        settings: settings.eval,
        ...(settings.softScore ? { softScore: settings.softScore } : {}),
        signal: controller.signal,
        signalThresholds: thresholds,
      });
      return out.result;
    } finally {
      sub.dispose();
    }
  }

  private async report(
    run: vscode.TestRun,
    video: vscode.TestItem,
    children: vscode.TestItem[],
    v: ClipVerdict,
    duration: number,
  ): Promise<void> {
    const target = toTarget(video.id);
    const prompt = v.result && v.result.protocol !== 'signals' ? await this.promptDocument(target) : undefined;
    const messagesFor = (failures: ClipVerdict['failures'], questions: AnsweredQuestion[]): vscode.TestMessage[] => {
      const head = failures.map(describeFailure).join(', ');
      if (questions.length === 0) return [new vscode.TestMessage(v.error ? `could not be scored: ${v.error}` : `below the gate: ${head}`)];
      return questions.map((q) => {
        const m = new vscode.TestMessage(`below the gate: ${head}\n${describeQuestion(q)}`);
        const location = prompt ? entityLocation(prompt, v.result!.prompt, q.entity) : undefined;
        if (location) m.location = location;
        return m;
      });
    };
    if (v.pass) this.record(run, video, 'passed', [], duration);
    else this.record(run, video, 'failed', messagesFor(v.failures, v.worst), duration);
    for (const c of children) {
      const dim = c.id.split('#').pop() as Dimension;
      const failure = v.failures.find((f) => f.key === dim);
      if (v.error) this.record(run, c, 'failed', messagesFor([], []));
      else if (!failure) this.record(run, c, 'passed', []);
      else
        this.record(
          run,
          c,
          'failed',
          messagesFor(
            [failure],
            (v.result?.questions ?? [])
              .filter((q) => q.dimension === dim && (q.score === null || q.score < 0.5))
              .sort((a, b) => (a.score ?? -1) - (b.score ?? -1))
              .slice(0, 3),
          ),
        );
    }
  }

  private record(
    run: vscode.TestRun,
    item: vscode.TestItem,
    state: RecordedOutcome['state'],
    messages: vscode.TestMessage[],
    duration?: number,
  ): void {
    const text = (m: vscode.TestMessage) => (typeof m.message === 'string' ? m.message : m.message.value);
    this.lastRun.set(item.id, {
      state,
      messages: messages.map((m) => ({
        text: text(m),
        ...(m.location
          ? {
              location: {
                uri: m.location.uri.fsPath,
                line: m.location.range.start.line,
                start: m.location.range.start.character,
                end: m.location.range.end.character,
              },
            }
          : {}),
      })),
    });
    if (state === 'passed') run.passed(item, duration);
    else if (state === 'failed') run.failed(item, messages, duration);
    else if (state === 'errored') run.errored(item, messages, duration);
    else run.skipped(item);
  }

  private async promptDocument(target: VideoTarget): Promise<vscode.TextDocument | undefined> {
    const loc = await promptLocationOf(target);
    if (!loc) return undefined;
    try {
      return await vscode.workspace.openTextDocument(vscode.Uri.file(loc.file));
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Where the entity is named in the prompt file (the first place), else the prompt itself. */
function entityLocation(doc: vscode.TextDocument, prompt: string, entity: string): vscode.Location {
  const text = doc.getText();
  const region = promptRegion(text, prompt);
  const span = (entity ? findEntitySpans(text, entity, region)[0] : undefined) ?? region;
  return new vscode.Location(doc.uri, new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end)));
}
