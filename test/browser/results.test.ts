// The results panel in a real headless Chromium, served with the extension's own HTML shell and
// CSP. Expected values come from the fixture generator and the engine's scoring, never literals.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyOverride, entityScore, scoreDimensions } from '../../src/core/scoring/finger';
import { DIMENSION_LABELS, DIMENSIONS, type AnsweredQuestion, type Labels, type Result } from '../../src/core/types';
import type { OverrideChange } from '../../src/shared/scoring';
import { HOSTILE_TEXTS, labelsOverriding, makeResult } from '../fixtures/results/generate';
import { SCREENSHOTS, type Harness, useHarness, type PanelPage } from './harness';
import { answerMessage, scoringShowMessage, showMessage, toResults, unanswered } from './messages';

let harness: Harness;
useHarness((h) => (harness = h));

async function openWith(
  result: Result | null,
  options: Parameters<typeof showMessage>[2] = {},
  theme: 'light' | 'dark' = 'dark',
): Promise<PanelPage> {
  const panel = await harness.open('results', { theme });
  await panel.rendered(() => panel.send(showMessage(harness, result, { theme, ...options })), 'full');
  return panel;
}

async function assertClean(panel: PanelPage): Promise<void> {
  assert.deepEqual(panel.dialogs, [], 'no alert/confirm/prompt may fire');
  assert.deepEqual(await panel.violations(), [], 'no CSP violations');
  assert.deepEqual(panel.consoleErrors, [], 'no console errors');
}

/** Texts of the rows in DOM order, as the user sees them. */
function rowTexts(panel: PanelPage) {
  return panel.page.$$eval('.question-row', (rows) =>
    rows.map((row) => ({
      id: (row as HTMLElement).dataset['questionId'] ?? '',
      hidden: (row as HTMLElement).hidden,
      text: row.querySelector('.q-text')?.textContent ?? '',
      answer: row.querySelector('.answer')?.textContent ?? '',
      reason: row.querySelector('.reason-text')?.textContent ?? null,
      score: row.querySelector('[data-role="score"]')?.textContent ?? '',
      marker: row.querySelector('[data-role="override-marker"]') !== null,
    })),
  );
}

/**
 * What the extension does with the last `results/override` the panel posted: saves the labels
 * (applyOverride, as the store does) and sends the result as displayed with them.
 */
async function answerLastOverride(panel: PanelPage, result: Result, labels: Labels | null): Promise<Labels> {
  const change = (await panel.posted()).filter((m) => m.method === 'results/override').at(-1)?.params as OverrideChange | undefined;
  assert.ok(change, 'the panel posted an override');
  const next = applyOverride(labels, change, result.video.path);
  await panel.rendered(() => panel.send(showMessage(harness, result, { labels: next })), 'full');
  return next;
}

function chartData(panel: PanelPage) {
  return panel.page.evaluate(() => {
    const chart = window.__fingerResults?.chart();
    const dataset = chart?.data.datasets[0];
    const r = chart?.options.scales?.['r'] as { grid: { color: unknown }; pointLabels: { color: unknown } } | undefined;
    return {
      labels: chart?.data.labels,
      data: dataset?.data,
      borderColor: dataset?.borderColor,
      backgroundColor: dataset?.backgroundColor,
      gridColor: r?.grid.color,
      labelColor: r?.pointLabels.color,
      animation: chart?.options.animation,
    };
  });
}

