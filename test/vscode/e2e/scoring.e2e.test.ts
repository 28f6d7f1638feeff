// FingER as a person uses it: code-server with the packaged extension, Chromium clicking through
// the workbench, the endpoint double as the GPU server. Covers right-click → Score Video → panel
// beside the prompt file; the panel rendered from the result file; an override that survives a
// rescore; prompt-file diagnostics; the side panel; untrusted workspaces; light and dark themes.
// Screenshots: test-output/screenshots/finger-*.png
//
//   node --import tsx --test test/vscode/e2e/scoring.e2e.test.ts
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { explorerContextMenu, explorerItem, runCommand, screenshot, waitForNotification, webviewFrame } from '../../harness/browser';
import { openWorkbenchSession, type WorkbenchSession } from '../../harness/session';
import { makeSampleWorkspace, SAMPLE_QUESTIONS } from '../../harness/workspace';
import { DEFAULT_DOUBLE_MODEL, startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import type { Result } from '../../../src/core/types';

type Session = WorkbenchSession;

async function openSession(o: { theme: 'light' | 'dark'; double: EndpointDouble; trust?: boolean; name: string }): Promise<Session> {
  return openWorkbenchSession({
    workspace: await makeSampleWorkspace(),
    theme: o.theme,
    name: o.name,
    ...(o.trust !== undefined ? { trust: o.trust } : {}),
    settings: { 'finger.endpoint.baseUrl': o.double.url, 'finger.endpoint.model': DEFAULT_DOUBLE_MODEL },
    viewport: { width: 1600, height: 1000 },
  });
}

async function waitForFile(file: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`${file} was not written`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const readResult = (file: string): Result => JSON.parse(readFileSync(file, 'utf8')) as Result;

/** The table row of a question in the results panel. */
const rowOf = (frame: FrameLocator, text: string) => frame.locator('.question-row').filter({ hasText: text }).first();

async function expectPanelRendersResult(frame: FrameLocator, result: Result): Promise<void> {
  await frame.locator('canvas').first().waitFor({ timeout: 30_000 });
  for (const q of result.questions) {
    const row = rowOf(frame, q.text);
    await row.waitFor({ timeout: 30_000 });
    const text = (await row.textContent()) ?? '';
    assert.ok(text.includes(q.answer!), `answer of "${q.text}" shown in: ${text}`);
    if (q.reason) assert.ok((await row.textContent())!.includes(q.reason), `reason of "${q.text}" in the row`);
  }
}

for (const theme of ['dark', 'light'] as const) {
  describe(`FingER in the workbench (${theme})`, { timeout: 420_000 }, () => {
    let double: EndpointDouble;
    let s: Session;
    before(async () => {
      double = await startEndpointDouble();
      s = await openSession({ theme, double, name: `e2e-${theme}` });
    });
    after(async () => {
      await s?.close();
      await double?.close();
    });

    test('right-click a clip → Score Video: the panel opens beside the prompt file with the radar and every answer', async () => {
      const { page } = s;
      await explorerContextMenu(page, 'testsrc.mp4', 'Score Video');
      const resultFile = join(s.workspace, '.finger', 'results', 'testsrc.mp4.json');
      await waitForFile(resultFile);
      const result = readResult(resultFile);
      assert.equal(result.questions.length, SAMPLE_QUESTIONS.questions.length);
      // the prompt file is open in one group, the panel in another
      await page.locator('.tabs-container .tab').filter({ hasText: 'testsrc.txt' }).first().waitFor({ timeout: 30_000 });
      assert.ok((await page.locator('.editor-group-container').count()) >= 2, 'the panel opened beside the prompt file');
      const frame = await webviewFrame(page, 'FingER: testsrc.mp4');
      await expectPanelRendersResult(frame, result);
      await page.waitForTimeout(500);
      await screenshot(page, `finger-panel-${theme}`);
    });

    test('the prompt file shows diagnostics on the failing entities and a CodeLens with the scores', async () => {
      const { page } = s;
      const result = readResult(join(s.workspace, '.finger', 'results', 'testsrc.mp4.json'));
      const failing = result.questions.filter((q) => q.score !== null && q.score < 0.5);
      await page.locator('.tabs-container .tab').filter({ hasText: 'testsrc.txt' }).first().click();
      await page
        .locator('.codelens-decoration')
        .filter({ hasText: `FingER ${result.overall!.toFixed(2)}` })
        .first()
        .waitFor({ timeout: 30_000 });
      if (failing.length > 0) {
        await page.locator('.squiggly-warning').first().waitFor({ timeout: 30_000 });
        await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
        const problems = page.locator('.markers-panel .monaco-list-row');
        await problems.first().waitFor({ timeout: 15_000 });
        const text = (await problems.allInnerTexts()).join('\n');
        for (const q of failing) assert.ok(text.includes(q.text), `Problems lists "${q.text}"`);
      }
      await screenshot(page, `finger-prompt-annotations-${theme}`);
    });

    test('the side panel lists the scored video', async () => {
      const { page } = s;
      await page.locator('.activitybar [aria-label^="FingER"]').first().click();
      // WebviewViews live in an overlay over the side bar, not inside it; their URL says so.
      const outer = page.locator('iframe.webview.ready[src*="purpose=webviewView"]').first();
      await outer.waitFor({ state: 'attached', timeout: 30_000 });
      const frame = outer.contentFrame().frameLocator('#active-frame');
      await frame.getByText('testsrc.mp4').first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(500);
      await screenshot(page, `finger-sidebar-${theme}`);
    });

    if (theme === 'dark') {
      test('an override is saved under .finger/labels and survives a rescore', async () => {
        const { page } = s;
        const resultFile = join(s.workspace, '.finger', 'results', 'testsrc.mp4.json');
        const q = readResult(resultFile).questions[0]!;
        const flipped = q.answer === 'Yes' ? 'No' : 'Yes';
        await page.keyboard.press('Control+Shift+E'); // hide the side panel's webview: one visible webview left
        let frame = await webviewFrame(page, 'FingER: testsrc.mp4');
        await rowOf(frame, q.text).locator(`button[data-action="override"][data-answer="${flipped}"]`).click();
        const labelsFile = join(s.workspace, '.finger', 'labels', 'testsrc.mp4.json');
        await waitForFile(labelsFile, 15_000);
        await rowOf(frame, q.text).locator('[data-role="override-marker"]').waitFor({ timeout: 15_000 });
        const answersBefore = double.chatRequests().filter((r) => r.kind === 'answer').length;
        await runCommand(page, 'FingER: Rescore');
        await page.waitForTimeout(3000);
        const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as { overrides: { questionText: string; answer: string }[] };
        assert.deepEqual(
          labels.overrides.map((o) => [o.questionText, o.answer]),
          [[q.text, flipped]],
        );
        assert.equal(double.chatRequests().filter((r) => r.kind === 'answer').length, answersBefore, 'cached answers: nothing re-asked');
        frame = await webviewFrame(page, 'FingER: testsrc.mp4');
        await rowOf(frame, q.text).locator('[data-role="override-marker"]').waitFor({ timeout: 15_000 });
        await screenshot(page, 'finger-panel-override-dark');
      });
    }
  });
}

describe('FingER in an untrusted workspace', { timeout: 240_000 }, () => {
  let double: EndpointDouble;
  let s: Session;
  before(async () => {
    double = await startEndpointDouble();
    s = await openSession({ theme: 'dark', double, trust: true, name: 'e2e-untrusted' });
  });
  after(async () => {
    await s?.close();
    await double?.close();
  });

  test('Score Video refuses with a message saying why, and nothing is sent', async () => {
    const { page } = s;
    await explorerItem(page, 'testsrc.mp4').waitFor({ timeout: 30_000 });
    await runCommand(page, 'FingER: Score Video');
    // with no video in the active editor the command refuses before asking which video
    await waitForNotification(page, /untrusted workspace/i);
    await screenshot(page, 'finger-untrusted');
    await page.waitForTimeout(2000);
    assert.equal(double.chatRequests().length, 0, 'no request reached the endpoint');
    assert.equal(double.requests.length, 0, 'not even GET /models');
    assert.ok(!existsSync(join(s.workspace, '.finger', 'results')), 'no result written');
  });
});
