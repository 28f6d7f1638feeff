// The Testing view as a person sees it: code-server with the packaged extension, a workspace with
// two scored clips (results current under .finger/results), Run All in the Test Explorer: one
// clip passes, the other fails text alignment, and going to the failure shows the message with
// the question, the answer and the reason at the entity in the prompt file.
// Screenshot: test-output/screenshots/finger-testing-dark.png (copied to docs/finger-testing.png).
//
//   node --import tsx --test test/vscode/e2e/testing.e2e.test.ts
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { runCommand, screenshot } from '../../harness/browser';
import { activateFinger, openWorkbenchSession, type WorkbenchSession } from '../../harness/session';
import { makeSampleWorkspace, SAMPLE_CLIPS } from '../../harness/workspace';
import { writeGateResults } from '../../fixtures/results/generate';

describe('Testing view (dark)', { timeout: 400_000 }, () => {
  let workspace: string;
  let session: WorkbenchSession;

  before(async () => {
    // The two clips with current results: a third, unscored clip would be scored by Run All and,
    // with no endpoint configured, errored, which is a failure the peek would go to first.
    workspace = await makeSampleWorkspace({ clips: SAMPLE_CLIPS.filter((c) => c.file === 'testsrc.mp4' || c.file === 'mandelbrot.mp4') });
    writeGateResults(workspace);
    session = await openWorkbenchSession({ workspace, name: 'e2e-testing' });
  });

  after(async () => {
    await session?.close();
  });

  test('the Test Explorer lists the clips; Run All passes one and fails the other with the reason', async () => {
    const { page } = session;
    await activateFinger(page);
    await runCommand(page, 'Testing: Focus on Test Explorer View', 60_000);
    const tree = page.locator('.test-explorer .monaco-list-row');
    await tree.filter({ hasText: 'mandelbrot.mp4' }).first().waitFor({ timeout: 60_000 });
    await tree.filter({ hasText: 'testsrc.mp4' }).first().waitFor({ timeout: 10_000 });
    await runCommand(page, 'Test: Run All Tests');
    const failed = tree.filter({ hasText: 'mandelbrot.mp4' }).locator('.codicon-testing-failed-icon');
    await failed
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'finger-testing-failure');
        throw e;
      });
    // The clips run one after the other: wait for the second verdict too.
    await tree
      .filter({ hasText: 'testsrc.mp4' })
      .locator('.codicon-testing-passed-icon')
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'finger-testing-failure');
        throw e;
      });
    // The Test Results view lists every item of the run (opened here: VS Code opens it by itself
    // only sometimes); choosing the failed dimension shows its message.
    await runCommand(page, 'Test: Show Output');
    const failedRow = page.locator('.monaco-list-row').filter({ hasText: 'Text alignment' }).filter({ hasText: 'below the gate' }).first();
    const fail = async (e: unknown) => {
      writeFileSync((await screenshot(page, 'finger-testing-failure')).replace(/\.png$/, '.html'), await page.content());
      throw e;
    };
    await failedRow.waitFor({ timeout: 30_000 }).catch(fail);
    await failedRow.click();
    const message = page.locator('.monaco-editor, .rendered-markdown').filter({ hasText: 'glowing fractal' }).first();
    await message.waitFor({ timeout: 30_000 }).catch(fail);
    const text = (await message.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /below the gate: text_alignment 0\.100 < 0\.5/);
    assert.match(text, /Only a flat gradient is visible/);
    // The failure is in the Problems list too, at the entity in the prompt file: going there opens it.
    await page.getByRole('tab', { name: /^Problems/ }).click();
    const problem = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'glowing fractal' }).first();
    await problem.waitFor({ timeout: 30_000 }).catch(fail);
    await problem.click();
    await page.locator('.tab.active').filter({ hasText: 'mandelbrot.txt' }).waitFor({ timeout: 30_000 }).catch(fail);
    // Back to the message for the screenshot: the explorer, the prompt file and the reason.
    await page.getByRole('tab', { name: /^Test Results/ }).click();
    await failedRow.click();
    await message.waitFor({ timeout: 30_000 }).catch(fail);
    await page.waitForTimeout(500);
    await screenshot(page, 'finger-testing-dark');
  });
});
