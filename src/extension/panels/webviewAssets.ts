// The shared bits of both webviews: HTML shell, resource roots and the theme kind.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml } from '../webview/html';
import type { ThemeKind } from '../../shared/protocol';

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: 'results' | 'sidebar' | 'compare', title: string): string {
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
export function extensionResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
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
