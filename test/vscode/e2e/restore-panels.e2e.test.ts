// Results panels survive a window reload, each for its own video: code-server with the packaged
// extension, two clips with the same file name in two folders (so the panels' titles are the same
// and only the state the webview saved can tell them apart), a results panel open for each, then
// Developer: Reload Window. Every tab shows the video it showed before.
//
//   node --import tsx --test test/vscode/e2e/restore-panels.e2e.test.ts
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { runCommand, screenshot, webviewFrame } from '../../harness/browser';
import { outputDir, type CodeServer } from '../../harness/codeServer';
import { openWorkbenchSession, type WorkbenchSession } from '../../harness/session';
import { makeSampleWorkspace } from '../../harness/workspace';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';

const CLIPS = [
  { file: 'a/clip.mp4', prompt: 'A slow zoom into a glowing fractal with deep blue and orange swirls' },
  { file: 'b/clip.mp4', prompt: 'A colourful test pattern with a moving counter and a sweeping gradient' },
];

/** The video and prompt the visible results panel shows. */
async function visiblePanel(page: Page): Promise<{ video: string; prompt: string }> {
  const frame = await webviewFrame(page);
  const video = frame.locator('.video-path');
  await video.waitFor({ timeout: 30_000 });
  return {
    video: (await video.textContent()) ?? '',
    prompt: (await frame.locator('[data-role="prompt"]').textContent({ timeout: 30_000 })) ?? '',
  };
}

/** Opens a workspace file with Quick Open, as a person does, and waits until its editor is active
 *  (its breadcrumbs read `a/clip.txt`); tries again when the file search was not ready yet. */
async function openFile(page: Page, relPath: string): Promise<void> {
  const active = () =>
    page.waitForFunction(
      (p) =>
        [...document.querySelectorAll('.editor-group-container.active .monaco-breadcrumb-item')]
          .map((i) => i.textContent?.trim())
          .join('/') === p,
      relPath,
      { timeout: 10_000 },
    );
  for (let attempt = 1; ; attempt++) {
    // Keys go to a focused webview otherwise: focus the Explorer first.
    await page.locator('.explorer-folders-view .monaco-list-row').first().click();
    await runCommand(page, 'Go to File...');
    await page.locator('.quick-input-widget input.input').fill(relPath);
    await page.waitForTimeout(1500); // the file search fills the list
    await page.keyboard.press('Enter');
    try {
      await active();
      return;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (attempt === 3) {
        await screenshot(page, 'finger-restored-panels-open-failed');
        throw e;
      }
    }
  }
}

/** The FingER log (its LogOutputChannel's file) of the extension host started by the reload, once
 *  it tells of `restored` restored panels; the log files sit under the profile's logs/<session>/exthostN/. */
async function extensionLogAfterReload(server: CodeServer, restored: number): Promise<string> {
  const logs = join(server.userDataDir, 'logs');
  let text = '';
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
    const files = existsSync(logs)
      ? readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) =>
          f.endsWith(join('finger-eval.finger-video-eval', 'FingER.log')),
        )
      : [];
    const texts = files.map((f) => readFileSync(join(logs, f), 'utf8')).filter((t) => t.includes('Restoring'));
    text = texts.join('\n');
    if ((text.match(/Restoring/g) ?? []).length >= restored) return text;
  }
  return text;
}

/** The tabs of the results panels (all titled "FingER: clip.mp4"), in their group's order. */
const panelTabs = (page: Page) => page.locator('.tabs-container .tab').filter({ hasText: 'FingER: clip.mp4' });

/** What each panel tab shows, in tab order (a click makes a tab's webview visible). */
async function tabContents(page: Page): Promise<{ video: string; prompt: string }[]> {
  await panelTabs(page).nth(1).waitFor({ timeout: 60_000 });
  const out: { video: string; prompt: string }[] = [];
  for (let i = 0; i < 2; i++) {
    await panelTabs(page).nth(i).click();
    const expectedActive = panelTabs(page).nth(i);
    await page.waitForFunction((el) => el?.classList.contains('active'), await expectedActive.elementHandle());
    await page.waitForTimeout(500);
    out.push(await visiblePanel(page));
  }
  return out;
}

