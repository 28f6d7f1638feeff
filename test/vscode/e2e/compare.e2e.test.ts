// The Compare view as a person uses it: code-server with the packaged extension, a folder with two
// models' clips of the same prompts (results under .finger/results), right-click the folder →
// FingER: Compare Models in Folder → the leaderboard; click a prompt → its clips side by side.
// Screenshots in light and dark: test-output/screenshots/finger-compare-{light,dark}.png and
// finger-side-by-side-{light,dark}.png.
//
//   node --import tsx --test test/vscode/e2e/compare.e2e.test.ts
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { explorerContextMenu, screenshot, webviewFrame, workbenchErrors } from '../../harness/browser';
import { openWorkbenchSession, type WorkbenchSession } from '../../harness/session';
import { makeSampleWorkspace } from '../../harness/workspace';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';

const PROMPTS = ['A chef slices a tomato on a wooden board', 'A red kite rises above a windy beach', 'A dog runs through autumn leaves'];

for (const theme of ['dark', 'light'] as const) {
  describe(`Compare Models in Folder (${theme})`, { timeout: 300_000 }, () => {
    let workspace: string;
    let session: WorkbenchSession;

    before(async () => {
      workspace = await makeSampleWorkspace();
      for (const [mi, model] of ['wan', 'hunyuan'].entries()) {
        PROMPTS.forEach((prompt, p) => {
          const rel = `generations/${model}/p${p + 1}.mp4`;
          mkdirSync(join(workspace, dirname(rel)), { recursive: true });
          copyFileSync(join(workspace, 'mandelbrot.mp4'), join(workspace, rel));
          writeFileSync(join(workspace, rel.replace(/\.mp4$/, '.txt')), prompt);
          const qs = [
            answeredQuestion(
              'q1',
              'visual_quality',
              'subject',
              'Is the main subject rendered without distortion?',
              mi === 0 ? 0.35 + 0.1 * p : 0.8,
              mi === 0 ? 'The edges smear in the middle frames.' : 'Sharp throughout.',
            ),
            answeredQuestion(
              'q2',
              'text_alignment',
              'subject',
              'Does the video show what the prompt describes?',
              0.7 + 0.05 * p - 0.1 * mi,
              'Mostly as described.',
            ),
            answeredQuestion('q3', 'temporal_consistency', 'subject', 'Does the subject keep its identity across frames?', 0.9, 'Stable.'),
          ];
          const file = join(workspace, '.finger', 'results', `${rel}.json`);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, JSON.stringify(resultFor(rel, prompt, qs), null, 2));
        });
      }
      session = await openWorkbenchSession({ workspace, theme, name: `e2e-compare-${theme}`, viewport: { width: 1500, height: 950 } });
    });

    after(async () => {
      await session?.close();
    });

    test('right-click a folder → Compare: the leaderboard; click a prompt → side by side', async () => {
      const { page } = session;
      await explorerContextMenu(page, 'generations', 'Compare Models in Folder');
      const frame = await webviewFrame(page, 'FingER: Compare generations');
      const rows = frame.locator('table.leaderboard tbody tr');
      await rows.first().waitFor({ timeout: 30_000 });
      assert.deepEqual(await frame.locator('table.leaderboard tbody tr td:nth-child(2)').allInnerTexts(), ['hunyuan', 'wan']);
      assert.equal(await frame.locator('canvas').count(), 3);
      assert.equal(await frame.locator('table.prompts tbody tr').count(), 3);
      await page.waitForTimeout(500);
      await screenshot(page, `finger-compare-${theme}`);

      await frame.locator('table.prompts tbody tr:nth-child(1) button.link').click();
      const side = await webviewFrame(page, 'FingER: p1');
      await side.locator('.sbs-clip').first().waitFor({ timeout: 30_000 });
      assert.equal(await side.locator('.sbs-clip').count(), 2);
      // q1 (Yes for hunyuan at 0.8, No for wan at 0.35) differs; q2 (Yes for both) and q3 (0.9 for both) do not.
      assert.equal(await side.locator('.sbs-q.differs').count(), 1);
      assert.match(await side.locator('.sbs-q.differs').innerText(), /rendered without distortion/);
      await page.waitForTimeout(500);
      await screenshot(page, `finger-side-by-side-${theme}`);
      assert.deepEqual(await workbenchErrors(page), []);
    });
  });
}
