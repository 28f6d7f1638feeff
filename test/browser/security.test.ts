// Security of every webview, systematically: each hostile string (HTML, <script>, </script>, event
// handlers, javascript: URLs) through EVERY message field that reaches a webview, in the results
// panel and the side panel, is shown as text: no injected element, no dialog, no CSP violation,
// no console error. The live pages carry a CSP with default-src 'none' and a nonce on every
// script, and that CSP blocks what an injection would need even if text ever became HTML.
//
// [security:webview]
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnsweredQuestion, Labels, Question, Result } from '../../src/core/types';
import type { ResultsToWebview } from '../../src/shared/protocols/results';
import { HOSTILE_TEXTS, makeResult } from '../fixtures/results/generate';
import { startHarness, type Harness, type PanelPage } from './harness';
import { answerMessage, detailsMessage, scoringShowMessage, showMessage, toResults, toSidebar } from './messages';

const PAYLOADS = [
  ...HOSTILE_TEXTS,
  '<img src=x onerror=alert(8)>',
  '<div onmouseover="alert(9)" style="position:fixed;inset:0">x</div>',
  '<body onload=alert(10)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(11)>',
  '{{constructor.constructor("alert(12)")()}}',
] as const;

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness?.close();
});

// Page-side code as plain strings: tsx would wrap nested named functions in a helper (__name)
// that does not exist in the page.
const ALL_ELEMENTS = `(() => {
  const all = [];
  const stack = [document];
  while (stack.length) {
    const root = stack.pop();
    for (const el of root.querySelectorAll('*')) {
      all.push(el);
      if (el.shadowRoot) stack.push(el.shadowRoot);
    }
  }
  return all;
})()`;

/** Elements an injection would create, counted in the light DOM and every open shadow root. */
async function injected(panel: PanelPage) {
  return panel.page.evaluate(`(() => {
    const all = ${ALL_ELEMENTS};
    const js = (v) => /^\\s*javascript:/i.test(v ?? '');
    return {
      scripts: document.querySelectorAll('script').length,
      iframes: all.filter((e) => e.tagName === 'IFRAME').length,
      imgX: all.filter((e) => e.tagName === 'IMG' && (e.getAttribute('src') === 'x' || !e.hasAttribute('src'))).length,
      jsLinks: all.filter((e) => js(e.getAttribute('href')) || js(e.getAttribute('src'))).length,
      onAttributes: all.filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
      mathOrForeign: all.filter((e) => ['MATH', 'MGLYPH', 'MTEXT'].includes(e.tagName.toUpperCase())).length,
    };
  })()`);
}

async function assertInert(panel: PanelPage, payload: string, where: string): Promise<void> {
  assert.deepEqual(
    await injected(panel),
    { scripts: 2, iframes: 0, imgX: 0, jsLinks: 0, onAttributes: 0, mathOrForeign: 0 },
    `${where}: nothing injected by ${payload}`,
  );
  assert.deepEqual(panel.dialogs, [], `${where}: no dialog`);
  assert.deepEqual(await panel.violations(), [], `${where}: no CSP violation`);
  assert.deepEqual(panel.consoleErrors, [], `${where}: no console error`);
}

/** The payload appears as text (light DOM, shadow roots, titles and labels). */
const shownAsText = async (panel: PanelPage, payload: string): Promise<boolean> =>
  (
    (await panel.page.evaluate(`(() => {
    let text = document.body.innerText + document.body.textContent;
    for (const el of ${ALL_ELEMENTS}) {
      if (el.shadowRoot) text += el.shadowRoot.textContent ?? '';
      text += ' ' + (el.getAttribute('title') ?? '') + ' ' + (el.getAttribute('aria-label') ?? '');
    }
    return text;
  })()`)) as string
  ).includes(payload);

function hostileResult(p: string): Result {
  const base = makeResult({ questions: 6, seed: 5 });
  const questions: AnsweredQuestion[] = base.questions.map((q, i) => ({
    ...q,
    text: i === 0 ? p : q.text,
    reason: i === 1 ? p : q.reason,
    entity: i === 2 ? p : q.entity,
    error: i === 3 ? p : q.error,
    ...(i === 3 ? { answer: null, pYes: null, pNo: null, score: null, probabilitySource: null } : {}),
  }));
  return {
    ...base,
    prompt: `A chef ${p} slices a tomato`,
    endpoint: { baseUrl: 'http://127.0.0.1:1/v1', model: p },
    video: { ...base.video, path: `clips/${p}.mp4` },
    questions,
  };
}

function labelsFor(result: Result, p: string): Labels {
  const q = result.questions[4]!;
  return {
    version: 1,
    video: result.video.path,
    overrides: [{ questionId: q.id, questionText: q.text, answer: 'No', note: p, updatedAt: '2026-01-01T00:00:00.000Z' }],
  };
}

