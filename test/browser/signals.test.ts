// The Signals strip of the results panel, and the CI gate's Markdown summary, in a real headless
// Chromium. The strip is fed a signals result built by the engine's own signalsResult() from a
// report with known ranges; the summary is rendered with `marked` (GitHub-flavoured Markdown) as
// a CI page would show $GITHUB_STEP_SUMMARY.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { evaluateGate } from '../../src/core/gate';
import { markdownSummary } from '../../src/core/gate/summary';
import { DEFAULT_SIGNAL_THRESHOLDS, signalsResult, type SignalsReport } from '../../src/core/signals';
import { answeredQuestion, HOSTILE_TEXTS, makeResult, resultFor } from '../fixtures/results/generate';
import { SCREENSHOTS, type Harness, useHarness } from './harness';
import { showMessage } from './messages';

let harness: Harness;
useHarness((h) => (harness = h));

const outcome = (
  id: SignalsReport['signals'][number]['id'],
  label: string,
  pass: boolean,
  ranges: { start: number; end: number }[],
  value = 0,
  unit = 's',
) => ({
  id,
  label,
  value,
  unit,
  threshold: 'see settings',
  pass,
  ranges,
});

const REPORT: SignalsReport = {
  frames: 125,
  durationSec: 5,
  frameIntervalSec: 0.04,
  analysisWidth: 160,
  analysisHeight: 90,
  signals: [
    outcome('dynamic', 'Dynamic degree', true, [], 12.5, 'mean TI'),
    outcome('frozen', 'Frozen stretches', false, [{ start: 1, end: 2 }], 1),
    outcome('cut', 'Hard cuts', false, [{ start: 3.2, end: 3.24 }], 1, 'cuts'),
    outcome('flicker', 'Flicker', true, []),
    outcome('blur', 'Blur', true, []),
    outcome('black', 'Black frames', false, [{ start: 4, end: 4.5 }], 0.5),
  ],
};

describe('Signals strip', () => {
  it('draws each flagged range at its place on the clip timeline, over the frames', async () => {
    const result = signalsResult({
      rel: 'clips/chef-tomato.mp4',
      sha256: 'x',
      info: { durationSec: 5, width: 480, height: 270, fps: 25 },
      report: REPORT,
      thresholds: DEFAULT_SIGNAL_THRESHOLDS,
    });
    const panel = await harness.open('results', { theme: 'dark', viewport: { width: 900, height: 800 } });
    // The results panel sends a signals result's report beside the rows (resultsPanel.ts, sendShow).
    const message = showMessage(harness, result, { theme: 'dark' });
    const withSignals = { ...message, params: { ...message.params, signals: result.signals } };
    await panel.rendered(() => panel.send(withSignals), 'full');
    const strip = await panel.page.$eval('section.signals', (s) => ({
      hidden: (s as HTMLElement).hidden,
      summary: s.querySelector('.signals-summary')?.textContent,
      lanes: [...s.querySelectorAll('.signals-lane')].map((l) => ({
        id: (l as HTMLElement).dataset['signal'],
        fail: l.classList.contains('fail'),
        value: l.querySelector('.signals-value')?.textContent,
        ranges: [...l.querySelectorAll('.signals-range')].map((r) => {
          const track = r.parentElement!.getBoundingClientRect();
          const box = r.getBoundingClientRect();
          return { label: r.getAttribute('aria-label'), left: (box.left - track.left) / track.width, width: box.width / track.width };
        }),
      })),
      frames: s.querySelectorAll('.signals-frame img').length,
    }));
    assert.equal(strip.hidden, false);
    assert.equal(strip.summary, '3 of 6 failed');
    assert.deepEqual(
      strip.lanes.map((l) => l.id),
      ['dynamic', 'frozen', 'cut', 'flicker', 'blur', 'black'],
    );
    assert.deepEqual(
      strip.lanes.map((l) => l.fail),
      [false, true, true, false, false, true],
    );
    const frozen = strip.lanes[1]!.ranges;
    assert.equal(frozen.length, 1);
    assert.equal(frozen[0]!.label, 'Frozen stretches 1 s–2 s');
    assert.ok(Math.abs(frozen[0]!.left - 0.2) < 0.01 && Math.abs(frozen[0]!.width - 0.2) < 0.01, JSON.stringify(frozen));
    const black = strip.lanes[5]!.ranges[0]!;
    assert.ok(Math.abs(black.left - 0.8) < 0.01 && Math.abs(black.width - 0.1) < 0.01, JSON.stringify(black));
    assert.equal(strip.lanes[2]!.ranges[0]!.label, 'Hard cuts at 3.20 s');
    assert.equal(strip.lanes[0]!.value, '✓ 12.5 mean TI');
    assert.equal(strip.frames, harness.media.frames.length);
    assert.deepEqual(await panel.violations(), []);
    assert.deepEqual(panel.consoleErrors, []);
    await (await panel.page.$('section.signals'))!.screenshot({ path: join(SCREENSHOTS, 'signals-strip-dark.png') });
    await panel.page.close();
  });

  it('is not shown for a FingER result', async () => {
    const panel = await harness.open('results', { theme: 'dark' });
    await panel.rendered(() => panel.send(showMessage(harness, makeResult({ questions: 10, seed: 3 }), { theme: 'dark' })), 'full');
    assert.equal(await panel.page.$eval('section.signals', (s) => (s as HTMLElement).hidden), true);
    await panel.page.close();
  });
});

