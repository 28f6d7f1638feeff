// The workbench as a person sees it: code-server with the PACKAGED extension (.vsix) installed,
// a workspace with generated clips and prompts, driven by Chromium. Screenshots land in
// test-output/screenshots/.
//
// Add UI scenarios as more `test(...)` blocks inside the describe; `ui` holds the page and server.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  dismissOverlays,
  explorerContextMenu,
  explorerItem,
  launchBrowser,
  openExplorerContextMenu,
  openWorkbench,
  runCommand,
  screenshot,
  workbenchErrors,
  type Browser,
} from '../harness/browser';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { ensureVsix } from '../harness/vsix';
import { makeSampleWorkspace } from '../harness/workspace';
import { removeTempDir } from '../helpers/clips';

export interface UiSession {
  server: CodeServer;
  browser: Browser;
  workspace: string;
  close(): Promise<void>;
}

/** code-server with the packaged extension + Chromium on the workbench of a fresh sample workspace. */
export async function openUiSession(
  opts: { theme?: 'light' | 'dark'; trust?: boolean; settings?: Record<string, unknown>; name?: string } = {},
): Promise<UiSession> {
  const vsix = ensureVsix();
  const workspace = await makeSampleWorkspace();
  const server = await startCodeServer({
    workspace,
    vsix,
    theme: opts.theme,
    trust: opts.trust,
    settings: opts.settings,
    name: opts.name ?? 'ui',
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    await openWorkbench(browser.page, server.url);
  } catch (e) {
    await browser?.close();
    await server.stop();
    await removeTempDir(workspace);
    throw e;
  }
  const b = browser;
  return {
    server,
    browser: b,
    workspace,
    async close() {
      await b.close();
      await server.stop();
      await removeTempDir(workspace);
    },
  };
}

describe('workbench with the packaged extension', { timeout: 240_000 }, () => {
  let ui: UiSession;
  before(async () => {
    ui = await openUiSession({ theme: 'dark', name: 'ui-dark' });
  });
  after(async () => {
    await ui?.close();
  });

  test('the Explorer lists the clips, prompts and manifests', async () => {
    const { page } = ui.browser;
    for (const name of ['testsrc.mp4', 'testsrc.txt', 'mandelbrot.mp4', 'red-square.mp4', 'prompts.csv', 'testsrc.questions.json']) {
      await explorerItem(page, name).waitFor({ timeout: 15_000 });
    }
    await screenshot(page, 'workbench-dark');
  });

  test('the extension is installed from the .vsix', async () => {
    const { page } = ui.browser;
    await page.keyboard.press('Control+Shift+X');
    const search = page.locator('.extensions-viewlet .suggest-input-container').first();
    await search.waitFor({ timeout: 15_000 });
    await search.click();
    await page.keyboard.type('@installed finger');
    const row = page.locator('.extensions-viewlet .monaco-list-row').filter({ hasText: 'FingER' }).first();
    await row.waitFor({ timeout: 20_000 });
    await screenshot(page, 'extensions-installed-dark');
    await page.keyboard.press('Control+Shift+E');
  });

  test('a video has the FingER entries in its Explorer context menu', async () => {
    const { page } = ui.browser;
    const labels = await openExplorerContextMenu(page, 'testsrc.mp4');
    await screenshot(page, 'explorer-context-menu');
    await page.keyboard.press('Escape');
    assert.ok(labels.includes('Score Video'), `context menu: ${labels.join(' | ')}`);
  });

  test('the extension activates: FingER: Show Log opens its output channel', async () => {
    const { page } = ui.browser;
    await runCommand(page, 'FingER: Show Log');
    const output = page.locator('.part.panel .output-view, .part.panel [id="workbench.panel.output"]').first();
    const error = page.locator('.monaco-dialog-box, .notification-toast .codicon-error').first();
    await Promise.race([output.waitFor({ state: 'visible', timeout: 30_000 }), error.waitFor({ timeout: 30_000 })]);
    await screenshot(page, 'show-log');
    assert.deepEqual(await workbenchErrors(page), [], 'the workbench shows an error');
    assert.ok(await output.isVisible(), 'the output panel did not open');
    await page.keyboard.press('Control+J'); // hide the panel again
  });

  test('harness helpers: context menu and command palette drive the workbench', async () => {
    const { page } = ui.browser;
    await dismissOverlays(page);
    const tab = page.locator('.tabs-container .tab').filter({ hasText: 'testsrc.txt' });
    // A click can land while the workbench is still laying out the menu and do nothing: try the
    // menu again rather than fail on one missed click (three misses are a real failure).
    for (let attempt = 1; ; attempt++) {
      await explorerContextMenu(page, 'testsrc.txt', 'Open to the Side');
      try {
        await tab.first().waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    await screenshot(page, 'prompt-open-to-side');
    await runCommand(page, 'View: Close All Editors');
    await tab.first().waitFor({ state: 'detached', timeout: 15_000 });
  });
});

describe('workbench in the light theme', { timeout: 180_000 }, () => {
  test('renders with the extension installed', async () => {
    const ui = await openUiSession({ theme: 'light', name: 'ui-light' });
    try {
      await explorerItem(ui.browser.page, 'testsrc.mp4').waitFor({ timeout: 15_000 });
      await screenshot(ui.browser.page, 'workbench-light');
    } finally {
      await ui.close();
    }
  });
});
