// The HTML files of `finger compare --format html` and `finger report --format html`, opened
// offline in Debian's Chromium from file://: they render (leaderboard, charts, per-clip scores,
// failing questions, thumbnails from the frame cache), make no request, and show hostile model
// text as text (no element, dialog, console error or CSP violation from it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../harness/browser';
import { buildCli, runCli } from '../helpers/cli';
import { useTempRoot } from '../helpers/temp';
import { SCREENSHOTS } from './harness';
import { HOSTILE_TEXTS, answeredQuestion, resultFor } from '../fixtures/results/generate';
import { FrameCache, frameCacheKey } from '../../src/core/video/cache';
import type { Result } from '../../src/core/types';

const root = useTempRoot('finger-html-');

/** Two models × three prompts; model text (prompt, entity, question, reason) full of hostile strings. */
async function workspace(): Promise<string> {
  const files: Record<string, string> = {};
  const results: Result[] = [];
  for (const [mi, model] of ['alpha', 'beta'].entries()) {
    for (let p = 0; p < 3; p++) {
      const video = `out/${model}/p${p}.mp4`;
      const hostile = HOSTILE_TEXTS[(p + mi) % HOSTILE_TEXTS.length]!;
      const qs = [
        answeredQuestion(
          'q1',
          'visual_quality',
          `hand ${hostile}`,
          `Is the hand intact? ${hostile}`,
          0.2 + 0.3 * mi + 0.1 * p,
          `Reason ${HOSTILE_TEXTS[(p + 3) % HOSTILE_TEXTS.length]}`,
        ),
        answeredQuestion('q2', 'text_alignment', 'car', 'Is the car red?', 0.8 - 0.2 * mi, 'It is red.'),
      ];
      const r = resultFor(video, `A prompt ${p} ${HOSTILE_TEXTS[p]}`, qs);
      r.video.sha256 = `${mi}${p}`.padEnd(64, 'a');
      results.push(r);
      files[`.finger/results/${video}.json`] = JSON.stringify(r);
    }
  }
  const ws = await root.workspace(files);
  // Frames in the frame cache, as scoring leaves them: real JPEGs made by ffmpeg.
  const jpeg = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=96x64',
      '-frames:v',
      '1',
      '-f',
      'image2pipe',
      '-c:v',
      'mjpeg',
      '-',
    ],
    { maxBuffer: 1 << 24 },
  ).stdout;
  assert.ok(jpeg.length > 100, 'ffmpeg made a JPEG');
  const cache = new FrameCache({ dir: path.join(ws, '.finger/cache/frames') });
  for (const r of results) {
    await cache.set(
      frameCacheKey(r.video.sha256, r.sampling),
      [0, 1, 2, 3].map((index) => ({ index, timeSec: index * 0.5, width: 96, height: 64, jpeg })),
    );
  }
  return ws;
}

describe('self-contained HTML reports in Chromium, offline', () => {
  let browser: Browser;
  let ws: string;
  before(async () => {
    await buildCli();
    ws = await workspace();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  async function open(file: string) {
    const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      (window as unknown as { violations: string[] }).violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForLoadState('load');
    return { context, page, requests, dialogs, errors };
  }

  for (const kind of ['compare', 'report'] as const) {
    it(`${kind} --format html renders offline and keeps model text as text`, async () => {
      const out = path.join(ws, `${kind}.html`);
      const run = await runCli(
        kind === 'compare' ? ['compare', 'out', '--format', 'html', '--out', out] : ['report', '--format', 'html', '--out', out],
        { cwd: ws },
      );
      assert.equal(run.code, 0, run.stderr);
      const html = readFileSync(out, 'utf8');
      assert.doesNotMatch(html, /<(link|iframe)\b|src="https?:|href="https?:/i, 'nothing loaded from elsewhere');
      assert.ok(statSync(out).size < 4 * 1024 * 1024 + 200_000, 'within the size cap');
      const { context, page, requests, dialogs, errors } = await open(out);
      try {
        assert.deepEqual(
          requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')),
          [],
          'no network request',
        );
        // The leaderboard with its charts.
        assert.equal(await page.locator('table.leaderboard tbody tr').count(), 2);
        assert.equal(await page.locator('#leaderboard svg.chart').count(), 3);
        assert.equal(await page.locator('#leaderboard svg polygon[fill-opacity]').count(), 2, 'one radar shape per model');
        // Per clip: six clips, their failing questions with reasons, and thumbnails that decode.
        assert.equal(await page.locator('article.clip').count(), 6);
        assert.ok((await page.locator('table.failing tbody tr').count()) >= 1);
        const widths = await page
          .locator('article.clip .frames img')
          .evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
        assert.equal(widths.length, 18);
        assert.ok(
          widths.every((w) => w === 96),
          `thumbnails decoded: ${widths.join(',')}`,
        );
        // Hostile text: only our own script and elements; the strings are there as text.
        assert.equal(await page.locator('script').count(), 1);
        assert.equal(await page.locator('iframe, a[href], svg[onload], img[onerror], body style').count(), 0);
        const text = await page.locator('body').innerText();
        for (const h of HOSTILE_TEXTS.slice(0, 3)) assert.ok(text.includes(h), `shown as text: ${h}`);
        assert.deepEqual(dialogs, []);
        assert.deepEqual(errors, []);
        assert.deepEqual(await page.evaluate(() => (window as unknown as { violations: string[] }).violations), []);
        // The inline script works under the file's CSP: filtering the clips.
        await page.locator('#filter').fill('beta');
        assert.equal(await page.locator('article.clip:not(.hidden)').count(), 3);
        assert.match(await page.locator('#shown').innerText(), /^3 of 6 clips$/);
        await page.locator('#filter').fill('');
        await page.locator('#filter').blur();
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: path.join(SCREENSHOTS, `finger-${kind}-html.png`), fullPage: false });
      } finally {
        await context.close();
      }
    });
  }

  it('keeps the thumbnails within the size cap', async () => {
    const { clipsSection } = await import('../../src/core/workbench/html');
    const { listResults } = await import('../../src/core/store');
    const clips = (await listResults(ws)).map((l) => ({ video: l.videoRelPath, result: l.result! }));
    const one =
      Math.ceil(
        readFileSync(
          path.join(
            ws,
            '.finger/cache/frames',
            (await import('node:fs')).readdirSync(path.join(ws, '.finger/cache/frames')).find((d) => !d.endsWith('-facts'))!,
            'frame-0000.jpg',
          ),
        ).length / 3,
      ) * 4;
    const html = await clipsSection(clips, { workspace: ws, title: 't', thumbnailBytes: one * 4 + 10 });
    assert.equal(html.match(/<img /g)?.length, 4);
    assert.match(html, /size cap was reached/);
    await writeFile(path.join(ws, 'cap.html'), html);
  });
});
