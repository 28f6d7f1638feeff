// Drives the code-server workbench like a person, with Debian's Chromium through playwright-core
// (never `playwright install`: that downloads a browser). See docs/ARCHITECTURE.md, "Running a real VS Code and a real browser offline".
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { outputDir } from './codeServer';

export const screenshotDir = join(outputDir, 'screenshots');

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Debian's Chromium, offline and as root (docs/ARCHITECTURE.md, "Running a real VS Code and a real browser offline"); Playwright adds --headless. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Chromium with a fresh profile (--user-data-dir in a temp folder, removed on close). */
export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'finger-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.FINGER_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? { width: 1400, height: 900 },
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the workbench and waits until it is really there: extension points handled (so contributed
 * views, menus and commands exist), the configured colour theme applied (the first paint uses a
 * built-in light theme) and the Explorer showing the workspace.
 */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.waitForFunction(
    () =>
      performance.getEntriesByName('code/didHandleExtensionPoints').length > 0 &&
      /\bvscode-theme-/.test(document.querySelector('.monaco-workbench')?.className ?? ''),
    undefined,
    { timeout: timeoutMs, polling: 200 },
  );
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: timeoutMs });
}

/** Quick-pick rows whose label is exactly `label` (codicons and highlights aside). */
function quickPickRow(page: Page, label: string): Locator {
  return page.locator('.quick-input-widget .monaco-list-row').filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
  });
}

/**
 * Runs a command by its palette title (e.g. "FingER: Score Video"). Contributed commands appear a
 * few seconds after the workbench, so it retries until the command is listed.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input.input');
  for (;;) {
    await page
      .locator('.monaco-workbench')
      .click({ position: { x: 5, y: 5 }, force: true })
      .catch(() => undefined);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(`>${title}`);
    const row = quickPickRow(page, title).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 2000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" did not appear in the command palette`);
      await page.waitForTimeout(500);
    }
  }
}

/** The Explorer row of a file or folder (its name as shown in the tree). */
export function explorerItem(page: Page, fileName: string): Locator {
  return page
    .locator('.explorer-folders-view .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(fileName)}$`) }) })
    .first();
}

/** Right-clicks `fileName` in the Explorer and returns the labels of its context menu (left open). */
export async function openExplorerContextMenu(page: Page, fileName: string, timeoutMs = 15_000): Promise<string[]> {
  const row = explorerItem(page, fileName);
  await row.waitFor({ timeout: timeoutMs });
  await row.click({ button: 'right' });
  const labels = page.locator('.monaco-menu .action-item a.action-menu-item .action-label');
  await labels.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return (await labels.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
}

/** Right-clicks `fileName` in the Explorer and picks `menuItem` (its label, e.g. "Score Video"). */
export async function explorerContextMenu(page: Page, fileName: string, menuItem: string, timeoutMs = 15_000): Promise<void> {
  await openExplorerContextMenu(page, fileName, timeoutMs);
  const item = page
    .locator('.monaco-menu .action-item a.action-menu-item')
    .filter({ has: page.locator('.action-label', { hasText: new RegExp(`^\\s*${escapeRegExp(menuItem)}\\s*$`) }) })
    .first();
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  // VS Code's menu items listen for mouseup only 100 ms after the menu renders (so the release of
  // the right button cannot pick an item). On a fast machine Playwright clicks sooner and the click
  // is silently ignored; wait out that window, and click again if the menu is still open.
  const menu = page.locator('.context-view .monaco-menu');
  for (let attempt = 1; attempt <= 3; attempt++) {
    await page.waitForTimeout(MENU_MOUSEUP_DELAY_MS);
    await item.click();
    try {
      await menu.first().waitFor({ state: 'detached', timeout: 2_000 });
      return;
    } catch {
      if (!(await item.isVisible())) return;
    }
  }
  throw new Error(`the Explorer context menu of ${fileName} stayed open after three clicks on "${menuItem}"`);
}

/** A margin over the 100 ms for which VS Code's menu items ignore mouseup after rendering. */
const MENU_MOUSEUP_DELAY_MS = 250;

/**
 * The content of a webview panel: the outer `iframe.webview.ready`, then its `#active-frame`.
 * With a title, the panel's editor tab is brought to the front first and its (visible) frame is used.
 */
export async function webviewFrame(page: Page, title?: string, timeoutMs = 30_000): Promise<FrameLocator> {
  if (title) {
    const tab = page.locator('.tabs-container .tab').filter({ hasText: title }).first();
    await tab.waitFor({ timeout: timeoutMs });
    await tab.click();
  }
  const outer = page.locator('iframe.webview.ready:visible').last();
  await outer.waitFor({ state: 'attached', timeout: timeoutMs });
  const frame = outer.contentFrame().frameLocator('#active-frame');
  await frame.locator('body').waitFor({ state: 'attached', timeout: timeoutMs });
  return frame;
}

/** Saves a PNG of the whole page to test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path });
  return path;
}

/** Waits until a notification toast contains `text`; returns its locator. */
export async function waitForNotification(page: Page, text: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
  const toast = page.locator('.notification-toast').filter({ hasText: text }).first();
  await toast.waitFor({ timeout: timeoutMs });
  return toast;
}

/** Texts of the error notifications and modal dialogs on screen (e.g. a failed activation). */
export async function workbenchErrors(page: Page): Promise<string[]> {
  const toasts = page.locator('.notification-toast').filter({ has: page.locator('.codicon-error, .codicon-notifications-error') });
  const dialogs = page.locator('.monaco-dialog-box');
  return [...(await toasts.allInnerTexts()), ...(await dialogs.allInnerTexts())].map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Closes what a previous step may have left open (quick pick, menu, modal dialog). */
export async function dismissOverlays(page: Page): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const open = await page.locator('.monaco-dialog-box, .quick-input-widget:visible, .context-view .monaco-menu').count();
    if (open === 0) return;
    await page.keyboard.press('Escape');
    await page.waitForTimeout(100);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
