// One connection between the extension host and one webview (a results panel, the side panel or a
// Compare view page), in the manner of GitLens's WebviewController and vscode-pull-request-github's
// WebviewBase. It owns everything the webviews share:
//   - the HTML shell with its strict CSP and nonce (html.ts) and the resource roots;
//   - the ready handshake: messages posted before the webview's script runs are queued (the latest
//     of each "state" method only) and sent once it posts its protocol's `ready` command; a webview
//     that reloads its page and says ready again gets the latest state once more;
//   - parsing: every message the webview posts is validated with its protocol's zod schema;
//   - a method → handler table, complete by type, so adding a command without its handler fails
//     to compile.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { ThemeKind } from '../../shared/protocols/common';
import {
  makeMessage,
  parseMessage,
  type Envelope,
  type Handlers,
  type ParamsOf,
  type WebviewProtocol,
} from '../../shared/protocols/envelope';
import type { Host } from '../host';
import { makeNonce, renderWebviewHtml } from './html';

export interface WebviewControllerOptions<ToWebview extends Envelope, ToHost extends Envelope, Ready extends ToHost['method']> {
  protocol: WebviewProtocol<ToWebview, ToHost, Ready>;
  /** dist/webview/<bundle>.js and media/webview/<bundle>.css. */
  bundle: 'results' | 'sidebar' | 'compare';
  title: string;
  /** What the webview may load besides the extension's webview assets. */
  extraResourceRoots?: vscode.Uri[];
  /** Methods whose message replaces any earlier one still queued (a full state, not an event). */
  latestOnly?: readonly ToWebview['method'][];
  /** Every command except `ready`. */
  handlers: Handlers<Exclude<ToHost, { method: Ready }>>;
  /** After the queue was flushed on `ready`. */
  onReady?: () => unknown;
  /** A handler failed (default: an error notification). */
  onError?: (message: string) => void;
}

export class WebviewController<ToWebview extends Envelope, ToHost extends Envelope, Ready extends ToHost['method'] = ToHost['method']>
  implements vscode.Disposable
{
  private ready = false;
  private queue: ToWebview[] = [];
  /** The last message of each latestOnly method, re-sent to a webview that reloaded. */
  private readonly latest = new Map<string, ToWebview>();
  private readonly posted = new vscode.EventEmitter<ToWebview>();
  /** Every message handed to the webview (tests count them; see test/vscode/suite/dataFlow.test.ts). */
  readonly onDidPost = this.posted.event;
  private readonly disposables: vscode.Disposable[] = [this.posted];

  constructor(
    private readonly host: Host,
    readonly webview: vscode.Webview,
    private readonly options: WebviewControllerOptions<ToWebview, ToHost, Ready>,
  ) {
    const extensionUri = host.context.extensionUri;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [...extensionResourceRoots(extensionUri), ...(options.extraResourceRoots ?? [])],
    };
    webview.html = webviewHtml(webview, extensionUri, options.bundle, options.title);
    this.disposables.push(webview.onDidReceiveMessage((data: unknown) => void this.receive(data)));
  }

  post<K extends ToWebview['method']>(method: K, params: ParamsOf<ToWebview, K>): void {
    const message = makeMessage<ToWebview, K>('notification', method, params) as ToWebview;
    const replaces = this.options.latestOnly?.includes(method) ?? false;
    if (replaces) this.latest.set(method, message);
    if (!this.ready) {
      if (replaces) this.queue = this.queue.filter((m) => m.method !== method);
      this.queue.push(message);
      return;
    }
    this.send(message);
  }

  private send(message: ToWebview): void {
    void this.webview.postMessage(message);
    this.posted.fire(message);
  }

  private async receive(data: unknown): Promise<void> {
    const { protocol, handlers } = this.options;
    const parsed = parseMessage(protocol.toHost, data);
    if (!parsed.ok) {
      this.host.logger.warn(`Ignored a malformed message from the ${protocol.name}: ${parsed.error}`);
      return;
    }
    const message = parsed.message;
    if (message.method === protocol.ready) {
      // A second `ready` means the page was reloaded: it starts empty and needs the state again.
      const queued = this.ready ? [...this.latest.values()] : this.queue;
      this.queue = [];
      this.ready = true;
      for (const m of queued) this.send(m);
      await this.options.onReady?.();
      return;
    }
    const handler = (handlers as Record<string, (params: unknown) => unknown>)[message.method];
    try {
      await handler?.(message.params);
    } catch (e) {
      const text = describeError(e);
      this.host.logger.error(`${protocol.name}: ${message.method} failed: ${text}`);
      if (this.options.onError) this.options.onError(text);
      else void vscode.window.showErrorMessage(`FingER: ${text}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: 'results' | 'sidebar' | 'compare', title: string): string {
  const asUri = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  return renderWebviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: asUri('dist', 'webview', `${bundle}.js`),
    // Stylesheets that exist (the webview bundle may carry its CSS inline instead).
    styleUris: ['common.css', `${bundle}.css`]
      .filter((name) => existsSync(vscode.Uri.joinPath(extensionUri, 'media', 'webview', name).fsPath))
      .map((name) => asUri('media', 'webview', name)),
    codiconsUri: asUri('media', 'webview', 'codicons', 'codicon.css'),
    title,
  });
}

/** Only what the webviews load from the extension: their bundle, CSS and icon font. */
function extensionResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media', 'webview')];
}

export function themeKind(): ThemeKind {
  switch (vscode.window.activeColorTheme.kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'high-contrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'high-contrast-light';
    default:
      return 'dark';
  }
}
