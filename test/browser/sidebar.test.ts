// The FingER side panel in a real headless Chromium with the extension's HTML shell and CSP.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIMENSIONS, type Result } from '../../src/core/types';
import { labelAgreement, resultWeights, type LabelledClip } from '../../src/core/workbench/agreement';
import { applyOverridesToResult } from '../../src/shared/display';
import type { VideoRow } from '../../src/shared/protocols/sidebar';
import { HOSTILE_TEXTS, labelsOverriding, makeResult } from '../fixtures/results/generate';
import { SCREENSHOTS, type Harness, useHarness, type PanelPage } from './harness';
import { detailsMessage, toSidebar } from './messages';

let harness: Harness;
useHarness((h) => (harness = h));

function rowOf(relPath: string, result: Result, createdAt: string, extra: Partial<VideoRow> = {}): VideoRow {
  const dimensions: VideoRow['dimensions'] = {};
  for (const d of DIMENSIONS) dimensions[d] = result.dimensions[d]?.score ?? null;
  return { relPath, overall: result.overall, dimensions, createdAt, model: result.endpoint.model, ...extra };
}

function videoRows(): VideoRow[] {
  return [
    rowOf('clips/b-runner.mp4', makeResult({ questions: 20, seed: 1 }), '2026-01-03T10:00:00Z'),
    rowOf('clips/a-chef.mp4', makeResult({ questions: 20, seed: 2 }), '2026-01-01T10:00:00Z'),
    rowOf('other/c-dog.mp4', makeResult({ questions: 20, seed: 3 }), '2026-01-05T10:00:00Z'),
    {
      relPath: 'other/d-broken.webm',
      overall: null,
      dimensions: {},
      createdAt: '2026-01-04T10:00:00Z',
      error: 'ffprobe: invalid data found when processing input',
    },
    rowOf(`odd/${HOSTILE_TEXTS[1]}.mp4`, makeResult({ questions: 20, seed: 4 }), '2026-01-02T10:00:00Z'),
  ];
}

async function sidebarWith(theme: 'light' | 'dark' = 'dark', viewport = { width: 360, height: 1000 }): Promise<PanelPage> {
  const panel = await harness.open('sidebar', { theme, viewport });
  return panel;
}

const listed = (panel: PanelPage) =>
  panel.page.$$eval('ul.videos button.video', (b) => b.map((x) => (x as HTMLElement).dataset['relPath'] ?? ''));

