// Test harness for the webviews in a real headless Chromium: an HTTP server on 127.0.0.1 serves the
// page made by the extension's own renderWebviewHtml (same CSP, nonce and script), with a stub of
// acquireVsCodeApi that records posted messages and keeps setState in sessionStorage (so a reload
// restores like VS Code's webview state). Tests talk to the page with window.postMessage, exactly
// as the extension's messages arrive in a webview.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, renderWebviewHtml } from '../../src/extension/webview/html';
import { CHROMIUM_ARGS } from '../harness/browser';

// CommonJS under tsx (the package is not "type": "module").
export const REPO = resolve(__dirname, '../..');
export const OUTPUT = join(REPO, 'test-output');
export const SCREENSHOTS = join(OUTPUT, 'screenshots');
const MEDIA_DIR = join(OUTPUT, 'browser-media');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.webm': 'video/webm',
  '.map': 'application/json',
};

/** The stub VS Code API, run before the bundle (same nonce, so the CSP allows it). */
const STUB = `(() => {
  const KEY = 'vscode-webview-state';
  window.__posted = [];
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => { const s = sessionStorage.getItem(KEY); return s ? JSON.parse(s) : undefined; },
      setState: (s) => { sessionStorage.setItem(KEY, JSON.stringify(s)); return s; },
    };
  };
})();`;

/** The same Chromium flags as the VS Code harness. */
export { CHROMIUM_ARGS };

