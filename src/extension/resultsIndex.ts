// Every scored video of the workspace, kept current by FileSystemWatchers on the results and labels
// folders, so results written by the CLI (or edited by hand) show up in the side panel and the
// prompt-file annotations without a reload.
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { isInsideRelative, labelsPathFor, listResults, readLabels, readResult, resultPathFor, videoRelPathOfResult } from '../core/store';
import type { Labels, Result } from '../core/types';
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
}

/** How often the safety-net scan runs (see pollForMissedEvents). */
const POLL_MS = 3000;

export class ResultsIndex implements vscode.Disposable {
  private readonly entries = new Map<string, IndexedResult>();
  private readonly changed = new vscode.EventEmitter<{ videos: string[] }>();
  /** Fired with the absolute video paths whose result or labels changed (or were deleted). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private watchers: vscode.Disposable[] = [];
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly host: Host) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rebuild()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('finger.resultsFolder')) this.rebuild();
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
    for (const folder of folders) {
      const root = folder.uri.fsPath;
      const resultsFolder = this.resultsFolder(root);
      const results = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${resultsFolder}/**/*.json`));
      const onResult = (uri: vscode.Uri) => void this.serial(() => this.reloadResultFile(root, uri.fsPath));
      const labels = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.finger/labels/**/*.json'));
      const onLabels = (uri: vscode.Uri) => void this.serial(() => this.reloadLabelsFile(root, uri.fsPath));
      // inotify misses files written right after their folder is created (mkdir -p + write, as the
      // CLI and the store do for a first result); a new folder under .finger/ triggers a rescan.
      const folders = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.finger/**'), false, true, true);
      this.watchers.push(
        this.pollForMissedEvents(root, onResult, onLabels),
        folders,
        folders.onDidCreate((uri) => {
          if (!uri.fsPath.endsWith('.json')) this.scheduleRescan(root);
        }),
        results,
        results.onDidCreate(onResult),
        results.onDidChange(onResult),
        results.onDidDelete(onResult),
        labels,
        labels.onDidCreate(onLabels),
        labels.onDidChange(onLabels),
        labels.onDidDelete(onLabels),
      );
    }
    this.ready = this.serial(async () => {
      for (const folder of folders) {
        const root = folder.uri.fsPath;
        for (const listed of await listResults(root, this.resultsFolder(root))) {
          const video = path.resolve(root, listed.videoRelPath);
          this.entries.set(video, {
            video,
            workspaceRoot: root,
            relPath: listed.videoRelPath,
            file: listed.file,
            result: listed.result,
            error: listed.error,
            labels: await readLabels(root, video).catch(() => null),
          });
        }
      }
      this.changed.fire({ videos: [...new Set([...before, ...this.entries.keys()])] });
    }).catch((e) => this.host.logger.error(`Could not list results: ${describeError(e)}`));
  }

  private readonly rescans = new Map<string, NodeJS.Timeout>();

  /**
   * A safety net under the file watcher, which can miss events (inotify and files written right
   * after their folder was made; a loaded remote host): every few seconds, compare the size and
   * modification time of the result and label files with what was seen last, and reload only
   * the files that differ. A stat per file, nothing read unless it changed.
   */
  private pollForMissedEvents(root: string, onResult: (uri: vscode.Uri) => void, onLabels: (uri: vscode.Uri) => void): vscode.Disposable {
    const seen = new Map<string, string>();
    let first = true;
    const scan = async (dir: string, onFile: (uri: vscode.Uri) => void, stamps: Map<string, string>) => {
      let names: string[];
      try {
        names = (await readdir(dir, { recursive: true })).map(String).filter((n) => n.endsWith('.json'));
      } catch {
        names = [];
      }
      const now = new Set<string>();
      for (const n of names) {
        const file = path.join(dir, n);
        now.add(file);
        const st = await stat(file).catch(() => undefined);
        const stamp = st ? `${st.size}:${st.mtimeMs}` : 'gone';
        if (stamps.get(file) !== stamp && !first) onFile(vscode.Uri.file(file));
        stamps.set(file, stamp);
      }
      for (const file of [...stamps.keys()]) {
        if (file.startsWith(dir + path.sep) && !now.has(file)) {
          stamps.delete(file);
          if (!first) onFile(vscode.Uri.file(file));
        }
      }
      return now;
    };
    // A file the watcher reported created but not deleted, all between two scans, was never
    // stamped: compare with what the index holds too, so its deletion is not missed.
    const reconcile = (results: Set<string>, labels: Set<string>) => {
      for (const e of this.entries.values()) {
        if (e.workspaceRoot !== root) continue;
        if (!results.has(e.file) && !seen.has(e.file)) onResult(vscode.Uri.file(e.file));
        const labelsFile = labelsPathFor(root, e.video);
        if (e.labels && !labels.has(labelsFile) && !seen.has(labelsFile)) onLabels(vscode.Uri.file(labelsFile));
      }
    };
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void (async () => {
        const results = await scan(path.join(root, this.resultsFolder(root)), onResult, seen);
        const labels = await scan(path.join(root, '.finger', 'labels'), onLabels, seen);
        if (!first) reconcile(results, labels);
        first = false;
      })().finally(() => (running = false));
    }, POLL_MS);
    return { dispose: () => clearInterval(timer) };
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

  private scheduleRescan(root: string): void {
    clearTimeout(this.rescans.get(root));
    this.rescans.set(
      root,
      setTimeout(() => {
        this.rescans.delete(root);
        void this.serial(() => this.rescan(root));
      }, 300),
    );
  }

  /** Re-lists one workspace folder's results and labels; fires for what changed. */
  async rescan(root: string): Promise<void> {
    const listed = await listResults(root, this.resultsFolder(root));
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const l of listed) {
      const video = path.resolve(root, l.videoRelPath);
      seen.add(video);
      const labels = await readLabels(root, video).catch(() => null);
      const next: IndexedResult = { video, workspaceRoot: root, relPath: l.videoRelPath, file: l.file, result: l.result, error: l.error, labels };
      const prev = this.entries.get(video);
      if (!prev || JSON.stringify([prev.result, prev.error, prev.labels]) !== JSON.stringify([next.result, next.error, next.labels])) changed.push(video);
      this.entries.set(video, next);
    }
    for (const [video, e] of this.entries) {
      if (e.workspaceRoot === root && !seen.has(video)) {
        this.entries.delete(video);
        changed.push(video);
      }
    }
    if (changed.length > 0) this.changed.fire({ videos: changed });
  }

  /** Re-reads one video's result now (after a score, without waiting for the watcher). */
  async refresh(video: string, workspaceRoot: string): Promise<IndexedResult | undefined> {
    await this.serial(() => this.reloadResultFile(workspaceRoot, this.resultFileFor(video, workspaceRoot)));
    return this.get(video);
  }

  private async reloadResultFile(root: string, file: string): Promise<void> {
    const relPath = videoRelPathOfResult(root, file, this.resultsFolder(root));
    if (!relPath) return;
    const video = path.resolve(root, relPath);
    let result: Result | undefined;
    let error: string | undefined;
    try {
      result = await readResult(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code === 'ENOENT' || (e as { cause?: NodeJS.ErrnoException })?.cause?.code === 'ENOENT') {
        // Only a deletion is news; firing for a result that never existed would make listeners
        // that re-read on change (the results panel) loop.
        if (this.entries.delete(video)) this.changed.fire({ videos: [video] });
        return;
      }
      error = describeError(e);
      this.host.logger.warn(error);
    }
    const labels = await readLabels(root, video).catch(() => null);
    this.entries.set(video, { video, workspaceRoot: root, relPath, file, result, error, labels });
    this.changed.fire({ videos: [video] });
  }

  private async reloadLabelsFile(root: string, file: string): Promise<void> {
    const rel = path.relative(path.join(root, '.finger', 'labels'), file);
    if (!isInsideRelative(rel) || !rel.endsWith('.json')) return;
    const video = path.resolve(root, rel.slice(0, -'.json'.length));
    const entry = this.entries.get(video);
    if (entry) entry.labels = await readLabels(root, video).catch(() => null);
    this.changed.fire({ videos: [video] });
  }

  /** Labels of a video, read fresh (after an override was saved). */
  async labelsOf(video: string, workspaceRoot: string): Promise<Labels | null> {
    const labels = await readLabels(workspaceRoot, video).catch(() => null);
    const entry = this.entries.get(path.resolve(video));
    if (entry) entry.labels = labels;
    return labels;
  }

  dispose(): void {
    for (const t of this.rescans.values()) clearTimeout(t);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
