// Prompt annotations in a manifest, as a person sees them: code-server with the packaged extension,
// a prompts.csv listing three clips (two with results under .finger/results, one without), opened
// from Quick Open. Each scored entry gets a CodeLens naming its video, failing entities are
// underlined inside their entry's quoted prompt, and hovering one shows the question and answer.
// Screenshot: test-output/screenshots/finger-manifest-annotations-dark.png
//
//   node --import tsx --test test/vscode/e2e/manifest-annotations.e2e.test.ts
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { screenshot } from '../../harness/browser';
import { activateFinger, openWorkbenchSession, type WorkbenchSession } from '../../harness/session';
import { makeSampleWorkspace } from '../../harness/workspace';
import type { Result } from '../../../src/core/types';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';

const CSV = [
  'video,prompt',
  'chef.mp4,"A chef in a ""tall"" hat slices a ripe tomato on a wooden board"',
  'kite.mp4,"A red kite rises above a windy beach,',
  'then dives towards the sea"',
  'dog.mp4,A dog runs through autumn leaves',
  '',
].join('\n');

const q = answeredQuestion;
const result = resultFor;

describe('Prompt annotations in a prompts.csv (dark)', { timeout: 300_000 }, () => {
  let workspace: string;
  let session: WorkbenchSession;

  before(async () => {
    workspace = await makeSampleWorkspace();
    const dir = join(workspace, 'manifest-set');
    mkdirSync(dir, { recursive: true });
    for (const v of ['chef.mp4', 'kite.mp4', 'dog.mp4']) copyFileSync(join(workspace, 'mandelbrot.mp4'), join(dir, v));
    writeFileSync(join(dir, 'prompts.csv'), CSV);
    const write = (rel: string, r: Result) => {
      const file = join(workspace, '.finger', 'results', `${rel}.json`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(r, null, 2));
    };
    write(
      'manifest-set/chef.mp4',
      result('manifest-set/chef.mp4', 'A chef in a "tall" hat slices a ripe tomato on a wooden board', [
        q(
          'q1',
          'visual_quality',
          'chef',
          "Are the chef's hands and fingers anatomically correct?",
          0.12,
          'In the middle frames the left hand has six fingers.',
        ),
        q('q2', 'text_alignment', 'hat', 'Does the chef wear a tall hat?', 0.91, 'A white toque is visible throughout.'),
        q(
          'q3',
          'factual_consistency',
          'tomato',
          'Does the tomato stay in pieces after it is sliced?',
          0.27,
          'The slices merge back into a whole tomato.',
        ),
        q('q4', 'temporal_consistency', 'board', 'Does the wooden board keep its shape?', 0.88, 'The board is stable.'),
      ]),
    );
    write(
      'manifest-set/kite.mp4',
      result('manifest-set/kite.mp4', 'A red kite rises above a windy beach,\nthen dives towards the sea', [
        q('q1', 'text_alignment', 'kite', 'Is the kite red?', 0.18, 'The kite is blue.'),
        q('q2', 'dynamic_degree', 'kite', 'Does the kite rise and then dive?', 0.82, 'It climbs, then drops.'),
        q('q3', 'visual_quality', 'sea', 'Is the sea free of artifacts?', 0.76, 'Waves look natural.'),
      ]),
    );
    session = await openWorkbenchSession({ workspace, name: 'e2e-manifest' });
  });

  after(async () => {
    await session?.close();
  });

  test('each scored entry gets a CodeLens naming its video; failing entities are underlined; a hover shows the answer', async () => {
    const { page } = session;
    // FingER activates on its views and commands; then back to the Explorer.
    await activateFinger(page);
    await page.locator('.activitybar [aria-label^="Explorer"]').first().click();
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true });
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('manifest-set/prompts.csv');
    await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: 'manifest-set' }).first().click({ timeout: 15_000 });
    const lenses = page.locator('.codelens-decoration');
    await lenses
      .filter({ hasText: 'chef.mp4' })
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'finger-manifest-annotations-failure');
        throw e;
      });
    await lenses.filter({ hasText: 'kite.mp4' }).first().waitFor({ timeout: 30_000 });
    const titles = (await lenses.allInnerTexts()).join('\n');
    assert.match(titles, /chef\.mp4\s+·\s+FingER 0\.5\d/);
    assert.ok(!titles.includes('dog.mp4'), 'the unscored dog gets no lens');
    const squiggles = page.locator('.squiggly-warning');
    await squiggles.nth(2).waitFor({ timeout: 30_000 });
    assert.equal(await squiggles.count(), 3, 'chef, tomato and kite are underlined');
    // Hover the underlined "tomato" (inside the quoted prompt) to show the question and answer.
    const tomato = page.locator('.view-line span', { hasText: 'tomato' }).first();
    const box = await tomato.boundingBox();
    assert.ok(box, 'the tomato is on screen');
    const at = (await tomato.textContent())!.indexOf('tomato');
    const charWidth = box.width / Math.max(1, (await tomato.textContent())!.length);
    await page.mouse.move(box.x + (at + 3) * charWidth, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover').filter({ hasText: 'Does the tomato stay in pieces' }).first();
    await hover.waitFor({ timeout: 15_000 });
    assert.match((await hover.innerText()).replace(/\s+/g, ' '), /No \(p=0\.73\)/);
    await page.waitForTimeout(400);
    await screenshot(page, 'finger-manifest-annotations-dark');
  });
});
