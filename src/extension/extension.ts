// Entry point. Activation is implicit (VS Code activates on the contributed commands and views),
// but for a results panel restored after a reload (`onWebviewPanel:finger.results`, the one event
// package.json lists, since a webview panel is no contribution); it must stay fast: this file and what it
// imports statically are free of zod, openai, liquidjs and the engine. Everything that needs them
// lives in features.ts, imported on first use (or right after activation, so annotations and the
// results watcher are ready soon without delaying the editor).
import * as vscode from 'vscode';
import { Host, UNTRUSTED_MESSAGE } from './host';
import { RedactingLogger } from './log';
import { ApiKeyStore } from './storage';
import { EndpointStatusItem } from './statusBar';
import { affectsEvalSettings } from './settings';
import type { Features } from './features';
import { RESULTS_VIEW_TYPE, SIDEBAR_VIEW_TYPE } from './panels/viewTypes';

/** What the extension's tests reach through `getExtension(...).exports`. */
export interface FingerApi {
  host: Host;
  features(): Promise<Features>;
  status: EndpointStatusItem;
}

export function activate(context: vscode.ExtensionContext): FingerApi {
  const activateStart = performance.now();
  const channel = vscode.window.createOutputChannel('FingER', { log: true });
  const logger = new RedactingLogger(channel);
  const status: { item?: EndpointStatusItem } = {};
  const apiKeys = new ApiKeyStore(context.secrets, () => {
    void apiKeys.get().then((k) => logger.setSecrets([k]));
    status.item?.refresh();
  });
  const host = new Host(context, logger, apiKeys);
  const statusItem = (status.item = new EndpointStatusItem(host));

  let featuresP: Promise<Features> | undefined;
  const features = (): Promise<Features> =>
    (featuresP ??= import('./features').then((m) => {
      const f = m.createFeatures(host);
      context.subscriptions.push(f);
      return f;
    }));
  /** Runs a command's handler on the loaded features; errors become one readable message. */
  const run =
    <A extends unknown[]>(handler: (f: Features, ...args: A) => unknown) =>
    async (...args: A) => {
      try {
        await handler(await features(), ...args);
      } catch (e) {
        const { describeError } = await import('../core/errors');
        const message = describeError(e);
        logger.error(message);
        void vscode.window.showErrorMessage(`FingER: ${message}`);
      }
    };

  context.subscriptions.push(
    channel,
    apiKeys,
    statusItem,
    vscode.commands.registerCommand(
      'finger.scoreVideo',
      run((f, uri?: vscode.Uri, uris?: vscode.Uri[]) => f.scoreVideo(uri, uris)),
    ),
    vscode.commands.registerCommand(
      'finger.scoreVideoWith',
      run((f, uri?: vscode.Uri, uris?: vscode.Uri[], protocol?: unknown) => f.scoreVideoWith(uri, uris, protocol)),
    ),
    vscode.commands.registerCommand(
      'finger.scoreFolder',
      run((f, uri?: vscode.Uri) => f.scoreFolder(uri)),
    ),
    vscode.commands.registerCommand(
      'finger.compareFolder',
      run((f, uri?: vscode.Uri) => f.compare.open(uri instanceof vscode.Uri ? uri : undefined)),
    ),
    vscode.commands.registerCommand(
      'finger.openResults',
      run((f, uri?: vscode.Uri, protocol?: unknown) => f.openResults(uri, protocol)),
    ),
    vscode.commands.registerCommand(
      'finger.rescore',
      run((f, uri?: vscode.Uri) => f.rescore(uri)),
    ),
    vscode.commands.registerCommand(
      'finger.customizeTemplates',
      run((f) => f.customizeTemplates()),
    ),
    vscode.commands.registerCommand(
      'finger.cancelScoring',
      run((f) => f.cancelScoring()),
    ),
    vscode.commands.registerCommand('finger.setApiKey', async () => {
      const key = await vscode.window.showInputBox({
        title: 'FingER: API key of the endpoint',
        prompt: 'Stored in VS Code SecretStorage (never in settings, results or logs).',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Enter a key, or use FingER: Clear API Key to remove it.' : undefined),
      });
      if (key === undefined) return;
      await apiKeys.set(key.trim());
      logger.setSecrets([key.trim()]);
      logger.info('API key stored in SecretStorage.');
      void vscode.window.showInformationMessage('FingER: API key stored.');
    }),
    vscode.commands.registerCommand('finger.clearApiKey', async () => {
      await apiKeys.clear();
      logger.info('API key removed from SecretStorage.');
      const source = await apiKeys.source();
      void vscode.window.showInformationMessage(
        source === 'environment'
          ? 'FingER: API key removed; FINGER_API_KEY / OPENAI_API_KEY from the environment is still used.'
          : 'FingER: API key removed.',
      );
    }),
    vscode.commands.registerCommand('finger.showLog', () => channel.show()),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => (await features()).panels.deserializeWebviewPanel(panel, state),
    }),
    vscode.window.registerWebviewViewProvider(
      SIDEBAR_VIEW_TYPE,
      { resolveWebviewView: async (view) => (await features()).sidebar.resolveWebviewView(view) },
      { webviewOptions: { retainContextWhenHidden: true } },
    ),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsEvalSettings(e)) statusItem.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      logger.info('Workspace trusted: scoring enabled.');
      statusItem.refresh(0);
    }),
  );

  if (!vscode.workspace.isTrusted) logger.info(UNTRUSTED_MESSAGE);
  statusItem.refresh(0);
  // Load the rest right after activation, off the activation path.
  const timer = setTimeout(() => void features().catch((e) => logger.error(e instanceof Error ? e : String(e))), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  // Read by the benchmark (npm run bench): the extension's own activation time.
  logger.info(`Activated in ${(performance.now() - activateStart).toFixed(1)} ms.`);
  return { host, features, status: statusItem };
}

export function deactivate(): void {}