describe('gate summary Markdown', () => {
  it('renders as a table and failure list, with model text as text', async () => {
    const hostile = HOSTILE_TEXTS.join(' ');
    const good = resultFor('clips/good.mp4', 'p', [answeredQuestion('q1', 'text_alignment', 'cat', 'Is the cat black?', 0.9, 'It is.')]);
    const bad = resultFor('clips/bad|name.mp4', 'p', [answeredQuestion('q1', 'text_alignment', 'cat', 'Is the cat black?', 0.1, hostile)]);
    const md = markdownSummary([
      {
        protocol: 'finger',
        report: evaluateGate(
          [
            { video: 'clips/good.mp4', protocol: 'finger', result: good },
            { video: 'clips/bad|name.mp4', protocol: 'finger', result: bad },
          ],
          { overall: 0.6 },
        ),
      },
    ]);
    const html = await marked.parse(md, { gfm: true });
    const page = await harness.browser.newPage({ viewport: { width: 1000, height: 700 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Scripts off, as GitHub renders a summary; a <script> or handler that survived would show up
    // as an element below even so.
    await page.setContent(`<!doctype html><meta charset="utf-8"><body style="font-family: sans-serif">${html}</body>`);
    const seen = await page.evaluate(() => ({
      rows: [...document.querySelectorAll('table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
      heading: document.querySelector('h2')?.textContent,
      failures: [...document.querySelectorAll('h4')].map((h) => h.textContent),
      items: [...document.querySelectorAll('li li')].map((li) => li.textContent),
      scripts: document.querySelectorAll('script, img, iframe, svg, a').length,
      handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    }));
    assert.equal(seen.heading, 'FingER finger: ❌ 1 of 2 clips passed');
    assert.equal(seen.rows.length, 2);
    assert.equal(seen.rows[0]![0], 'clips/good.mp4');
    assert.equal(seen.rows[1]![0], 'clips/bad|name.mp4', 'a | in a name stays in its cell');
    assert.equal(seen.rows[1]![1], '❌ fail');
    assert.deepEqual(seen.failures, ['clips/bad|name.mp4']);
    assert.equal(seen.items.length, 1);
    assert.ok(seen.items[0]!.includes(HOSTILE_TEXTS[0]!.replace(/\s+/g, ' ').trim().slice(0, 20)), seen.items[0]!);
    assert.equal(seen.scripts, 0, 'no element made from model text');
    assert.equal(seen.handlers, 0);
    assert.deepEqual(dialogs, []);
    await page.screenshot({ path: join(SCREENSHOTS, 'gate-summary.png'), fullPage: true });
    await page.close();
  });
});
