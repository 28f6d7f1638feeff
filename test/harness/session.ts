// One end-to-end session, as every code-server test opens it: the packaged extension (.vsix) in a
// fresh code-server on a workspace, Chromium on its workbench, and one close() that stops all three
// and removes the workspace. And the first step most of them take: activating FingER.
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, type Browser } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { ensureVsix } from './vsix';
import { removeTempDir } from '../helpers/clips';

export interface WorkbenchSession {
  server: CodeServer;
  browser: Browser;
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

export interface WorkbenchSessionOptions {
  /** The folder to open; removed by close() (and when the session cannot be opened). */
  workspace: string;
  /** Names the code-server log under test-output/logs/. */
  name: string;
  theme?: 'light' | 'dark';
  /** true: the workspace stays untrusted (restricted mode). */
  trust?: boolean;
  /** User settings over the harness defaults (animations off, so screenshots are settled). */
  settings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
  /** Called with the page before the workbench loads (console listeners). */
  onPage?: (page: Page) => void;
}

export async function openWorkbenchSession(o: WorkbenchSessionOptions): Promise<WorkbenchSession> {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.stop();
    await removeTempDir(o.workspace);
  };
  try {
    server = await startCodeServer({
      workspace: o.workspace,
      vsix: ensureVsix(),
      theme: o.theme ?? 'dark',
      name: o.name,
      ...(o.trust !== undefined ? { trust: o.trust } : {}),
      settings: { 'workbench.reduceMotion': 'on', ...o.settings },
    });
    browser = await launchBrowser({ viewport: o.viewport ?? { width: 1500, height: 900 } });
    o.onPage?.(browser.page);
    await openWorkbench(browser.page, server.url);
    return { server, browser, page: browser.page, workspace: o.workspace, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/** FingER activates on its views and commands (package.json has no startup activation): open its
 *  side panel once and wait for the webview inside. */
export async function activateFinger(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.activitybar [aria-label^="FingER"]').first().click();
  await page.locator('iframe.webview.ready[src*="purpose=webviewView"]').first().waitFor({ state: 'attached', timeout: timeoutMs });
}
