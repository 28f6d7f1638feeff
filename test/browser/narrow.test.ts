// Narrow panels: the results panel at 360 px (a panel beside a prompt file) and the side panel at
// 260 px must not scroll sideways, and every question's text, answer, score and reason must stay
// on screen. Expected texts come from the fixture generator, never literals.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { HOSTILE_TEXTS, labelsOverriding, makeResult } from '../fixtures/results/generate';
import { SCREENSHOTS, type Harness, useHarness } from './harness';
import { detailsMessage, showMessage, toResults, toSidebar } from './messages';

let harness: Harness;
useHarness((h) => (harness = h));

interface Box {
  what: string;
  left: number;
  right: number;
  width: number;
  height: number;
  visible: boolean;
}

/** Horizontal overflow of the document and of every element that could scroll sideways. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const scrollers = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((e) => {
        const style = getComputedStyle(e);
        return (style.overflowX === 'auto' || style.overflowX === 'scroll') && e.scrollWidth > e.clientWidth + 1;
      })
      // The sampled frames are a film strip: it scrolls sideways by design, inside the panel.
      .filter((e) => !e.matches('ol.frame-strip'))
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { documentOverflow: Math.max(doc.scrollWidth, document.body.scrollWidth) - doc.clientWidth, scrollers };
  });
}

/** Boxes of the parts of one item, after scrolling it into view (content-visibility may skip
 *  off-screen rows). */
function boxes(page: Page, itemSelector: string, parts: Record<string, string>): Promise<Box[]> {
  return page.evaluate(
    ([selector, wanted]) => {
      const out: Box[] = [];
      for (const item of document.querySelectorAll<HTMLElement>(selector)) {
        item.scrollIntoView({ block: 'center' });
        for (const [what, partSelector] of Object.entries(wanted)) {
          const part = item.querySelector<HTMLElement>(partSelector);
          if (!part) continue;
          const r = part.getBoundingClientRect();
          out.push({
            what: `${item.dataset['questionId'] ?? ''} ${what}`,
            left: r.left,
            right: r.right,
            width: r.width,
            height: r.height,
            visible: part.checkVisibility({ visibilityProperty: true, opacityProperty: true }),
          });
        }
      }
      return out;
    },
    [itemSelector, parts] as const,
  );
}

function assertOnScreen(list: Box[], width: number): void {
  assert.ok(list.length > 0);
  for (const b of list) {
    assert.ok(b.visible && b.width > 0 && b.height > 0, `${b.what} is shown (${b.width}×${b.height})`);
    assert.ok(
      b.left >= -0.5 && b.right <= width + 0.5,
      `${b.what} lies within the ${width} px panel (${b.left.toFixed(1)}–${b.right.toFixed(1)})`,
    );
  }
}

