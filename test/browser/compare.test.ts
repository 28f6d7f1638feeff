// The Compare view and the side-by-side panel in a real Chromium, fed the messages the extension
// sends (built here with the engine's own compare/best-of-n/side-by-side from result files):
// leaderboard, charts, per-prompt table with the best-of-N marks, clicking a prompt posts the intent,
// the side-by-side grid lines answers up with the differing ones highlighted, hostile model text
// stays text, and both themes render (screenshots).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { compareModels } from '../../src/core/workbench/compare';
import { bestOfN } from '../../src/core/workbench/best-of-n';
import { groupClips, type ClipRecord } from '../../src/core/workbench/grouping';
import { sideBySide } from '../../src/core/workbench/side-by-side';
import { HOSTILE_TEXTS, answeredQuestion, resultFor } from '../fixtures/results/generate';
import { SCREENSHOTS, useHarness, type Harness } from './harness';

const MODELS = ['alpha', 'beta', 'gamma'];
const QUESTIONS = [
  ['visual_quality', 'Is the dog rendered clearly?'],
  ['temporal_consistency', 'Does the dog keep its shape?'],
  ['text_alignment', `Does the video show a dog ${HOSTILE_TEXTS[0]}?`],
  ['factual_consistency', 'Does the dog obey physics?'],
] as const;

function clips(): ClipRecord[] {
  const out: ClipRecord[] = [];
  MODELS.forEach((m, mi) => {
    for (let p = 0; p < 4; p++) {
      const video = `out/${m}/p${p}.mp4`;
      // The last question gets the same answer from every model; the others vary by model.
      const pYes = (qi: number) =>
        qi === 3 ? 0.9 : Math.min(0.98, Math.max(0.02, 0.3 + 0.2 * mi + 0.1 * ((p + qi) % 3) - (qi === 1 && mi === 2 ? 0.5 : 0)));
      const qs = QUESTIONS.map(([d, text], qi) =>
        answeredQuestion(`q${qi}`, d, 'dog', text, pYes(qi), `Reason ${HOSTILE_TEXTS[(qi + mi) % HOSTILE_TEXTS.length]}`),
      );
      out.push({ video, resultFile: '', result: resultFor(video, `A dog runs ${p} ${HOSTILE_TEXTS[1]}`, qs, m) });
    }
  });
  return out;
}

describe('Compare view and side-by-side panel (browser)', () => {
  let harness: Harness;
  useHarness((h) => (harness = h));

  const grouping = groupClips(clips(), 'out');
  const report = compareModels(grouping);
  const picks = bestOfN(grouping, { scope: 'all' });

  for (const theme of ['dark', 'light'] as const) {
    it(`leaderboard, charts and per-prompt table (${theme})`, async () => {
      const p = await harness.open('compare', { theme });
      await p.rendered(() =>
        p.send({
          kind: 'notification',
          method: 'compare/show',
          params: { theme, folder: 'out', report, picks: picks.picks.map((x) => ({ promptKey: x.promptKey, video: x.best.video })) },
        }),
      );
      const page = p.page;
      assert.deepEqual(
        await page.locator('table.leaderboard tbody tr td:nth-child(2)').allInnerTexts(),
        report.leaderboard.map((s) => s.model),
      );
      assert.equal(await page.locator('canvas').count(), 3);
      // Every chart drew something (a canvas with non-transparent pixels).
      const drawn = await page.locator('canvas').evaluateAll((cs) =>
        cs.map((c) => {
          const ctx = (c as HTMLCanvasElement).getContext('2d')!;
          const d = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
          return n;
        }),
      );
      assert.ok(
        drawn.every((n) => n > 500),
        `charts drawn: ${drawn.join(',')}`,
      );
      assert.equal(await page.locator('table.pairs tbody tr').count(), 3);
      // ★ on each prompt's pick, in the picked model's column.
      const starred = await page.locator('table.prompts td.picked').count();
      assert.equal(starred, 4);
      const firstPick = picks.picks[0]!;
      const col = MODELS.indexOf(firstPick.best.model) + 2;
      assert.match(await page.locator(`table.prompts tbody tr:nth-child(1) td:nth-child(${col})`).innerText(), /^★ /);
      // Prompt text stays text.
      assert.equal(await page.locator('img[onerror], script:not([nonce])').count(), 0);
      assert.ok((await page.locator('table.prompts').innerText()).includes(HOSTILE_TEXTS[1]));
      await page.screenshot({ path: path.join(SCREENSHOTS, `compare-${theme}.png`) });
      // Clicking a prompt posts the intent.
      await page.locator('table.prompts tbody tr:nth-child(2) button.link').click();
      const posted = await p.posted();
      assert.deepEqual(posted.at(-1), { kind: 'command', method: 'compare/openPrompt', params: { key: grouping.prompts[1]!.key } });
      assert.deepEqual(p.consoleErrors, []);
      assert.deepEqual(await p.violations(), []);
      await page.close();
    });

    it(`side by side: answers lined up, differing ones highlighted, frames (${theme})`, async () => {
      const p = await harness.open('compare', { theme });
      const group = grouping.prompts[1]!;
      const view = sideBySide(group);
      const frames = harness.media.frames.slice(0, 4).map((f) => ({ uri: `${harness.origin}${f.path}`, timeSec: f.timeSec }));
      await p.rendered(() =>
        p.send({
          kind: 'notification',
          method: 'compare/sideBySide',
          params: {
            theme,
            view: { ...view, clips: view.clips.map((c) => ({ ...c, frames, picked: c.video === picks.picks[1]!.best.video })) },
          },
        }),
      );
      const page = p.page;
      assert.equal(await page.locator('.sbs-clip').count(), 3);
      assert.equal(await page.locator('.sbs-a').count(), 3 * QUESTIONS.length);
      // Differing: computed here from the results, question by question.
      const differs = QUESTIONS.filter((_, qi) => new Set(group.clips.map((c) => c.result.questions[qi]!.answer)).size > 1).length;
      assert.ok(differs > 0 && differs < QUESTIONS.length, 'the fixture has both kinds');
      assert.equal(await page.locator('.sbs-q.differs').count(), differs);
      assert.equal(await page.locator('.sbs-a.differs').count(), differs * 3);
      // Reasons and question texts with markup are text.
      const text = await page.locator('.sbs').innerText();
      assert.ok(text.includes(HOSTILE_TEXTS[0]) && text.includes(HOSTILE_TEXTS[2]));
      assert.equal(await page.locator('.sbs script, .sbs img[onerror], .sbs a').count(), 0);
      const widths = await page.locator('.sbs-clip .frames img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).complete));
      assert.equal(widths.length, 12);
      assert.equal(await page.locator('.sbs-clip.picked').count(), 1);
      await page.locator('.sbs-clip button.path').first().click();
      assert.deepEqual((await p.posted()).at(-1), {
        kind: 'command',
        method: 'compare/openFile',
        params: { relPath: view.clips[0]!.video },
      });
      assert.deepEqual(p.consoleErrors, []);
      assert.deepEqual(await p.violations(), []);
      await page.screenshot({ path: path.join(SCREENSHOTS, `side-by-side-${theme}.png`) });
      await page.close();
    });
  }

  it('ignores malformed messages', async () => {
    const p = await harness.open('compare');
    await p.send({ kind: 'notification', method: 'compare/show', params: { report: { models: '<b>x</b>' } } });
    await p.page.waitForTimeout(100);
    assert.equal(await p.page.locator('#root').innerText(), '');
    await p.page.close();
  });
});
