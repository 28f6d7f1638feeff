// High-contrast themes: the results panel and the side panel under `vscode-high-contrast` and
// `vscode-high-contrast-light` with the themes' --vscode-* values (test/browser/theme.css). The
// chart must take its colours from those variables, and rows, bars and focus must carry visible
// outlines where VS Code's own lists and toolbars draw them (contrastBorder, contrastActiveBorder,
// focusBorder). Expected colours are read from the variables, never literals.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { labelsOverriding, makeResult } from '../fixtures/results/generate';
import { SCREENSHOTS, type Harness, useHarness, type Theme } from './harness';
import { detailsMessage, showMessage, toSidebar } from './messages';

let harness: Harness;
useHarness((h) => (harness = h));

const HC_THEMES: Theme[] = ['high-contrast', 'high-contrast-light'];

/** A --vscode-* variable as the computed rgb()/rgba() colour the browser reports for it. */
function colorOf(page: Page, variable: string): Promise<string> {
  return page.evaluate((name) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${name})`; // CSSOM: allowed under the CSP
    document.body.appendChild(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  }, variable);
}

/** Raw value of a variable (what Chart.js is given). */
function varOf(page: Page, variable: string): Promise<string> {
  return page.evaluate((name) => getComputedStyle(document.body).getPropertyValue(name).trim(), variable);
}

interface Line {
  style: string;
  width: number;
  color: string;
}

async function outline(locator: Locator): Promise<Line> {
  return locator.evaluate((e) => {
    const s = getComputedStyle(e);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
  });
}

async function border(locator: Locator, side: 'top' | 'bottom' | 'left' = 'bottom'): Promise<Line> {
  return locator.evaluate((e, which) => {
    const s = getComputedStyle(e);
    const cap = which.charAt(0).toUpperCase() + which.slice(1);
    return {
      style: s.getPropertyValue(`border-${which}-style`),
      width: parseFloat(s.getPropertyValue(`border-${which}-width`)),
      color: s.getPropertyValue(`border-${which}-color`) || (s as unknown as Record<string, string>)[`border${cap}Color`] || '',
    };
  }, side);
}

function assertLine(actual: Line, style: string, color: string, what: string): void {
  assert.equal(actual.style, style, `${what}: ${style} line (got ${JSON.stringify(actual)})`);
  assert.ok(actual.width >= 1, `${what}: at least 1 px wide (got ${actual.width})`);
  assert.equal(actual.color, color, `${what}: colour`);
}

function chartColors(page: Page) {
  return page.evaluate(() => {
    const chart = window.__fingerResults?.chart();
    const dataset = chart?.data.datasets[0];
    const r = chart?.options.scales?.['r'] as
      { grid: { color: unknown }; angleLines: { color: unknown }; pointLabels: { color: unknown }; ticks: { color: unknown } } | undefined;
    return {
      border: dataset?.borderColor,
      point: dataset?.pointBackgroundColor,
      fill: dataset?.backgroundColor,
      width: dataset?.borderWidth,
      grid: r?.grid.color,
      angleLines: r?.angleLines.color,
      labels: r?.pointLabels.color,
      ticks: r?.ticks.color,
    };
  });
}

describe('high-contrast themes', () => {
  for (const theme of HC_THEMES) {
    it(`results panel in ${theme}: chart colours from the theme; rows, bars and focus outlined`, async () => {
      const result = makeResult({ questions: 30, seed: 17 });
      const target = result.questions.find((q) => q.answer === 'No' && q.reason);
      assert.ok(target);
      const labels = labelsOverriding(result, target, 'Yes');
      const panel = await harness.open('results', { theme, viewport: { width: 1100, height: 1400 } });
      await panel.rendered(() => panel.send(showMessage(harness, result, { labels })), 'full');
      const page = panel.page;
      const contrastBorder = await colorOf(page, '--vscode-contrastBorder');
      const activeBorder = await colorOf(page, '--vscode-contrastActiveBorder');
      const focusBorder = await colorOf(page, '--vscode-focusBorder');
      assert.notEqual(contrastBorder, 'rgba(0, 0, 0, 0)', 'the test theme defines contrastBorder');

      // The radar: line from charts.blue, no translucent fill, grid and spokes in contrastBorder,
      // labels and ticks in the full foreground colour.
      await page.waitForFunction(() => window.__fingerResults?.chart().data.datasets[0]?.data.some((v) => v !== null));
      const chart = await chartColors(page);
      assert.equal(chart.border, await varOf(page, '--vscode-charts-blue'));
      assert.equal(chart.point, chart.border);
      assert.match(String(chart.fill), /^rgba\(.*,\s*0\)$/, 'no fill under the line');
      assert.ok(Number(chart.width) >= 2);
      assert.equal(chart.grid, await varOf(page, '--vscode-contrastBorder'));
      assert.equal(chart.angleLines, await varOf(page, '--vscode-contrastBorder'));
      assert.equal(chart.labels, await varOf(page, '--vscode-foreground'));
      assert.equal(chart.ticks, await varOf(page, '--vscode-foreground'));

      // Rows: a contrastBorder separator; hover draws VS Code's dashed list outline.
      const row = page.locator(`.question-row[data-question-id="${target.id}"]`);
      await row.scrollIntoViewIfNeeded();
      assertLine(await border(row), 'solid', contrastBorder, 'row separator');
      await row.locator('.q-text').hover();
      assertLine(await outline(row), 'dashed', activeBorder, 'hovered row');
      assertLine(
        await border(page.locator('.dimension-row > *').first()),
        'solid',
        await colorOf(page, '--vscode-panel-border'),
        'dimension heading rule',
      );

      // Bars and chips.
      assertLine(await outline(row.locator('.prob-bar')), 'solid', contrastBorder, 'P(yes) bar');
      assertLine(await outline(page.locator('.dimension-list .bar').first()), 'solid', contrastBorder, 'dimension bar');
      assertLine(await border(row.locator('.answer')), 'solid', contrastBorder, 'answer chip');
      assertLine(await border(page.locator('.overall')), 'solid', contrastBorder, 'overall score box');
      assertLine(
        await border(row.locator('button[data-answer="No"]')),
        'solid',
        await colorOf(page, '--vscode-button-border'),
        'override button',
      );
      assertLine(
        await border(row.locator('button[data-answer="Yes"]')),
        'solid',
        await colorOf(page, '--vscode-inputOption-activeBorder'),
        'active override button',
      );
      await row.locator('details.reason').evaluate((d) => ((d as HTMLDetailsElement).open = true));
      assertLine(await border(row.locator('.reason-text')), 'solid', contrastBorder, 'reason block');

      // Keyboard focus: the focused button gets a focusBorder outline, its row the active border.
      await page.mouse.move(0, 0);
      await row.locator('summary').focus();
      await page.keyboard.press('Tab');
      const focused = page.locator(':focus-visible');
      assert.equal(await focused.getAttribute('data-answer'), 'Yes', 'Tab moves from the reason to the override buttons');
      assertLine(await outline(focused), 'solid', focusBorder, 'focused button');
      assertLine(await outline(row), 'solid', activeBorder, 'row holding the focus');

      await page.waitForTimeout(400); // the chart's entry animation
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(SCREENSHOTS, `results-${theme}.png`) });
      assert.deepEqual(await panel.violations(), []);
      assert.deepEqual(panel.consoleErrors, []);
      await page.close();
    });

    it(`side panel in ${theme}: bars, chips, sections and list rows outlined`, async () => {
      const result = makeResult({ questions: 12, seed: 3 });
      const panel = await harness.open('sidebar', { theme, viewport: { width: 320, height: 1100 } });
      const page = panel.page;
      await panel.send(
        toSidebar('sidebar/videos', {
          rows: [
            {
              relPath: 'clips/a-chef.mp4',
              overall: 0.42,
              dimensions: { visual_quality: 0.3, text_alignment: 0.8 },
              createdAt: '2026-01-01T10:00:00Z',
              model: 'm',
            },
          ],
        }),
      );
      await panel.rendered(() => panel.send(detailsMessage(result.video.path, result)));
      const contrastBorder = await colorOf(page, '--vscode-contrastBorder');
      const activeBorder = await colorOf(page, '--vscode-contrastActiveBorder');

      assertLine(await outline(page.locator('.mini-dimension .bar').first()), 'solid', contrastBorder, 'dimension bar');
      assertLine(await outline(page.locator('.video-dim .bar').first()), 'solid', contrastBorder, 'video dimension bar');
      assertLine(await border(page.locator('li.q .answer').first()), 'solid', contrastBorder, 'answer chip');
      assertLine(await border(page.locator('.section').first()), 'solid', contrastBorder, 'section rule');
      assertLine(await border(page.locator('.section-count').first()), 'solid', contrastBorder, 'count badge');

      const q = page.locator('li.q').first();
      await q.locator('.q-text').hover();
      assertLine(await outline(q), 'dashed', activeBorder, 'hovered question');
      const video = page.locator('button.video').first();
      await video.hover();
      assertLine(await outline(video), 'dashed', activeBorder, 'hovered video');
      await page.mouse.move(0, 0);
      // Keyboard focus: Tab from the sort select into the list.
      await page.locator('vscode-single-select.videos-sort').focus();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset['relPath']), 'clips/a-chef.mp4');
      assertLine(await outline(video), 'solid', await colorOf(page, '--vscode-list-focusOutline'), 'focused video');

      await page.screenshot({ path: join(SCREENSHOTS, `sidebar-${theme}.png`), fullPage: true });
      assert.deepEqual(await panel.violations(), []);
      assert.deepEqual(panel.consoleErrors, []);
      await page.close();
    });
  }

  it('a switch to a high-contrast theme recolours the chart from the new variables', async () => {
    const result = makeResult({ questions: 20, seed: 8 });
    const panel = await harness.open('results', { theme: 'dark' });
    await panel.rendered(() => panel.send(showMessage(harness, result)), 'full');
    await panel.page.waitForFunction(() => window.__fingerResults?.chart().data.datasets[0]?.data.some((v) => v !== null));
    const dark = await chartColors(panel.page);
    for (const theme of HC_THEMES) {
      await panel.setTheme(theme);
      const contrast = await varOf(panel.page, '--vscode-contrastBorder');
      await panel.page.waitForFunction((c) => window.__fingerResults?.chart().options.scales?.['r']?.grid?.color === c, contrast);
      const hc = await chartColors(panel.page);
      assert.equal(hc.border, await varOf(panel.page, '--vscode-charts-blue'));
      assert.equal(hc.ticks, await varOf(panel.page, '--vscode-foreground'));
      assert.match(String(hc.fill), /,\s*0\)$/);
      assert.notEqual(hc.grid, dark.grid);
    }
    await panel.page.close();
  });
});