// The page's console (the workbench's and the extension host's lines) is written to
// test-output/logs/restore-panels-console.log, to see what the reload did when this fails.
describe('Results panels after a window reload (dark)', { timeout: 420_000 }, () => {
  let workspace: string;
  let session: WorkbenchSession;
  const consoleLines: string[] = [];

  before(async () => {
    workspace = await makeSampleWorkspace({
      clips: CLIPS.map((c, i) => ({ file: c.file, prompt: c.prompt, clip: { source: i === 0 ? 'mandelbrot' : 'testsrc2' } })),
      questions: false,
    });
    for (const c of CLIPS) {
      const file = join(workspace, '.finger', 'results', `${c.file}.json`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        JSON.stringify(
          resultFor(c.file, c.prompt, [
            answeredQuestion('q1', 'visual_quality', 'scene', 'Is the scene free of artifacts?', 0.8, 'Clean.'),
          ]),
          null,
          2,
        ),
      );
    }
    session = await openWorkbenchSession({
      workspace,
      name: 'e2e-restore',
      viewport: { width: 1600, height: 1000 },
      onPage: (page) => page.on('console', (msg) => consoleLines.push(`[${msg.type()}] ${msg.text()}`)),
    });
  });

  after(async () => {
    mkdirSync(join(outputDir, 'logs'), { recursive: true });
    writeFileSync(join(outputDir, 'logs', 'restore-panels-console.log'), consoleLines.join('\n'));
    await session?.close();
  });

  test('each restored panel shows the video it showed before the reload', async () => {
    const { page } = session;
    // a's panel, then b's: both open beside the prompt files, in one editor group, b's in front.
    for (const c of CLIPS) {
      await openFile(page, c.file.replace('.mp4', '.txt'));
      await runCommand(page, 'FingER: Open Results');
      await page.waitForTimeout(1500);
    }
    const before = await tabContents(page);
    assert.deepEqual(new Set(before.map((b) => b.video)), new Set(CLIPS.map((c) => c.file)), `both panels open: ${JSON.stringify(before)}`);
    for (const b of before) assert.equal(b.prompt, CLIPS.find((c) => c.file === b.video)?.prompt);
    // The last one opened in front again, so the reload revives it first (a restore that goes by
    // title or by the order panels were opened would give it a's video).
    await panelTabs(page)
      .filter({ hasText: 'FingER' })
      .nth(before.findIndex((b) => b.video === 'b/clip.mp4'))
      .click();
    await page.waitForTimeout(1000); // setState is coalesced; let the webviews save it

    const reloaded = page.waitForEvent('load', { timeout: 90_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForFunction(
      () =>
        performance.getEntriesByName('code/didHandleExtensionPoints').length > 0 &&
        /\bvscode-theme-/.test(document.querySelector('.monaco-workbench')?.className ?? ''),
      undefined,
      { timeout: 90_000, polling: 200 },
    );
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
    await page.waitForTimeout(5000);
    await screenshot(page, 'finger-restored-panels-after-reload');
    const front = await visiblePanel(page);
    assert.equal(front.video, 'b/clip.mp4', 'the panel in front shows the video it showed');
    const after = await tabContents(page);
    assert.deepEqual(after, before, 'every tab shows its own video, with its prompt');
    // And each found its video through the state its webview saved, not through its title.
    const log = await extensionLogAfterReload(session.server, CLIPS.length);
    for (const c of CLIPS)
      assert.match(log, new RegExp(`results panel of ${c.file} from its saved state`), `restored from its state:\n${log}`);
    assert.doesNotMatch(log, /matching it by title/);
    await screenshot(page, 'finger-restored-panels-dark');
  });
});
