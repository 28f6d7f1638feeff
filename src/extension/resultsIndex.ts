// Every scored video of the workspace, and the one source of change events for the views: the
// results panels, the side panel and the prompt-file annotations all listen to onDidChange and
// read what to show from here, so data flows one way (pipeline → store → this index → views; see
// docs/ARCHITECTURE.md). Each entry carries its result as displayed (overrides and the weights from
// settings applied), computed once when the entry changes, so every view shows the same numbers.
//
// Freshness has one mechanism: FileSystemWatchers on the results and labels folders reload the
// file an event names, and a reconcile pass compares the files' size and modification time with
// what was seen last, for the events a watcher misses (inotify and files written right after their
// folder was made; a loaded remote host). The pass runs shortly after a folder appears and on a
// timer that backs off while the watcher is keeping up. Whatever the trigger, an event fires only
// when a video's result, error, labels or displayed scores really changed.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { isInsideRelative, labelsPathFor, listResults, readLabels, readResult, resultPathFor, videoRelPathOfResult } from '../core/store';
import type { Labels, Result } from '../core/types';
import { applyOverridesToResult, type DisplayedResult } from '../shared/display';
import { FINGER_PATHS } from '../shared/model';
import type { Host } from './host';

export interface IndexedResult {
  /** Absolute path of the video (it may no longer exist). */
  video: string;
  workspaceRoot: string;
  relPath: string;
  file: string;
  result?: Result;
  /** The result file could not be read (the message names the file and what to do). */
  error?: string;
  labels: Labels | null;
  /** `result` as every view shows it: overrides applied, scored with the weights from settings. */
  displayed?: DisplayedResult;
}

/** The reconcile timer: from MIN while it finds what the watcher missed, doubling up to MAX while
 *  the watcher keeps up. */
const RECONCILE_MIN_MS = 2000;
const RECONCILE_MAX_MS = 30_000;
/** After a folder appeared under a watched folder: its files may have been written unseen. */
const RECONCILE_SOON_MS = 300;

export class ResultsIndex implements vscode.Disposable {
  private readonly entries = new Map<string, IndexedResult>();
  private readonly changed = new vscode.EventEmitter<{ videos: string[] }>();
  /** Fired with the absolute video paths whose result, labels or displayed scores changed (or
   *  that were deleted); never for a reload that found the same content. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];
  private ready: Promise<void> = Promise.resolve();
  /** Size and modification time of every result and labels file the reconcile pass saw. */
  private readonly stamps = new Map<string, string>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconcileDelay = RECONCILE_MIN_MS;
  private readonly soon = new Map<string, NodeJS.Timeout>();