describe('side panel', () => {
  it('lists every scored video, sorts by name, overall and date, filters, and opens one on click', async () => {
    const rows = videoRows();
    const panel = await sidebarWith();
    await panel.rendered(() => panel.send(toSidebar('sidebar/videos', { rows })));
    const byName = [...rows].sort((a, b) => a.relPath.localeCompare(b.relPath, undefined, { numeric: true })).map((r) => r.relPath);
    assert.deepEqual(await listed(panel), byName);
    // The hostile file name is text (querySelectorAll: the light DOM, where rendered data lives).
    assert.equal(await panel.page.evaluate(() => document.querySelectorAll('img, iframe, svg, a').length), 0);
    const names = await panel.page.$$eval('.video-name', (n) => n.map((x) => x.textContent));
    assert.ok(names.includes(`${HOSTILE_TEXTS[1]}.mp4`));
    // Overall and per-dimension bars as text and widths.
    const first = rows[0];
    assert.ok(first);
    const item = panel.page.locator(`button.video[data-rel-path="${first.relPath}"]`);
    assert.equal(await item.locator('[data-role="overall"]').textContent(), first.overall?.toFixed(2));
    const widths = await item.locator('.video-dim .bar-fill').evaluateAll((fills) => fills.map((f) => (f as HTMLElement).style.width));
    assert.deepEqual(
      widths,
      DIMENSIONS.map((d) => `${((first.dimensions[d] ?? 0) * 100).toFixed(1)}%`),
    );
    assert.equal(await panel.page.textContent('button.video.has-error .video-error'), rows[3]?.error);

    const scored = rows.filter((r) => r.overall !== null);
    const unscored = rows.filter((r) => r.overall === null).map((r) => r.relPath);
    await pick(panel, 'Overall ↑ (worst first)');
    assert.deepEqual(await listed(panel), [
      ...[...scored].sort((a, b) => (a.overall ?? 0) - (b.overall ?? 0)).map((r) => r.relPath),
      ...unscored,
    ]);
    await pick(panel, 'Overall ↓ (best first)');
    assert.deepEqual(await listed(panel), [
      ...[...scored].sort((a, b) => (b.overall ?? 0) - (a.overall ?? 0)).map((r) => r.relPath),
      ...unscored,
    ]);
    await pick(panel, 'Newest first');
    assert.deepEqual(
      await listed(panel),
      [...rows].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)).map((r) => r.relPath),
    );

    await panel.page.locator('vscode-textfield.videos-filter input').fill('other/');
    await panel.page.waitForFunction(() => document.querySelectorAll('ul.videos button.video').length === 2);
    assert.deepEqual(
      (await listed(panel)).sort(),
      rows
        .filter((r) => r.relPath.includes('other/'))
        .map((r) => r.relPath)
        .sort(),
    );
    assert.equal(await panel.page.textContent('.section-count'), `2 / ${rows.length}`);

    await panel.page.click('button.video[data-rel-path="other/c-dog.mp4"]');
    const opened = (await panel.posted()).filter((m) => m.method === 'sidebar/openResults');
    assert.deepEqual(opened, [{ kind: 'command', method: 'sidebar/openResults', params: { relPath: 'other/c-dog.mp4' } }]);
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(await panel.violations(), []);
    assert.deepEqual(panel.consoleErrors, []);
    await panel.page.close();
  });

  it('shows the details of the current video and filters its questions by search text', async () => {
    const result = makeResult({ questions: 30, seed: 5, hostile: true });
    const target = result.questions.find((q) => q.answer === 'Yes');
    assert.ok(target);
    const labels = labelsOverriding(result, target, 'No');
    const panel = await sidebarWith();
    await panel.rendered(() => panel.send(detailsMessage(result.video.path, result, labels)));
    const shown = applyOverridesToResult(result, labels);
    assert.equal(await panel.page.textContent('.details-name'), 'chef-tomato.mp4');
    assert.equal(await panel.page.textContent('.details-head [data-role="overall"]'), shown.overall?.toFixed(2));
    const dims = await panel.page.$$eval('li.mini-dimension .mini-value', (v) => v.map((x) => x.textContent));
    assert.deepEqual(
      dims,
      DIMENSIONS.map((d) => shown.dimensions[d]?.score?.toFixed(2) ?? '—'),
    );

    const items = await panel.page.$$eval('li.q', (lis) =>
      lis.map((li) => ({
        id: (li as HTMLElement).dataset['questionId'],
        text: li.querySelector('.q-text')?.textContent,
        answer: li.querySelector('.answer')?.textContent,
        reason: li.querySelector('.reason-text')?.textContent ?? null,
        prob: li.querySelector('.q-prob')?.textContent,
        overridden: li.classList.contains('overridden'),
      })),
    );
    assert.equal(items.length, result.questions.length);
    for (const q of shown.questions) {
      const item = items.find((i) => i.id === q.id);
      assert.equal(item?.text, q.text);
      assert.equal(item?.reason, q.reason);
      assert.equal(item?.answer, q.answer ?? 'Failed');
      assert.equal(item?.prob, q.pYes === null ? '—' : `${(q.pYes * 100).toFixed(0)}%`);
      assert.equal(item?.overridden, q.overridden !== undefined);
    }
    // Grouped per entity, in order of first appearance.
    const entities = await panel.page.$$eval('.entity', (e) => e.map((x) => (x as HTMLElement).dataset['entity']));
    assert.deepEqual(entities, [...new Set(result.questions.map((q) => q.entity))]);

    const needle = 'flicker';
    await panel.page.locator('vscode-textfield.details-search input').fill(needle);
    await panel.page.waitForFunction(() => document.querySelector('li.q[hidden]') !== null);
    const visible = await panel.page.$$eval('li.q:not([hidden])', (lis) => lis.map((li) => (li as HTMLElement).dataset['questionId']));
    const expected = result.questions
      .filter((q) => `${q.text}\n${q.reason ?? ''}\n${q.entity}`.toLowerCase().includes(needle))
      .map((q) => q.id);
    assert.ok(expected.length > 0);
    assert.deepEqual(visible, expected);
    await panel.page.locator('vscode-textfield.details-search input').fill('no such words anywhere');
    await panel.page.waitForSelector('.no-match');
    assert.equal(await panel.page.locator('.entity:not([hidden])').count(), 0);

    await panel.page.click('.details-head .link-btn');
    assert.ok(
      (await panel.posted()).some(
        (m) => m.method === 'sidebar/openResults' && (m.params as { relPath: string }).relPath === result.video.path,
      ),
    );
    assert.equal(await panel.page.evaluate(() => document.querySelectorAll('script, img, iframe, svg, a').length), 2);
    assert.deepEqual(panel.dialogs, []);
    assert.deepEqual(await panel.violations(), []);
    await panel.page.close();
  });

  it('shows the judge against the corrected answers: accuracy per dimension and SRCC/PLCC without and with corrections', async () => {
    // Four clips; on each, every third question corrected: every other correction flips the
    // judge's answer, the rest confirm it. Accuracy is counted here from the corrections.
    const clips: LabelledClip[] = [];
    const labelled: Record<string, { agree: number; labelled: number }> = {};
    for (const [i, mos] of [4.5, 2, 3.5, 1].entries()) {
      const result = makeResult({ questions: 20, seed: 40 + i });
      const overrides = result.questions
        .filter((q, k) => k % 3 === 0 && q.answer !== null)
        .map((q, k) => {
          const flip = k % 2 === 0;
          for (const d of [q.dimension, 'all']) {
            const c = (labelled[d] ??= { agree: 0, labelled: 0 });
            c.labelled++;
            if (!flip) c.agree++;
          }
          return {
            questionId: q.id,
            questionText: q.text,
            answer: flip ? (q.answer === 'Yes' ? ('No' as const) : ('Yes' as const)) : q.answer!,
            updatedAt: '2026-01-02T00:00:00Z',
          };
        });
      clips.push({ video: `clips/c${i}.mp4`, result, labels: { version: 1, video: `clips/c${i}.mp4`, overrides, mos }, human: mos });
    }
    const agreement = labelAgreement(clips, resultWeights(clips.map((c) => c.result)));
    const panel = await sidebarWith();
    const section = panel.page.locator('section.agreement-section');
    await panel.rendered(() => panel.send(toSidebar('sidebar/agreement', { agreement: null })));
    assert.equal(await section.isHidden(), true);
    await panel.rendered(() => panel.send(toSidebar('sidebar/agreement', { agreement })));
    assert.equal(await section.isVisible(), true);
    for (const d of [...DIMENSIONS, 'all']) {
      const row = section.locator(`table.agreement-accuracy tr[data-dimension="${d}"]`);
      const c = labelled[d] ?? { agree: 0, labelled: 0 };
      assert.equal(await row.locator('[data-role="labelled"]').textContent(), `${c.agree} / ${c.labelled}`, d);
      assert.equal(await row.locator('[data-role="accuracy"]').textContent(), c.labelled ? (c.agree / c.labelled).toFixed(2) : '—', d);
    }
    const overall = section.locator('table.agreement-correlation tr[data-dimension="overall"]');
    assert.equal(await overall.locator('[data-role="n"]').textContent(), '4');
    const fmt = (s: { value: number | null }) => (s.value === null ? '—' : s.value.toFixed(3));
    const c = agreement.correlation.overall;
    assert.equal(await overall.locator('[data-role="srcc-without"]').textContent(), fmt(c.without.srcc));
    assert.equal(await overall.locator('[data-role="srcc-with"]').textContent(), fmt(c.with.srcc));
    assert.equal(await overall.locator('[data-role="plcc-without"]').textContent(), fmt(c.without.plcc));
    assert.equal(await overall.locator('[data-role="plcc-with"]').textContent(), fmt(c.with.plcc));
    // The corrections change the scores, so the figures with them are not those without.
    assert.notEqual(c.with.plcc.value, c.without.plcc.value);
  });

  it('shows jobs with progress and cancels one', async () => {
    const panel = await sidebarWith();
    assert.ok(await panel.page.locator('.jobs-section').isHidden());
    const jobs = [
      { id: 'job-1', label: 'Score clips/a-chef.mp4', done: 12, total: 40, phase: 'answers' },
      { id: 'job-2', label: 'Score folder clips/ (14 videos)', done: 0, total: 0, phase: 'frames' },
    ];
    await panel.rendered(() => panel.send(toSidebar('sidebar/jobs', { jobs })));
    assert.deepEqual(
      await panel.page.$$eval('li.job', (lis) =>
        lis.map((li) => ({ label: li.querySelector('.job-label')?.textContent, phase: li.querySelector('.job-phase')?.textContent })),
      ),
      [
        { label: jobs[0]?.label, phase: 'answers · 12 / 40' },
        { label: jobs[1]?.label, phase: 'frames' },
      ],
    );
    const bars = await panel.page.$$eval('li.job vscode-progress-bar', (all) =>
      all.map((b) => {
        const bar = b as HTMLElement & { value: number; max: number; indeterminate: boolean };
        return { value: bar.value, max: bar.max, indeterminate: bar.indeterminate };
      }),
    );
    assert.deepEqual(bars[0], { value: 12, max: 40, indeterminate: false });
    assert.equal(bars[1]?.indeterminate, true, 'a job without a total shows an indeterminate bar');
    await panel.page.click('li.job[data-job-id="job-2"] button');
    assert.deepEqual(
      (await panel.posted()).filter((m) => m.method === 'sidebar/cancelJob'),
      [{ kind: 'command', method: 'sidebar/cancelJob', params: { id: 'job-2' } }],
    );
    await panel.rendered(() => panel.send(toSidebar('sidebar/jobs', { jobs: [] })));
    assert.ok(await panel.page.locator('.jobs-section').isHidden());
    await panel.page.close();
  });

  it('replays its last state when re-created, then says it is ready', async () => {
    const rows = videoRows();
    const result = makeResult({ questions: 10, seed: 12 });
    const panel = await sidebarWith();
    await panel.send(toSidebar('sidebar/videos', { rows }));
    await panel.rendered(() => panel.send(detailsMessage(result.video.path, result)));
    await pick(panel, 'Newest first');
    await panel.page.locator('vscode-textfield.details-search input').fill('tomato');
    await panel.page.waitForFunction(() => document.querySelector('li.q[hidden]') !== null);
    const before = { videos: await listed(panel), visible: await panel.page.locator('li.q:not([hidden])').count() };
    await panel.page.reload();
    await panel.page.waitForFunction(() => (window.__fingerRenderDone?.count ?? 0) > 0);
    assert.deepEqual({ videos: await listed(panel), visible: await panel.page.locator('li.q:not([hidden])').count() }, before);
    assert.equal(
      await panel.page.evaluate(() => (document.querySelector('vscode-textfield.details-search') as HTMLElement & { value: string }).value),
      'tomato',
    );
    assert.ok((await panel.posted()).some((m) => m.method === 'sidebar/ready'));
    await panel.page.close();
  });

  it('says what to do when nothing is selected or scored', async () => {
    const panel = await sidebarWith();
    assert.match((await panel.page.textContent('.details-section .empty-note')) ?? '', /Open a video/);
    assert.match((await panel.page.textContent('ul.videos .empty-note')) ?? '', /No scored videos yet/);
    await panel.rendered(() => panel.send(detailsMessage('clips/new.mp4', null)));
    assert.match((await panel.page.textContent('.details-section .empty-note')) ?? '', /Not scored yet/);
    await panel.page.close();
  });

  it('looks like a VS Code side bar in light and dark themes (screenshots)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const result = makeResult({ questions: 20, seed: 3 });
      const panel = await sidebarWith(theme, { width: 340, height: 1100 });
      await panel.send(
        toSidebar('sidebar/jobs', { jobs: [{ id: 'j', label: 'Score clips/b-runner.mp4', done: 7, total: 20, phase: 'answers' }] }),
      );
      await panel.send(toSidebar('sidebar/videos', { rows: videoRows() }));
      await panel.rendered(() => panel.send(detailsMessage(result.video.path, result)));
      await panel.page
        .locator('details.reason')
        .first()
        .evaluate((d) => ((d as HTMLDetailsElement).open = true));
      await panel.page.screenshot({ path: join(SCREENSHOTS, `sidebar-${theme}.png`), fullPage: true });
      assert.deepEqual(await panel.violations(), []);
      assert.deepEqual(panel.consoleErrors, []);
      await panel.page.close();
    }
  });
});

async function pick(panel: PanelPage, label: string): Promise<void> {
  const select = panel.page.locator('vscode-single-select.videos-sort');
  await select.click();
  await select.locator('.options li.option', { hasText: label }).first().click();
  await panel.page.waitForFunction((l) => {
    const el = document.querySelector('vscode-single-select.videos-sort') as (HTMLElement & { value: string }) | null;
    const option = [...(el?.querySelectorAll('vscode-option') ?? [])].find((o) => o.textContent === l);
    return option !== undefined && el?.value === option.getAttribute('value');
  }, label);
}