describe('narrow panels', () => {
  it('results panel at 360 px: no sideways scrolling; question, answer, P(yes), score, reason and override stay visible; the radar shrinks', async () => {
    const width = 360;
    const result = makeResult({ questions: 40, seed: 17 });
    const target = result.questions.find((q) => q.answer === 'No');
    assert.ok(target);
    const labels = labelsOverriding(result, target, 'Yes', { note: 'Looks fine to me' });
    const panel = await harness.open('results', { viewport: { width, height: 800 } });
    await panel.rendered(() => panel.send(showMessage(harness, result, { labels })), 'full');
    await panel.send(
      toResults('results/error', {
        message: `Results file is not valid JSON ${HOSTILE_TEXTS[0]}`,
        file: '.finger/results/clips/a-very-long-folder-name/another-long-folder/chef-tomato.mp4.json',
      }),
    );
    await panel.page.waitForSelector('.banner-error');
    await panel.page.$$eval('details.reason', (all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));

    const shown = await boxes(panel.page, '.question-row', {
      question: '.q-text',
      answer: '.answer',
      probability: '.prob-value',
      score: '[data-role="score"]',
      reason: '.reason-text',
      yes: 'button[data-answer="Yes"]',
      note: 'button[data-action="note"]',
      marker: '[data-role="override-marker"]',
    });
    assertOnScreen(shown, width);
    for (const what of ['question', 'answer', 'score', 'reason', 'probability', 'yes', 'note', 'marker']) {
      assert.ok(
        shown.some((b) => b.what.endsWith(` ${what}`)),
        `some row shows its ${what}`,
      );
    }
    assert.equal(shown.filter((b) => b.what.endsWith(' question')).length, result.questions.length);
    // The reasons wrap instead of widening the row.
    const reasonLines = await panel.page.$$eval('.reason-text', (ps) =>
      ps.map((p) => p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight || '16')),
    );
    assert.ok(
      reasonLines.some((lines) => lines > 1.5),
      'long reasons wrap onto several lines',
    );

    const radar = await panel.page.locator('.radar canvas').boundingBox();
    assert.ok(radar && radar.width > 150 && radar.x >= 0 && radar.x + radar.width <= width, `the radar fits (${JSON.stringify(radar)})`);
    // Every dimension name is drawn inside the canvas (they wrap onto two lines when narrow).
    await panel.page.waitForFunction(() => window.__fingerResults?.chart().data.datasets[0]?.data.some((v) => v !== null));
    const pointLabels = await panel.page.evaluate(() => {
      const chart = window.__fingerResults?.chart();
      const items =
        (chart?.scales['r'] as unknown as { _pointLabelItems?: { left: number; right: number; top: number; bottom: number }[] })
          ._pointLabelItems ?? [];
      return { width: chart?.width ?? 0, height: chart?.height ?? 0, items };
    });
    assert.equal(pointLabels.items.length, 5);
    for (const item of pointLabels.items)
      assert.ok(
        item.left >= 0 && item.right <= pointLabels.width && item.top >= 0 && item.bottom <= pointLabels.height,
        `radar label inside the canvas: ${JSON.stringify(item)}`,
      );
    assertOnScreen(
      await boxes(panel.page, '.panel-header', {
        overall: '[data-role="overall"]',
        name: '[data-role="video-name"]',
        prompt: '[data-role="prompt"]',
      }),
      width,
    );
    assertOnScreen(
      await boxes(panel.page, '.toolbar', {
        search: '.filter-text',
        dimension: '.filter-dimension',
        entity: '.filter-entity',
        failing: '.filter-failing',
      }),
      width,
    );
    assertOnScreen(await boxes(panel.page, '.media', { strip: '.frame-strip', stage: '.media-stage' }), width);
    assertOnScreen(
      await boxes(panel.page, '.banners', { message: '.banner-message', file: '.banner-file', dismiss: 'button[aria-label="Dismiss"]' }),
      width,
    );

    await panel.page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    assert.deepEqual(await overflow(panel.page), { documentOverflow: 0, scrollers: [] }, 'nothing scrolls sideways');
    await panel.page.evaluate(() => window.scrollTo(0, 0));
    await panel.page.waitForTimeout(400); // the chart's entry animation
    await panel.page.screenshot({ path: join(SCREENSHOTS, 'results-narrow-360-top.png') });
    // Rows off screen are skipped by content-visibility, so a full-page picture would show them
    // blank: the table gets its own picture with the first rows in view.
    await panel.page
      .locator('.dimension-group')
      .first()
      .evaluate((g) => g.scrollIntoView({ block: 'start' }));
    await panel.page.waitForTimeout(100);
    await panel.page.screenshot({ path: join(SCREENSHOTS, 'results-narrow-360-table.png') });
    assert.deepEqual(await panel.violations(), []);
    assert.deepEqual(panel.consoleErrors, []);
    await panel.page.close();
  });

  it('results panel keeps its columns when wide', async () => {
    const result = makeResult({ questions: 10, seed: 2 });
    const panel = await harness.open('results', { viewport: { width: 1100, height: 800 } });
    await panel.rendered(() => panel.send(showMessage(harness, result)), 'full');
    const row = panel.page.locator('.question-row').first();
    const [question, answer, score] = await Promise.all(
      ['.q-text', '.answer', '[data-role="score"]'].map((s) => row.locator(s).boundingBox()),
    );
    assert.ok(question && answer && score);
    // One line per question: the answer and the score sit beside the question, not under it.
    assert.ok(answer.y < question.y + question.height && score.y < question.y + question.height);
    assert.ok(answer.x > question.x && score.x > answer.x);
    assert.ok(await panel.page.locator('.questions-head').isVisible());
    await panel.page.close();
  });

  it('side panel at 260 px: no sideways scrolling; videos, questions, answers, probabilities and reasons stay visible', async () => {
    const width = 260;
    const result = makeResult({ questions: 20, seed: 5, hostile: true });
    const panel = await harness.open('sidebar', { viewport: { width, height: 900 } });
    const rows = [
      {
        relPath: 'clips/a-rather-long-folder-name/with-a-long-clip-name-from-a-model-sweep.mp4',
        overall: 0.62,
        dimensions: { visual_quality: 0.5, temporal_consistency: 0.7 },
        createdAt: '2026-01-03T10:00:00Z',
        model: 'Qwen/Qwen2.5-VL-72B-Instruct-AWQ',
      },
      {
        relPath: 'other/broken.webm',
        overall: null,
        dimensions: {},
        createdAt: '2026-01-04T10:00:00Z',
        error: 'ffprobe: invalid data found when processing input /very/long/path/to/other/broken.webm',
      },
    ];
    await panel.send(
      toSidebar('sidebar/jobs', {
        jobs: [{ id: 'j', label: 'Score clips/a-rather-long-folder-name/with-a-long-clip-name.mp4', done: 3, total: 20, phase: 'answers' }],
      }),
    );
    await panel.send(toSidebar('sidebar/videos', { rows }));
    await panel.rendered(() => panel.send(detailsMessage(result.video.path, result)));
    await panel.page.$$eval('details.reason', (all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));

    const questions = await boxes(panel.page, 'li.q', {
      question: '.q-text',
      answer: '.answer',
      probability: '.q-prob',
      reason: '.reason-text',
    });
    assertOnScreen(questions, width);
    assert.equal(questions.filter((b) => b.what.endsWith(' question')).length, result.questions.length);
    assertOnScreen(
      await boxes(panel.page, '.details-section', {
        name: '.details-name',
        overall: '[data-role="overall"]',
        search: '.details-search',
        dimension: '.mini-value',
      }),
      width,
    );
    assertOnScreen(await boxes(panel.page, 'li.job', { label: '.job-label', cancel: 'button', phase: '.job-phase' }), width);
    assertOnScreen(
      await boxes(panel.page, 'ul.videos li', { name: '.video-name', overall: '[data-role="overall"]', dims: '.video-dims' }),
      width,
    );
    assertOnScreen(await boxes(panel.page, '.videos-section', { filter: '.videos-filter', sort: '.videos-sort' }), width);

    assert.deepEqual(await overflow(panel.page), { documentOverflow: 0, scrollers: [] }, 'nothing scrolls sideways');
    await panel.page.screenshot({ path: join(SCREENSHOTS, 'sidebar-narrow-260.png'), fullPage: true });
    assert.deepEqual(await panel.violations(), []);
    assert.deepEqual(panel.consoleErrors, []);
    await panel.page.close();
  });
});