  constructor(private readonly host: Host) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('finger.resultsFolder')) this.rebuild();
        if (e.affectsConfiguration('finger.weights')) void this.serial(async () => this.redisplayAll());
      }),
    );
    this.rebuild();
  }

  resultsFolder(workspaceRoot: string): string {
    return this.host.settingsForDisplay(vscode.Uri.file(workspaceRoot)).resultsFolder;
  }

  resultFileFor(video: string, workspaceRoot: string): string {
    return resultPathFor(workspaceRoot, video, this.resultsFolder(workspaceRoot));
  }

  /** Resolves once the initial scan is done. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Resolves once every read queued so far is done (and its event fired). */
  whenIdle(): Promise<void> {
    return this.serial(async () => undefined);
  }

  all(): IndexedResult[] {
    return [...this.entries.values()].sort((a, b) => a.relPath.localeCompare(b.relPath));
  }

  get(video: string): IndexedResult | undefined {
    return this.entries.get(path.resolve(video));
  }

  /** Folders and their results folders that the watchers were made for. */
  private watched = '';

  private rebuild(): void {
    const folders = vscode.workspace.workspaceFolders ?? [];
    // Settings events can claim to affect every key (e.g. when settings.json is first written);
    // re-creating the watchers then would drop file events that arrive meanwhile.
    const watched = JSON.stringify(folders.map((f) => [f.uri.fsPath, this.resultsFolder(f.uri.fsPath)]));
    if (watched === this.watched) return;
    this.watched = watched;
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const before = [...this.entries.keys()];
    this.entries.clear();
    this.stamps.clear();
    for (const folder of folders) {
      const root = folder.uri.fsPath;
      this.watchFolder(folder, this.resultsFolder(root), (file) => this.reloadResultFile(root, file));
      this.watchFolder(folder, FINGER_PATHS.labels, (file) => this.reloadLabelsFile(root, file));
    }
    this.ready = this.serial(async () => {
      for (const folder of folders) {
        const root = folder.uri.fsPath;
        for (const listed of await listResults(root, this.resultsFolder(root))) {
          const video = path.resolve(root, listed.videoRelPath);
          const labels = await readLabels(root, video).catch(() => null);
          this.entries.set(
            video,
            this.entry({
              video,
              workspaceRoot: root,
              relPath: listed.videoRelPath,
              file: listed.file,
              result: listed.result,
              error: listed.error,
              labels,
            }),
          );
        }
        await this.scanStamps(root);
      }
      const videos = [...new Set([...before, ...this.entries.keys()])];
      if (videos.length > 0) this.changed.fire({ videos });
    }).catch((e) => this.host.logger.error(`Could not list results: ${describeError(e)}`));
    this.scheduleReconcile(RECONCILE_MIN_MS);
  }

  /** One watcher over a folder: a JSON file's event reloads that file; anything else (a folder was
   *  made) runs the reconcile pass soon, for files written before the watcher saw their folder. */
  private watchFolder(folder: vscode.WorkspaceFolder, relFolder: string, reload: (file: string) => Promise<unknown>): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${relFolder}/**`));
    const onEvent = (uri: vscode.Uri) => {
      if (uri.fsPath.endsWith('.json')) void this.serial(() => reload(uri.fsPath));
      else this.reconcileSoon(folder.uri.fsPath);
    };
    this.watchers.push(watcher, watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent));
  }

  private reconcileSoon(root: string): void {
    clearTimeout(this.soon.get(root));
    this.soon.set(
      root,
      setTimeout(() => {
        this.soon.delete(root);
        void this.serial(() => this.reconcile(root));
      }, RECONCILE_SOON_MS),
    );
  }

  private disposed = false;

  private scheduleReconcile(delay: number): void {
    clearTimeout(this.reconcileTimer);
    if (this.disposed) return;
    this.reconcileTimer = setTimeout(() => {
      void this.serial(async () => {
        let missed = false;
        for (const folder of vscode.workspace.workspaceFolders ?? []) missed = (await this.reconcile(folder.uri.fsPath)) || missed;
        this.reconcileDelay = missed ? RECONCILE_MIN_MS : Math.min(RECONCILE_MAX_MS, this.reconcileDelay * 2);
      }).finally(() => this.scheduleReconcile(this.reconcileDelay));
    }, delay);
  }

  /** The JSON files under a folder with their size and modification time. */
  private async stampsUnder(dir: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let names: string[];
    try {
      names = (await readdir(dir, { recursive: true })).map(String).filter((n) => n.endsWith('.json'));
    } catch {
      return out;
    }
    for (const n of names) {
      const file = path.join(dir, n);
      const st = await stat(file).catch(() => undefined);
      if (st) out.set(file, `${st.size}:${st.mtimeMs}`);
    }
    return out;
  }

  private async scanStamps(root: string): Promise<{ results: Map<string, string>; labels: Map<string, string> }> {
    const results = await this.stampsUnder(path.join(root, this.resultsFolder(root)));
    const labels = await this.stampsUnder(path.join(root, ...FINGER_PATHS.labels.split('/')));
    for (const [file, stamp] of [...results, ...labels]) this.stamps.set(file, stamp);
    return { results, labels };
  }

  /**
   * The reconcile pass over one workspace folder: reloads every result or labels file whose size
   * or modification time differs from what was seen last, and every indexed one that is gone. A
   * stat per file; nothing is read unless it changed. True when it found a change of content.
   */
  private async reconcile(root: string): Promise<boolean> {
    const before = new Map(this.stamps);
    const { results, labels } = await this.scanStamps(root);
    let missed = false;
    const reload = async (file: string, now: Map<string, string>, load: (file: string) => Promise<boolean>) => {
      if (before.get(file) !== now.get(file)) missed = (await load(file)) || missed;
    };
    for (const file of results.keys()) await reload(file, results, (f) => this.reloadResultFile(root, f));
    for (const file of labels.keys()) await reload(file, labels, (f) => this.reloadLabelsFile(root, f));
    for (const e of [...this.entries.values()]) {
      if (e.workspaceRoot !== root) continue;
      if (!results.has(e.file)) {
        this.stamps.delete(e.file);
        missed = (await this.reloadResultFile(root, e.file)) || missed;
      }
      const labelsFile = labelsPathFor(root, e.video);
      if (e.labels && !labels.has(labelsFile)) {
        this.stamps.delete(labelsFile);
        missed = (await this.reloadLabelsFile(root, labelsFile)) || missed;
      }
    }
    return missed;
  }

  /**
   * Every read of the results and labels folders goes through this queue, in the order the events
   * came. Run concurrently, a slow read for a "change" could finish after the read for the
   * "delete" that followed it and bring a deleted result back (or a rescan could overwrite a newer
   * state); one at a time, the last event's read always has the last word.
   */
  private queue: Promise<unknown> = Promise.resolve();
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Re-reads one video's result now (after a score, without waiting for the watcher); fires only
   *  when it differs from what the index held. */
  async refresh(video: string, workspaceRoot: string): Promise<IndexedResult | undefined> {
    await this.serial(() => this.reloadResultFile(workspaceRoot, this.resultFileFor(video, workspaceRoot)));
    return this.get(video);
  }

  /** Re-reads one video's labels now (after an override was saved); fires only when they changed. */
  async refreshLabels(video: string, workspaceRoot: string): Promise<IndexedResult | undefined> {
    await this.serial(() => this.reloadLabelsFile(workspaceRoot, labelsPathFor(workspaceRoot, video)));
    return this.get(video);
  }

  /** The entry with its displayed result computed (the weights of the entry's workspace folder). */
  private entry(e: Omit<IndexedResult, 'displayed'>): IndexedResult {
    if (!e.result) return e;
    const weights = this.host.settingsForDisplay(vscode.Uri.file(e.workspaceRoot)).eval.weights;
    return { ...e, displayed: applyOverridesToResult(e.result, e.labels, weights) };
  }

  /** Sets an entry (or deletes it, with `next` undefined) and fires when its content changed. */
  private put(video: string, next: IndexedResult | undefined): boolean {
    const prev = this.entries.get(video);
    if (next) this.entries.set(video, next);
    else if (!this.entries.delete(video)) return false;
    if (prev && next && signature(prev) === signature(next)) return false;
    this.changed.fire({ videos: [video] });
    return true;
  }

  private redisplayAll(): void {
    const videos: string[] = [];
    for (const [video, e] of this.entries) {
      const next = this.entry(e);
      if (JSON.stringify(next.displayed) !== JSON.stringify(e.displayed)) videos.push(video);
      this.entries.set(video, next);
    }
    if (videos.length > 0) this.changed.fire({ videos });
  }

  private async reloadResultFile(root: string, file: string): Promise<boolean> {
    const relPath = videoRelPathOfResult(root, file, this.resultsFolder(root));
    if (!relPath) return false;
    const video = path.resolve(root, relPath);
    let result: Result | undefined;
    let error: string | undefined;
    try {
      result = await readResult(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code === 'ENOENT' || (e as { cause?: NodeJS.ErrnoException })?.cause?.code === 'ENOENT') {
        this.stamps.delete(file);
        return this.put(video, undefined);
      }
      error = describeError(e);
      this.host.logger.warn(error);
    }
    const labels = await readLabels(root, video).catch(() => null);
    return this.put(video, this.entry({ video, workspaceRoot: root, relPath, file, result, error, labels }));
  }

  private async reloadLabelsFile(root: string, file: string): Promise<boolean> {
    const rel = path.relative(path.join(root, ...FINGER_PATHS.labels.split('/')), file);
    if (!isInsideRelative(rel) || !rel.endsWith('.json')) return false;
    const video = path.resolve(root, rel.slice(0, -'.json'.length));
    const entry = this.entries.get(video);
    if (!entry) return false; // labels of a video without a result: nothing shows them
    const labels = await readLabels(root, video).catch(() => null);
    return this.put(video, this.entry({ ...entry, labels }));
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.reconcileTimer);
    for (const t of this.soon.values()) clearTimeout(t);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** What a view shows of an entry: equal signatures render the same. */
function signature(e: IndexedResult): string {
  return JSON.stringify([e.file, e.result ?? null, e.error ?? null, e.labels, e.displayed ?? null]);
}