describe('results panel', () => {
  it('shows every question, answer and reason of a 200-question result as text', async () => {
    const result = makeResult({ questions: 200, seed: 42 });
    const panel = await openWith(result);
    const rows = await rowTexts(panel);
    assert.equal(rows.length, result.questions.length);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const q of result.questions) {
      const row = byId.get(q.id);
      assert.ok(row, `row for ${q.id}`);
      assert.equal(row.text, q.text);
      assert.equal(row.reason, q.reason);
      if (q.answer) assert.equal(row.answer, q.answer);
      else assert.equal(row.answer, 'Failed');
      assert.equal(row.score, q.score === null ? '—' : q.score.toFixed(2));
    }
    // Grouped by dimension in the canonical order, each with its score.
    const groups = await panel.page.$$eval('.dimension-group', (bodies) =>
      bodies.map((b) => ({
        dimension: (b as HTMLElement).dataset['dimension'],
        score: b.querySelector('[data-role="dimension-score"]')?.textContent,
      })),
    );
    assert.deepEqual(
      groups.map((g) => g.dimension),
      DIMENSIONS.filter((d) => result.questions.some((q) => q.dimension === d)),
    );
    for (const g of groups) assert.equal(g.score, result.dimensions[g.dimension as keyof typeof result.dimensions]?.score?.toFixed(2));
    assert.equal(await panel.page.textContent('[data-role="overall"]'), result.overall?.toFixed(2));
    assert.equal(await panel.page.textContent('[data-role="prompt"]'), result.prompt);
    await assertClean(panel);
    await panel.page.close();
  });

  it('inserts hostile model text and file names as text: no injected element, dialog or CSP violation', async () => {
    const result = makeResult({ questions: 40, seed: 3, hostile: true });
    const panel = await harness.open('results');
    const message = showMessage(harness, result);
    message.params.video.name = `${HOSTILE_TEXTS[1]}.mp4`;
    await panel.rendered(() => panel.send(message), 'full');
    // Open every reason so nothing is merely collapsed.
    await panel.page.$$eval('details.reason', (all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    await panel.send(toResults('results/error', { message: HOSTILE_TEXTS[0], file: HOSTILE_TEXTS[3] }));
    await panel.page.waitForSelector('.banner-error');

    const injected = await panel.page.evaluate(() => ({
      scripts: document.scripts.length,
      imgX: document.querySelectorAll('img[src="x"], img:not([src])').length,
      iframes: document.querySelectorAll('iframe').length,
      svg: document.querySelectorAll('svg').length,
      styleElements: document.querySelectorAll('body style').length,
      anchors: document.querySelectorAll('a').length,
      onAttributes: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    }));
    // The stub API and the bundle; nothing else.
    assert.deepEqual(injected, { scripts: 2, imgX: 0, iframes: 0, svg: 0, styleElements: 0, anchors: 0, onAttributes: 0 });

    const rows = await rowTexts(panel);
    for (const q of result.questions) {
      const row = rows.find((r) => r.id === q.id);
      assert.equal(row?.text, q.text);
      assert.equal(row?.reason, q.reason);
    }
    const pageText = await panel.page.evaluate(() => document.body.textContent ?? '');
    for (const hostile of HOSTILE_TEXTS) assert.ok(pageText.includes(hostile), `shown as text: ${hostile}`);
    assert.equal(await panel.page.textContent('[data-role="video-name"]'), `${HOSTILE_TEXTS[1]}.mp4`);
    assert.equal(await panel.page.textContent('.banner-error .banner-message'), HOSTILE_TEXTS[0]);
    await assertClean(panel);
    await panel.page.close();
  });

  it('draws a radar of the dimension scores and redraws its colours on a theme switch', async () => {
    const result = makeResult({ questions: 60, seed: 11 });
    const panel = await openWith(result);
    await panel.page.waitForFunction(() => window.__fingerResults?.chart().data.datasets[0]?.data.some((v) => v !== null));
    const dark = await chartData(panel);
    assert.deepEqual(
      dark.labels,
      DIMENSIONS.map((d) => DIMENSION_LABELS[d]),
    );
    assert.deepEqual(
      dark.data,
      DIMENSIONS.map((d) => result.dimensions[d]?.score ?? null),
    );
    const cssBlue = () => panel.page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-charts-blue').trim());
    assert.equal(dark.borderColor, await cssBlue());

    await panel.setTheme('light');
    await panel.page.waitForFunction(
      (before) => window.__fingerResults?.chart().data.datasets[0]?.borderColor !== before,
      dark.borderColor,
    );
    const light = await chartData(panel);
    assert.equal(light.borderColor, await cssBlue());
    assert.notEqual(light.gridColor, dark.gridColor);
    assert.notEqual(light.labelColor, dark.labelColor);
    assert.notEqual(light.backgroundColor, dark.backgroundColor);
    assert.deepEqual(light.data, dark.data, 'a theme switch keeps the data');
    await assertClean(panel);
    await panel.page.close();
  });

  it('turns chart animation off under prefers-reduced-motion', async () => {
    const page = await harness.browser.newPage({ reducedMotion: 'reduce' });
    await page.goto(`${harness.origin}/results.html`);
    await page.waitForFunction(() => window.__fingerResults !== undefined);
    assert.equal(await page.evaluate(() => window.__fingerResults?.chart().options.animation), false);
    await page.close();
    const normal = await harness.open('results');
    assert.notEqual(await normal.page.evaluate(() => window.__fingerResults?.chart().options.animation), false);
    await normal.page.close();
  });

  it('filters rows: failing only, by dimension, by entity and by text', async () => {
    const result = makeResult({ questions: 120, seed: 5 });
    const panel = await openWith(result);
    const visibleIds = async () =>
      (await rowTexts(panel))
        .filter((r) => !r.hidden)
        .map((r) => r.id)
        .sort();
    const ids = (qs: AnsweredQuestion[]) => qs.map((q) => q.id).sort();
    assert.deepEqual(await visibleIds(), ids(result.questions));

    await panel.page.click('vscode-checkbox.filter-failing');
    const failing = result.questions.filter((q) => q.score !== null && q.score < 0.5);
    assert.ok(failing.length > 0 && failing.length < result.questions.length);
    await panel.page.waitForFunction((n) => document.querySelectorAll('.question-row:not([hidden])').length === n, failing.length);
    assert.deepEqual(await visibleIds(), ids(failing));
    // Entity and dimension headings with no visible rows are hidden too.
    const emptyVisibleGroups = await panel.page.$$eval(
      '.dimension-group:not([hidden])',
      (bodies) => bodies.filter((b) => b.querySelectorAll('.question-row:not([hidden])').length === 0).length,
    );
    assert.equal(emptyVisibleGroups, 0);

    await panel.page.click('vscode-checkbox.filter-failing');
    await selectOption(panel, 'vscode-single-select.filter-dimension', DIMENSION_LABELS.text_alignment);
    await panel.page.waitForFunction(() => document.querySelectorAll('.dimension-group:not([hidden])').length === 1);
    assert.deepEqual(await visibleIds(), ids(result.questions.filter((q) => q.dimension === 'text_alignment')));

    await selectOption(panel, 'vscode-single-select.filter-dimension', 'All dimensions');
    const entity = result.questions[7]?.entity ?? '';
    await selectOption(panel, 'vscode-single-select.filter-entity', entity);
    const ofEntity = result.questions.filter((q) => q.entity === entity);
    await panel.page.waitForFunction((n) => document.querySelectorAll('.question-row:not([hidden])').length === n, ofEntity.length);
    assert.deepEqual(await visibleIds(), ids(ofEntity));

    await selectOption(panel, 'vscode-single-select.filter-entity', 'All entities');
    const needle = result.questions[3]?.text ?? '';
    await panel.page.locator('vscode-textfield.filter-text input').fill(needle.slice(0, 60));
    await panel.page.waitForFunction(() => document.querySelectorAll('.question-row:not([hidden])').length < 120);
    assert.deepEqual(
      await visibleIds(),
      ids(
        result.questions.filter((q) =>
          `${q.text}\n${q.entity}\n${q.reason ?? ''}`.toLowerCase().includes(needle.slice(0, 60).toLowerCase()),
        ),
      ),
    );
    assert.match((await panel.page.textContent('.visible-count')) ?? '', /^Showing \d+ of 120$/);
    await assertClean(panel);
    await panel.page.close();
  });

  it('posts results/override on an override click and shows the overridden answer and scores the extension sends back', async () => {
    const result = makeResult({ questions: 30, seed: 9 });
    const panel = await openWith(result);
    // A positive question the model answered No: overriding with Yes raises its score to 1.
    const target = result.questions.find((q) => q.polarity === 'positive' && q.answer === 'No' && q.score !== null);
    assert.ok(target);
    const row = panel.page.locator(`.question-row[data-question-id="${target.id}"]`);
    await row.locator('button[data-action="override"][data-answer="Yes"]').click();

    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { method: string }[] }).__posted.some((m) => m.method === 'results/override'),
    );
    const posted = (await panel.posted()).filter((m) => m.method === 'results/override');
    assert.deepEqual(posted, [
      { kind: 'command', method: 'results/override', params: { questionId: target.id, questionText: target.text, answer: 'Yes' } },
    ]);
    let labels = await answerLastOverride(panel, result, null);

    const overridden = result.questions.map((q) => (q.id === target.id ? { ...q, score: 1 } : q));
    const expected = scoreDimensions(overridden);
    await panel.page.waitForSelector(`.question-row.overridden[data-question-id="${target.id}"]`);
    const shown = (await rowTexts(panel)).find((r) => r.id === target.id);
    assert.equal(shown?.answer, 'Yes');
    assert.equal(shown?.score, '1.00');
    assert.ok(shown?.marker, 'an override marker is shown');
    assert.equal(await row.locator('.model-score').textContent(), target.score?.toFixed(2));
    assert.equal(await panel.page.textContent('[data-role="overall"]'), expected.overall?.toFixed(2));
    assert.equal(
      await panel.page.textContent(`.dimension-group[data-dimension="${target.dimension}"] [data-role="dimension-score"]`),
      expected.dimensions[target.dimension]?.score?.toFixed(2),
    );
    assert.match((await panel.page.textContent('.override-badge')) ?? '', /^1 overridden$/);
    await panel.page.waitForFunction(([d, v]) => window.__fingerResults?.chart().data.datasets[0]?.data[d as number] === v, [
      DIMENSIONS.indexOf(target.dimension),
      expected.dimensions[target.dimension]?.score ?? null,
    ] as const);

    // A note goes with the override; clearing posts answer null and restores the model's answer.
    await row.locator('button[data-action="note"]').click();
    await row.locator('input.note-input').fill('Six fingers on the left hand at 2.5 s');
    await row.locator('input.note-input').press('Enter');
    labels = await answerLastOverride(panel, result, labels);
    await row.locator('button[data-action="clear"]').click();
    await answerLastOverride(panel, result, labels);
    const later = (await panel.posted()).filter((m) => m.method === 'results/override').slice(1);
    assert.deepEqual(
      later.map((m) => m.params),
      [
        { questionId: target.id, questionText: target.text, answer: 'Yes', note: 'Six fingers on the left hand at 2.5 s' },
        { questionId: target.id, questionText: target.text, answer: null },
      ],
    );
    await panel.page.waitForSelector(`.question-row[data-question-id="${target.id}"]:not(.overridden)`);
    assert.equal((await rowTexts(panel)).find((r) => r.id === target.id)?.answer, target.answer);
    assert.equal(await panel.page.textContent('[data-role="overall"]'), result.overall?.toFixed(2));
    await assertClean(panel);
    await panel.page.close();
  });

  it('applies labels sent by the extension (overrides matched by question text)', async () => {
    const result = makeResult({ questions: 20, seed: 4 });
    const target = result.questions.find((q) => q.answer === 'Yes');
    assert.ok(target);
    const labels = labelsOverriding(result, target, 'No', { note: 'checked by hand', questionId: 'old-id' });
    const panel = await openWith(result, { labels });
    const shown = (await rowTexts(panel)).find((r) => r.id === target.id);
    assert.equal(shown?.answer, 'No');
    assert.ok(shown?.marker);
    assert.equal(await panel.page.textContent(`.question-row[data-question-id="${target.id}"] .q-note`), ' checked by hand');
    await panel.page.close();
  });

  it("shows another protocol's own overall (Q-Save's MOS) until an answer is overridden", async () => {
    const base = makeResult({ questions: 3, seed: 7 });
    const mean = scoreDimensions(base.questions).overall;
    assert.ok(mean !== null);
    // A MOS that is not the mean of the dimensions, as Q-Save's often is not.
    const mos = mean > 0.5 ? mean / 2 : (1 + mean) / 2;
    const result: Result = { ...base, protocol: 'qsave', dimensions: scoreDimensions(base.questions).dimensions, overall: mos };
    const panel = await openWith(result);
    assert.equal(await panel.page.textContent('[data-role="overall"]'), mos.toFixed(2));
    const target = result.questions.find((q) => q.answer !== null)!;
    const labels = labelsOverriding(result, target, target.answer === 'Yes' ? 'No' : 'Yes');
    // The extension sends the result again with the labels (showMessage computes it as the host does).
    await panel.rendered(() => panel.send(showMessage(harness, result, { labels })), 'full');
    const pYes = target.answer === 'Yes' ? 0 : 1;
    const overridden = result.questions.map((q) => (q.id === target.id ? { ...q, score: entityScore(q.polarity, pYes) } : q));
    assert.equal(await panel.page.textContent('[data-role="overall"]'), scoreDimensions(overridden).overall?.toFixed(2));
    await panel.page.close();
  });

  it('fills rows live from results/answer without a full re-render', async () => {
    const result = makeResult({ questions: 25, seed: 21 });
    const panel = await openWith(null);
    assert.ok(await panel.page.isVisible('.empty-state'));
    const questions = result.questions.map(({ id, dimension, entity, text, polarity }) => ({ id, dimension, entity, text, polarity }));
    await panel.rendered(() => panel.send(scoringShowMessage(harness, result.prompt, questions)), 'full');
    assert.equal(await panel.page.locator('.question-row.pending').count(), questions.length);
    await panel.send(toResults('results/progress', { phase: 'answers', done: 0, total: questions.length }));
    await panel.page.waitForSelector('.progress:not([hidden])');
    assert.equal(await panel.page.textContent('.progress-text'), `Answers 0 / ${questions.length}`);

    // Mark the DOM so a full rebuild would be detected.
    await panel.page.evaluate(() => document.querySelectorAll('.question-row').forEach((r) => r.setAttribute('data-original', '')));
    const answered = result.questions.slice(0, 10);
    const live = questions.map(unanswered);
    for (const [i, question] of answered.entries()) {
      live[i] = question;
      await panel.rendered(() => panel.send(answerMessage(live, question)), 'answer');
    }
    const rows = await rowTexts(panel);
    for (const q of answered) {
      const row = rows.find((r) => r.id === q.id);
      assert.equal(row?.answer, q.answer ?? 'Failed');
      assert.equal(row?.reason, q.reason);
    }
    assert.equal(await panel.page.locator('.question-row.pending').count(), questions.length - answered.length);
    assert.equal(
      await panel.page.locator('.question-row[data-original]').count(),
      questions.length - answered.length,
      'only answered rows were replaced',
    );
    const partial = scoreDimensions(answered);
    assert.equal(await panel.page.textContent('[data-role="overall"]'), partial.overall?.toFixed(2));
    await panel.page.waitForFunction(
      (expected) => JSON.stringify(window.__fingerResults?.chart().data.datasets[0]?.data) === JSON.stringify(expected),
      DIMENSIONS.map((d) => partial.dimensions[d]?.score ?? null),
    );
    await assertClean(panel);
    await panel.page.close();
  });

  it('shows a banner for changed question templates and re-scores from it', async () => {
    const result = makeResult({ questions: 12, seed: 2 });
    const panel = await openWith(result);
    const [first, second, third] = result.questions;
    assert.ok(first && second && third);
    const strip = ({ id, dimension, entity, text, polarity }: AnsweredQuestion) => ({ id, dimension, entity, text, polarity });
    const added = { ...strip(first), id: 'new1', text: `Is the umbrella red? ${HOSTILE_TEXTS[0]}` };
    const changedAfter = { ...strip(third), text: `${third.text} (reworded)` };
    await panel.send(
      toResults('results/questionsChanged', {
        added: [added],
        removed: [strip(second)],
        changed: [{ before: strip(third), after: changedAfter }],
      }),
    );
    await panel.page.waitForSelector('.banner-info');
    assert.match((await panel.page.textContent('.banner-info .banner-message')) ?? '', /1 added, 1 removed, 1 changed/);
    const items = await panel.page.$$eval('.change-list li', (lis) => lis.map((li) => ({ kind: li.className, text: li.textContent })));
    assert.deepEqual(items, [
      { kind: 'change-added', text: `added${added.text}` },
      { kind: 'change-removed', text: `removed${second.text}` },
      { kind: 'change-changed', text: `changed${third.text} → ${changedAfter.text}` },
    ]);
    await panel.page.click('.banner-info vscode-button');
    assert.ok((await panel.posted()).some((m) => m.method === 'results/rescore'));
    await panel.page.click('.banner-info button[aria-label="Dismiss"]');
    assert.equal(await panel.page.locator('.banner-info').count(), 0);
    await assertClean(panel);
    await panel.page.close();
  });

  it('shows errors with the file and opens it on request; header buttons post their commands', async () => {
    const result = makeResult({ questions: 10, seed: 8 });
    const panel = await openWith(result);
    await panel.send(
      toResults('results/error', { message: 'Results file is not valid JSON', file: '.finger/results/clips/chef-tomato.mp4.json' }),
    );
    await panel.page.waitForSelector('.banner-error');
    assert.equal(await panel.page.textContent('.banner-error .banner-file'), '.finger/results/clips/chef-tomato.mp4.json');
    await panel.page.click('.banner-error vscode-button');
    await panel.page.click('.panel-header vscode-button[icon="go-to-file"]');
    await panel.page.click('.panel-header vscode-button[icon="refresh"]');
    const commands = (await panel.posted()).filter((m) => m.kind === 'command' && m.method !== 'results/ready');
    assert.deepEqual(commands, [
      { kind: 'command', method: 'results/openFile', params: { relPath: '.finger/results/clips/chef-tomato.mp4.json' } },
      { kind: 'command', method: 'results/openFile', params: { relPath: 'clips/chef-tomato.txt' } },
      { kind: 'command', method: 'results/rescore', params: {} },
    ]);
    await panel.page.close();
  });

  it('shows the video when it can play and the sampled frames always', async () => {
    const result = makeResult({ questions: 5, seed: 1 });
    const withVideo = await openWith(result);
    const frames = await withVideo.page.$$eval('.frame-strip img', (imgs) => imgs.map((i) => (i as HTMLImageElement).src));
    assert.deepEqual(
      frames,
      harness.media.frames.map((f) => harness.origin + f.path),
    );
    if (harness.media.video) {
      assert.equal(await withVideo.page.getAttribute('video.player', 'src'), harness.origin + harness.media.video);
      await withVideo.page.locator('.frame-strip button.frame').nth(2).click();
      const time = await withVideo.page.evaluate(() => document.querySelector<HTMLVideoElement>('video.player')?.currentTime);
      assert.equal(time, harness.media.frames[2]?.timeSec);
    }
    await withVideo.page.close();

    const noVideo = await openWith(result, { video: false });
    assert.equal(await noVideo.page.locator('video').count(), 0);
    assert.equal(await noVideo.page.getAttribute('img.frame-preview', 'src'), harness.origin + harness.media.frames[0]?.path);
    await noVideo.page.locator('.frame-strip button.frame').nth(1).click();
    assert.equal(await noVideo.page.getAttribute('img.frame-preview', 'src'), harness.origin + harness.media.frames[1]?.path);
    assert.match((await noVideo.page.textContent('.media-note')) ?? '', /cannot play/);
    await assertClean(noVideo);
    await noVideo.page.close();
  });

  it('restores from saved state after a reload, says it is ready, and shows what the extension sends then', async () => {
    const result = makeResult({ questions: 16, seed: 13 });
    const panel = await openWith(result);
    const target = result.questions.find((q) => q.answer !== null);
    assert.ok(target);
    await panel.page
      .locator(
        `.question-row[data-question-id="${target.id}"] button[data-action="override"][data-answer="${target.answer === 'Yes' ? 'No' : 'Yes'}"]`,
      )
      .click();
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: { method: string }[] }).__posted.some((m) => m.method === 'results/override'),
    );
    await answerLastOverride(panel, result, null);
    assert.equal(await panel.page.locator('.question-row.overridden').count(), 1);
    await panel.page.click('vscode-checkbox.filter-failing');
    await panel.page.waitForFunction(() => document.querySelector('.question-row[hidden]') !== null);
    const before = await rowTexts(panel);
    // setState is coalesced; pagehide flushes it.
    await panel.page.reload();
    await panel.page.waitForFunction(() => (window.__fingerRenderDone?.count ?? 0) > 0);
    const restored = await rowTexts(panel);
    assert.deepEqual(restored, before);
    assert.equal(
      await panel.page.evaluate(
        () => document.querySelector<HTMLInputElement & { checked: boolean }>('vscode-checkbox.filter-failing')?.checked,
      ),
      true,
    );
    const posted = await panel.posted();
    assert.deepEqual(
      posted.map((m) => m.method),
      ['results/ready'],
      'a restored panel asks for nothing but says it is ready',
    );
    // The extension answers `ready` with the current show; labels removed meanwhile are gone.
    await panel.rendered(() => panel.send(showMessage(harness, result)), 'full');
    assert.equal(await panel.page.locator('.question-row.overridden').count(), 0);
    await panel.page.close();
  });

  it('ignores malformed messages', async () => {
    const result = makeResult({ questions: 6, seed: 6 });
    const panel = await openWith(result);
    await panel.send({ kind: 'notification', method: 'results/answer', params: { question: { id: 'q1', text: '<b>x</b>' } } });
    await panel.send({ kind: 'notification', method: 'results/show', params: { result: 'nope' } });
    await panel.send('not even an object');
    const rows = await rowTexts(panel);
    assert.equal(rows.length, result.questions.length);
    assert.equal(rows.find((r) => r.id === 'q1')?.text, result.questions[0]?.text);
    await panel.page.close();
  });

  it('looks like a VS Code panel in light and dark themes (screenshots)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const result = makeResult({ questions: 30, seed: 17 });
      const target = result.questions.find((q) => q.answer === 'No' && q.dimension === 'visual_quality');
      const labels = target ? labelsOverriding(result, target, 'Yes', { note: 'Looks fine to me' }) : null;
      const panel = await harness.open('results', { theme, viewport: { width: 1200, height: 1500 } });
      await panel.rendered(() => panel.send(showMessage(harness, result, { theme, labels })), 'full');
      await panel.page
        .locator('.question-row details.reason')
        .first()
        .evaluate((d) => ((d as HTMLDetailsElement).open = true));
      await panel.page.waitForFunction(() => [...document.images].every((i) => i.complete));
      await panel.page.waitForTimeout(500); // let the chart's entry animation finish before the picture
      await panel.page.screenshot({ path: join(SCREENSHOTS, `results-${theme}.png`) });
      await assertClean(panel);
      await panel.page.close();
    }
  });
});

/** Picks an option of a <vscode-single-select> the way a user does: open it, click the option. */
async function selectOption(panel: PanelPage, selector: string, label: string): Promise<void> {
  const select = panel.page.locator(selector);
  // Room below the select for its dropdown.
  await select.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await select.click();
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  await select.locator('.options li.option', { hasText: exact }).first().click();
  await panel.page.waitForFunction(
    ([s, l]) => {
      const el = document.querySelector(s as string) as (HTMLElement & { value: string }) | null;
      const option = [...(el?.querySelectorAll('vscode-option') ?? [])].find((o) => o.textContent === l);
      return el !== null && option !== undefined && el.value === (option.getAttribute('value') ?? '');
    },
    [selector, label] as const,
  );
}
