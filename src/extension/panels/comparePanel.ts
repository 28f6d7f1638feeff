// The Compare view (README, "Comparing models"): FingER: Compare Models in Folder opens a panel
// with the leaderboard of the folder's models; clicking a prompt opens a second panel with that
// prompt's clips side by side. Both render only what they are sent (shared/compare-protocol.ts) and
// post back intents (open a prompt, open a file). The statistics come from src/core/workbench.
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { cacheDir, fromWorkspaceRelative } from '../../core/store';
import { bestOfN, type BestOfNReport } from '../../core/workbench/best-of-n';
import { compareModels, type CompareReport } from '../../core/workbench/compare';
import type { Grouping } from '../../core/workbench/grouping';
import { loadGrouping } from '../../core/workbench/load';
import { sideBySide } from '../../core/workbench/side-by-side';
import { parseCompareWebviewMessage, type CompareExtensionMessage } from '../../shared/compare-protocol';
import type { FrameRef } from '../../shared/protocol';
import type { Host } from '../host';
import { workspaceRootOf } from '../locate';
import { extensionResourceRoots, themeKind, webviewHtml } from './webviewAssets';

export const COMPARE_VIEW_TYPE = 'finger.compare';
export const SIDE_BY_SIDE_VIEW_TYPE = 'finger.sideBySide';

interface Loaded {
  workspace: string;
  folder: string;
  grouping: Grouping;
  report: CompareReport;
  picks: BestOfNReport;
}

/** A webview panel that sends its first message once the page says it is ready. */
class ComparePage implements vscode.Disposable {
  private ready = false;
  private pending: CompareExtensionMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly host: Host,
    private readonly onCommand: (method: string, params: Record<string, string>) => void,
  ) {
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data) => {
        const parsed = parseCompareWebviewMessage(data);
        if (!parsed.ok) {
          host.logger.warn(`Ignored a malformed message from the Compare view: ${parsed.error}`);
          return;
        }
        if (parsed.message.method === 'compare/ready') {
          this.ready = true;
          if (this.pending) void panel.webview.postMessage(this.pending);
          this.pending = undefined;
          return;
        }
        onCommand(parsed.message.method, (parsed.message.params ?? {}) as Record<string, string>);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  send(message: CompareExtensionMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending = message;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export class ComparePanels implements vscode.Disposable {
  private compare: ComparePage | undefined;
  private side: ComparePage | undefined;
  private loaded: Loaded | undefined;

  constructor(private readonly host: Host) {}

  /** FingER: Compare Models in Folder. */
  async open(uri?: vscode.Uri): Promise<void> {
    const folder = uri?.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const workspace = folder ? workspaceRootOf(folder) : undefined;
    if (!folder || !workspace) {
      void vscode.window.showErrorMessage('FingER: open a folder of a workspace to compare the models in it.');
      return;
    }
    let loaded: Loaded;
    try {
      const { grouping, broken } = await loadGrouping(workspace, folder);
      for (const b of broken) this.host.logger.warn(`Compare: ${b.error} (left out)`);
      const report = compareModels(grouping);
      loaded = { workspace, folder, grouping, report, picks: bestOfN(grouping, { scope: 'all' }) };
    } catch (e) {
      void vscode.window.showErrorMessage(`FingER: ${describeError(e)}`);
      return;
    }
    this.loaded = loaded;
    const page = (this.compare ??= this.createPage(COMPARE_VIEW_TYPE, 'FingER: Compare', vscode.ViewColumn.Active, () => (this.compare = undefined)));
    page.panel.title = `FingER: Compare ${path.basename(folder)}`;
    page.panel.reveal();
    page.send({
      kind: 'notification',
      method: 'compare/show',
      params: {
        theme: themeKind(),
        folder: path.relative(workspace, folder).split(path.sep).join('/') || '.',
        report: loaded.report,
        picks: loaded.picks.picks.map((p) => ({ promptKey: p.promptKey, video: p.best.video })),
      },
    });
  }

  private createPage(viewType: string, title: string, column: vscode.ViewColumn, onGone: () => void): ComparePage {
    const extensionUri = this.host.context.extensionUri;
    const roots = [...extensionResourceRoots(extensionUri), ...(this.loaded ? [vscode.Uri.file(cacheDir(this.loaded.workspace, 'frames'))] : [])];
    const panel = vscode.window.createWebviewPanel(viewType, title, column, { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: roots });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'finger.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'compare', title);
    const page = new ComparePage(panel, this.host, (method, params) => void this.command(method, params));
    panel.onDidDispose(onGone);
    return page;
  }

  private async command(method: string, params: Record<string, string>): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return;
    if (method === 'compare/openPrompt') {
      const group = loaded.grouping.prompts.find((g) => g.key === params.key);
      if (!group) return;
      const page = (this.side ??= this.createPage(SIDE_BY_SIDE_VIEW_TYPE, 'FingER: Side by side', vscode.ViewColumn.Beside, () => (this.side = undefined)));
      page.panel.title = `FingER: ${group.key}`;
      page.panel.reveal(vscode.ViewColumn.Beside);
      const view = sideBySide(group);
      const pick = loaded.picks.picks.find((p) => p.promptKey === group.key)?.best.video;
      const clips = await Promise.all(
        view.clips.map(async (c, i) => ({ ...c, picked: c.video === pick, frames: await this.frames(page, loaded.workspace, group.clips[i]!.result) })),
      );
      page.send({ kind: 'notification', method: 'compare/sideBySide', params: { theme: themeKind(), view: { ...view, clips } } });
    } else if (method === 'compare/openFile') {
      try {
        const file = fromWorkspaceRelative(loaded.workspace, params.relPath ?? '');
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
      } catch (e) {
        void vscode.window.showWarningMessage(`FingER: ${describeError(e)}`);
      }
    }
  }

  /** Frames of the clip from the frame cache, as webview URIs (no ffmpeg run to show them). */
  private async frames(page: ComparePage, workspace: string, r: { video: { sha256: string }; sampling: { fps: number; maxFrames: number; maxPixels: number } }): Promise<FrameRef[]> {
    try {
      const video = await import('../../core/video');
      const folder = path.join(cacheDir(workspace, 'frames'), video.frameCacheKey(r.video.sha256, r.sampling));
      const index = JSON.parse(await readFile(path.join(folder, 'index.json'), 'utf8')) as { frames?: { timeSec: number; file: string }[] };
      return (index.frames ?? [])
        .filter((f) => typeof f.file === 'string' && /^[\w.-]+\.jpg$/.test(f.file))
        .map((f) => ({ timeSec: f.timeSec, uri: page.panel.webview.asWebviewUri(vscode.Uri.file(path.join(folder, f.file))).toString() }));
    } catch {
      return [];
    }
  }

  dispose(): void {
    this.compare?.panel.dispose();
    this.side?.panel.dispose();
  }
}
