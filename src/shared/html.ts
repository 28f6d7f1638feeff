// The one HTML page skeleton FingER writes: the webviews' shell (extension/webview/html.ts) and the
// self-contained reports (core/workbench/html.ts). Both carry a Content Security Policy whose
// script and style sources are a nonce, so what is interpolated here is escaped, and the page's
// own content is whatever the caller built (escaped there). Pure strings, no DOM.

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface HtmlPage {
  title: string;
  /** The Content-Security-Policy meta value. */
  csp: string;
  /** Markup after the title in <head> (stylesheets), already escaped. */
  head?: string;
  /** Classes for <body>. */
  bodyClass?: string;
  /** The body's markup, already escaped. */
  body: string;
}

export function htmlPage(page: HtmlPage): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(page.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
${page.head ?? ''}
</head>
<body${page.bodyClass ? ` class="${escapeHtml(page.bodyClass)}"` : ''}>
${page.body}
</body>
</html>
`;
}
