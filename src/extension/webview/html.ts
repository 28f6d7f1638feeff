// The HTML shell of every FingER webview: a strict Content Security Policy, the stylesheet links
// and one nonce'd script. Everything visible is built by the webview bundle from messages, so no
// data is ever interpolated into this HTML (only URIs and a title, escaped).
import { randomBytes } from 'node:crypto';
import { escapeHtml, htmlPage } from '../../shared/html';

export interface WebviewHtmlOptions {
  /** `webview.cspSource`: the origin webview resources are served from. */
  cspSource: string;
  /** From makeNonce(); a fresh one for every render. */
  nonce: string;
  /** `asWebviewUri(dist/webview/<name>.js)`. */
  scriptUri: string;
  /** `asWebviewUri(media/webview/*.css)`, in cascade order. */
  styleUris: string[];
  /** `asWebviewUri(media/webview/codicons/codicon.css)`. Rendered with the id that
   *  @vscode-elements' <vscode-icon> looks for, so icons inside its shadow DOM get the font too. */
  codiconsUri?: string;
  title: string;
  /** Extra classes for <body> (VS Code adds its theme classes itself). */
  bodyClass?: string;
}

/** 128 bits from the CSPRNG, base64: unguessable by content that might try to inject a script. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  // No 'unsafe-inline' anywhere. Lit (@vscode-elements) uses constructable stylesheets and Chart.js
  // sets canvas sizes through CSSOM; neither is governed by style-src, so both work under it.
  return (
    [
      `default-src 'none'`,
      `img-src ${cspSource} data: blob:`,
      `media-src ${cspSource} blob:`,
      `style-src ${cspSource} 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
      `font-src ${cspSource}`,
    ].join('; ') + ';'
  );
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUris, codiconsUri, title, bodyClass } = options;
  const attr = escapeHtml;
  const links = styleUris.map((href) => `<link rel="stylesheet" href="${attr(href)}" nonce="${attr(nonce)}">`);
  if (codiconsUri) {
    links.push(`<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${attr(codiconsUri)}" nonce="${attr(nonce)}">`);
  }
  return htmlPage({
    title,
    csp: contentSecurityPolicy(cspSource, nonce),
    head: links.join('\n'),
    ...(bodyClass ? { bodyClass } : {}),
    body: `<div id="root"></div>\n<script nonce="${attr(nonce)}" src="${attr(scriptUri)}"></script>`,
  });
}