let built = false;
/** Builds dist/webview/*.js once per test process with the project's esbuild config. */
export function buildWebviews(): void {
  if (built) return;
  const run = spawnSync(process.execPath, ['esbuild.config.mjs', '--only=webview', '--quiet'], { cwd: REPO, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`webview build failed:\n${run.stdout}\n${run.stderr}`);
  built = true;
}

export interface Media {
  /** Served paths of sampled frames, with their times. */
  frames: { path: string; timeSec: number }[];
  /** Served path of a VP8 WebM (plays in webviews), when ffmpeg is available. */
  video?: string;
}

/** Real frames and a real clip made with ffmpeg's test source, so screenshots show real images;
 *  SVG stand-ins when ffmpeg is missing. */
export function makeMedia(): Media {
  mkdirSync(MEDIA_DIR, { recursive: true });
  const clip = join(MEDIA_DIR, 'clip.webm');
  const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
  if (haveFfmpeg) {
    if (!existsSync(clip)) {
      spawnSync('ffmpeg', [
        '-y',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=480x270:rate=24:duration=5',
        '-c:v',
        'libvpx',
        '-b:v',
        '400k',
        clip,
      ]);
    }
    if (!existsSync(join(MEDIA_DIR, 'frame-01.jpg'))) {
      spawnSync('ffmpeg', ['-y', '-loglevel', 'error', '-i', clip, '-vf', 'fps=2,scale=224:-1', join(MEDIA_DIR, 'frame-%02d.jpg')]);
    }
  }
  const frames: Media['frames'] = [];
  for (let i = 1; i <= 10; i++) {
    const jpg = join(MEDIA_DIR, `frame-${String(i).padStart(2, '0')}.jpg`);
    if (existsSync(jpg)) frames.push({ path: `/media-test/${String(i).padStart(2, '0')}.jpg`, timeSec: (i - 1) * 0.5 });
  }
  if (frames.length === 0) for (let i = 0; i < 6; i++) frames.push({ path: `/media-test/${i}.svg`, timeSec: i * 0.5 });
  return { frames, ...(haveFfmpeg && existsSync(clip) ? { video: '/media-test/clip.webm' } : {}) };
}

function svgFrame(index: number): string {
  const hue = (index * 47) % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="224" height="126"><rect width="224" height="126" fill="hsl(${hue},45%,35%)"/><text x="12" y="70" font-size="20" fill="#fff">frame ${index}</text></svg>`;
}

/** The body classes VS Code sets: vscode-light, vscode-dark, vscode-high-contrast and
 *  vscode-high-contrast-light (the test sets only the last for Light High Contrast, so the CSS must
 *  name it and not rely on vscode-high-contrast being there too). */
export type Theme = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Harness {
  origin: string;
  browser: Browser;
  media: Media;
  close(): Promise<void>;
  /** Opens a panel page (results or sidebar) and records dialogs and console errors. */
  open(
    panel: 'results' | 'sidebar' | 'compare',
    options?: { theme?: Theme; viewport?: { width: number; height: number } },
  ): Promise<PanelPage>;
}

export interface PanelPage {
  page: Page;
  dialogs: string[];
  consoleErrors: string[];
  /** Posts a message to the webview the way the extension host does. */
  send(message: unknown): Promise<void>;
  /** Messages the webview posted to the extension. */
  posted(): Promise<{ kind: string; method: string; params?: unknown; id?: number }[]>;
  violations(): Promise<{ directive: string; blocked: string; sample: string }[]>;
  /** Waits for the next `finger:rendered` event after running `action`. */
  rendered(action: () => Promise<void>, kind?: 'full' | 'answer'): Promise<void>;
  setTheme(theme: Theme): Promise<void>;
}

/** One harness for a test file: started before its tests (with the screenshots folder made), closed after. */
export function useHarness(set: (harness: Harness) => void): void {
  let harness: Harness | undefined;
  before(async () => {
    harness = await startHarness();
    mkdirSync(SCREENSHOTS, { recursive: true });
    set(harness);
  });
  after(async () => {
    await harness?.close();
  });
}

export async function startHarness(): Promise<Harness> {
  buildWebviews();
  const media = makeMedia();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const panel = /^\/(results|sidebar|compare)\.html$/.exec(url.pathname)?.[1];
    if (panel) {
      const theme = url.searchParams.get('theme') ?? 'dark';
      const nonce = makeNonce();
      const html = renderWebviewHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/dist/webview/${panel}.js`,
        styleUris: [`${origin}/test/browser/theme.css`, `${origin}/media/webview/common.css`, `${origin}/media/webview/${panel}.css`],
        codiconsUri: `${origin}/media/webview/codicons/codicon.css`,
        title: panel === 'results' ? 'FingER results' : panel === 'compare' ? 'FingER: Compare' : 'FingER',
        bodyClass: `vscode-${theme}`,
      }).replace('<meta name="viewport"', `<script nonce="${nonce}">${STUB}</script>\n<meta name="viewport"`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname.startsWith('/media-test/')) {
      const name = url.pathname.slice('/media-test/'.length);
      if (name.endsWith('.svg')) {
        res.writeHead(200, { 'content-type': TYPES['.svg'] ?? '' });
        res.end(svgFrame(Number.parseInt(name, 10)));
        return;
      }
      const file = name === 'clip.webm' ? join(MEDIA_DIR, 'clip.webm') : join(MEDIA_DIR, `frame-${name}`);
      return serveFile(file, res, req.headers.range);
    }
    // Only the folders a real panel's localResourceRoots would allow (plus the test theme).
    const allowed = ['/dist/webview/', '/media/webview/', '/test/browser/theme.css'];
    if (!allowed.some((p) => url.pathname.startsWith(p))) {
      res.writeHead(404).end();
      return;
    }
    const file = normalize(join(REPO, decodeURIComponent(url.pathname)));
    if (!file.startsWith(REPO + sep)) {
      res.writeHead(403).end();
      return;
    }
    serveFile(file, res, req.headers.range);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // launch() gives every run a fresh temporary profile of its own.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

  return {
    origin,
    browser,
    media,
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
    async open(panel, options = {}) {
      const page = await browser.newPage({ viewport: options.viewport ?? { width: 1100, height: 900 } });
      const dialogs: string[] = [];
      const consoleErrors: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('console', (msg) => {
        if (msg.type() === 'error') consoleErrors.push(msg.text());
      });
      page.on('pageerror', (error) => consoleErrors.push(String(error)));
      await page.goto(`${origin}/${panel}.html?theme=${options.theme ?? 'dark'}`);
      await page.waitForFunction(() =>
        (window as unknown as { __posted: { method: string }[] }).__posted.some((m) => m.method.endsWith('/ready')),
      );
      const panelPage: PanelPage = {
        page,
        dialogs,
        consoleErrors,
        async send(message) {
          await page.evaluate((m) => window.postMessage(m, '*'), message);
        },
        posted: () => page.evaluate(() => (window as unknown as { __posted: { kind: string; method: string }[] }).__posted),
        violations: () =>
          page.evaluate(
            () => (window as unknown as { __violations: { directive: string; blocked: string; sample: string }[] }).__violations,
          ),
        async rendered(action, kind) {
          const before = await page.evaluate(() => window.__fingerRenderDone?.count ?? 0);
          await action();
          await page.waitForFunction(
            ([n, k]) => (window.__fingerRenderDone?.count ?? 0) > (n as number) && (!k || window.__fingerRenderDone?.kind === k),
            [before, kind ?? null] as const,
          );
        },
        async setTheme(theme) {
          await page.evaluate((t) => {
            document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light');
            document.body.classList.add(`vscode-${t}`);
          }, theme);
        },
      };
      return panelPage;
    },
  };
}

function serveFile(file: string, res: import('node:http').ServerResponse, range: string | undefined): void {
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  const body = readFileSync(file);
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  // <video> asks for byte ranges; answer them so seeking works as in a webview.
  const match = range && /^bytes=(\d*)-(\d*)$/.exec(range);
  if (match) {
    const start = match[1] ? Number(match[1]) : 0;
    const end = match[2] ? Math.min(Number(match[2]), body.length - 1) : body.length - 1;
    res.writeHead(206, {
      'content-type': type,
      'content-range': `bytes ${start}-${end}/${body.length}`,
      'accept-ranges': 'bytes',
      'content-length': end - start + 1,
    });
    res.end(body.subarray(start, end + 1));
    return;
  }
  res.writeHead(200, { 'content-type': type, 'accept-ranges': 'bytes', 'content-length': body.length });
  res.end(body);
}