describe('webview security: every text field, every hostile string [security:webview]', () => {
  it("the live pages have a CSP with default-src 'none' and a nonce on every script; the CSP blocks inline handlers and foreign scripts", async () => {
    for (const kind of ['results', 'sidebar'] as const) {
      const panel = await harness.open(kind);
      const csp = await panel.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content') ?? '');
      assert.match(csp, /(^|;\s*)default-src 'none'/);
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      assert.ok(nonce && nonce.length >= 16, 'a nonce of 128 bits');
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      const scripts = await panel.page.$$eval('script', (s) => s.map((x) => (x as HTMLScriptElement).nonce));
      assert.ok(scripts.length >= 1);
      for (const n of scripts) assert.equal(n, nonce, 'every script carries the nonce');
      // Second line of defence: markup forced in through innerHTML cannot run anything.
      await panel.page.evaluate(() => {
        const d = document.createElement('div');
        d.innerHTML = '<img src="data:," onerror="window.__pwned=1"><script>window.__pwned=2</script>';
        document.body.append(d);
        const s = document.createElement('script');
        s.src = 'https://example.invalid/x.js';
        document.body.append(s);
      });
      await panel.page.waitForTimeout(200);
      assert.equal(await panel.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
      const v = await panel.violations();
      assert.ok(
        v.some((x) => /script-src/.test(x.directive)),
        `the CSP reported the blocked handler or script: ${JSON.stringify(v)}`,
      );
      await panel.page.close();
    }
  });

  for (const [i, p] of PAYLOADS.entries()) {
    it(`results panel, payload ${i + 1} (${p.slice(0, 40)}): show, questions, answer, labels, changes and error`, async () => {
      const panel = await harness.open('results');
      const result = hostileResult(p);
      const show = showMessage(harness, result, { labels: labelsFor(result, p) });
      show.params.video.name = `${p}.mp4`;
      show.params.video.relPath = `clips/${p}.mp4`;
      show.params.video.promptFile = `clips/${p}.txt`;
      await panel.rendered(() => panel.send(show), 'full');
      await panel.page.$$eval('details', (all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      await assertInert(panel, p, 'results/show');
      assert.ok(await shownAsText(panel, p), 'the payload is visible as text');

      const q: Question = { id: 'qx', dimension: 'visual_quality', entity: p, text: `Live ${p}?`, polarity: 'positive' };
      const questions = [
        q,
        ...result.questions.map(({ id, dimension, entity, text, polarity }) => ({ id, dimension, entity, text, polarity })),
      ];
      const answer = {
        ...q,
        answer: 'No' as const,
        reason: p,
        pYes: 0.2,
        pNo: 0.8,
        score: 0.2,
        probabilitySource: 'logprobs' as const,
        error: null,
      };
      const messages: ResultsToWebview[] = [
        scoringShowMessage(harness, p, questions),
        answerMessage([answer, ...result.questions], answer, labelsFor(result, p)),
        toResults('results/progress', { phase: p, done: 1, total: 2 }),
        showMessage(harness, result, { labels: labelsFor(result, p) }),
        toResults('results/questionsChanged', {
          added: [q],
          removed: [{ ...q, id: 'qy', text: p }],
          changed: [{ before: { ...q, text: `${p} before` }, after: { ...q, text: `${p} after` } }],
        }),
        toResults('results/error', { message: p, file: `${p}.json` }),
      ];
      for (const m of messages) {
        await panel.send(m);
        await panel.page.waitForTimeout(30);
        await assertInert(panel, p, m.method);
      }
      await panel.page.$$eval('details', (all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      await assertInert(panel, p, 'after all messages');
      await panel.page.close();
    });

    it(`side panel, payload ${i + 1} (${p.slice(0, 40)}): videos, details and jobs`, async () => {
      const panel = await harness.open('sidebar');
      const result = hostileResult(p);
      await panel.rendered(() =>
        panel.send(
          toSidebar('sidebar/videos', {
            rows: [
              { relPath: `clips/${p}.mp4`, overall: 0.5, dimensions: { visual_quality: 0.4 }, createdAt: '2026-01-01T00:00:00Z', model: p },
              { relPath: `broken/${p}.webm`, overall: null, dimensions: {}, createdAt: '', error: p },
            ],
          }),
        ),
      );
      await assertInert(panel, p, 'sidebar/videos');
      assert.ok(await shownAsText(panel, p), 'the payload is visible as text');
      await panel.send(detailsMessage(`clips/${p}.mp4`, result, labelsFor(result, p)));
      await panel.page.waitForTimeout(50);
      await panel.page.$$eval('details', (all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
      await assertInert(panel, p, 'sidebar/details');
      await panel.send(toSidebar('sidebar/jobs', { jobs: [{ id: '1', label: p, done: 1, total: 3, phase: p }] }));
      await panel.page.waitForTimeout(50);
      await assertInert(panel, p, 'sidebar/jobs');
      await panel.page.close();
    });
  }
});
