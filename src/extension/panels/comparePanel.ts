// The Compare view (README, "Comparing models"): FingER: Compare Models in Folder opens a panel
// with the leaderboard of the folder's models; clicking a prompt opens a second panel with that
// prompt's clips side by side. Both render only what they are sent (src/shared/protocols/compare.ts) and
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
import { relativePosix } from '../../shared/paths';
import { compareProtocol, type CompareToHost, type CompareToWebview } from '../../shared/protocols/compare';
import type { FrameRef } from '../../shared/protocols/results';
import type { Host } from '../host';
import { workspaceRootOf } from '../locate';
import { themeKind, WebviewController } from '../webview/controller';
import { COMPARE_VIEW_TYPE, SIDE_BY_SIDE_VIEW_TYPE } from './viewTypes';

interface Loaded {
  workspace: string;
  folder: string;
  grouping: Grouping;
  report: CompareReport;
  picks: BestOfNReport;
}

type CompareHandlers = ConstructorParameters<typeof WebviewController<CompareToWebview, CompareToHost, 'compare/ready'>>[2]['handlers'];

/** One page of the Compare view (the leaderboard, or one prompt's clips side by side): a webview
 *  panel and its connection (src/extension/webview/controller.ts). */
class ComparePage implements vscode.Disposable {
  readonly controller: WebviewController<CompareToWebview, CompareToHost, 'compare/ready'>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    host: Host,
    extraResourceRoots: vscode.Uri[],
    handlers: CompareHandlers,
  ) {
    this.controller = new WebviewController(host, panel.webview, {
      protocol: compareProtocol,
      bundle: 'compare',
      title: panel.title,
      extraResourceRoots,
      latestOnly: ['compare/show', 'compare/sideBySide', 'compare/error'],
      handlers,
    });
    panel.onDidDispose(() => this.controller.dispose());
  }

  dispose(): void {
    this.panel.dispose();
  }
}

export class ComparePanels implements vscode.Disposable {
  /** The leaderboard page. */
  static readonly viewType = COMPARE_VIEW_TYPE;
  /** The page of one prompt's clips side by side. */
  static readonly sideBySideViewType = SIDE_BY_SIDE_VIEW_TYPE;

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
    const page = (this.compare ??= this.createPage(
      ComparePanels.viewType,
      'FingER: Compare',
      vscode.ViewColumn.Active,
      () => (this.compare = undefined),
    ));
    page.panel.title = `FingER: Compare ${path.basename(folder)}`;
    page.panel.reveal();
    page.controller.post('compare/show', {
      theme: themeKind(),
      folder: relativePosix(workspace, folder) || '.',
      report: loaded.report,
      picks: loaded.picks.picks.map((p) => ({ promptKey: p.promptKey, video: p.best.video })),
    });
  }

  private createPage(viewType: string, title: string, column: vscode.ViewColumn, onGone: () => void): ComparePage {
    const extensionUri = this.host.context.extensionUri;
    const panel = vscode.window.createWebviewPanel(viewType, title, column, { enableScripts: true, retainContextWhenHidden: false });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'finger.svg');
    const frames = this.loaded ? [vscode.Uri.file(cacheDir(this.loaded.workspace, 'frames'))] : [];
    const page = new ComparePage(panel, this.host, frames, {
      'compare/openPrompt': ({ key }) => this.openPrompt(key),
      'compare/openFile': ({ relPath }) => this.openFile(relPath),
    });
    panel.onDidDispose(onGone);
    return page;
  }

  private async openPrompt(key: string): Promise<void> {
    const loaded = this.loaded;
    const group = loaded?.grouping.prompts.find((g) => g.key === key);
    if (!loaded || !group) return;
    const page = (this.side ??= this.createPage(
      ComparePanels.sideBySideViewType,
      'FingER: Side by side',
      vscode.ViewColumn.Beside,
      () => (this.side = undefined),
    ));
    page.panel.title = `FingER: ${group.key}`;
    page.panel.reveal(vscode.ViewColumn.Beside);
    const view = sideBySide(group);
    const pick = loaded.picks.picks.find((p) => p.promptKey === group.key)?.best.video;
    const clips = await Promise.all(
      view.clips.map(async (c, i) => ({
        ...c,
        picked: c.video === pick,
        frames: await this.frames(page, loaded.workspace, group.clips[i]!.result),
      })),
    );
    page.controller.post('compare/sideBySide', { theme: themeKind(), view: { ...view, clips } });
  }

  private async openFile(relPath: string): Promise<void> {
    const loaded = this.loaded;
    if (!loaded) return;
    try {
      const file = fromWorkspaceRelative(loaded.workspace, relPath);
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    } catch (e) {
      void vscode.window.showWarningMessage(`FingER: ${describeError(e)}`);
    }
  }

  /** Frames of the clip from the frame cache, as webview URIs (no ffmpeg run to show them). */
  private async frames(
    page: ComparePage,
    workspace: string,
    r: { video: { sha256: string }; sampling: { fps: number; maxFrames: number; maxPixels: number } },
  ): Promise<FrameRef[]> {
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
