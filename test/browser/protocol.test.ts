// The shared protocol and HTML shell, in plain Node: what each side accepts, and the CSP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, renderWebviewHtml } from '../../src/extension/webview/html';
import { applyOverridesToResult } from '../../src/shared/display';
import { isMethod, makeMessage, parseMessage } from '../../src/shared/protocols/envelope';
import {
  RestoredResultsStateSchema,
  ResultsToHostSchema,
  ResultsToWebviewSchema,
  type ResultsToHost,
  type ResultsToWebview,
  type ResultsWebviewState,
} from '../../src/shared/protocols/results';
import { SidebarToHostSchema, SidebarToWebviewSchema, type SidebarToHost } from '../../src/shared/protocols/sidebar';
import { applyOverride } from '../../src/shared/scoring';
import { scoreDimensions } from '../../src/core/scoring/finger';
import { makeResult } from '../fixtures/results/generate';

describe('protocol', () => {
  it('round-trips every kind of message through the parser of the receiving side', () => {
    const result = makeResult({ questions: 12, seed: 1 });
    const displayed = applyOverridesToResult(result, null);
    const show = makeMessage<ResultsToWebview, 'results/show'>('notification', 'results/show', {
      video: { name: 'a.mp4', relPath: 'a.mp4', frames: [] },
      theme: 'dark',
      header: null,
      prompt: result.prompt,
      displayed,
    });
    const parsedShow = parseMessage(ResultsToWebviewSchema, JSON.parse(JSON.stringify(show)));
    assert.ok(parsedShow.ok && isMethod(parsedShow.message, 'results/show'));
    assert.deepEqual(parsedShow.message.params.displayed, JSON.parse(JSON.stringify(displayed)));

    const override = makeMessage<ResultsToHost, 'results/override'>('command', 'results/override', {
      questionId: 'q1',
      questionText: 'Is it red?',
      answer: null,
    });
    const parsedOverride = parseMessage(ResultsToHostSchema, override);
    assert.ok(parsedOverride.ok && isMethod(parsedOverride.message, 'results/override'));
    assert.equal(parsedOverride.message.params.answer, null);

    const sidebar: SidebarToHost[] = [
      makeMessage<SidebarToHost, 'sidebar/openResults'>('command', 'sidebar/openResults', { relPath: 'x.mp4' }),
      makeMessage<SidebarToHost, 'sidebar/cancelJob'>('command', 'sidebar/cancelJob', { id: 'j' }),
      makeMessage<SidebarToHost, 'sidebar/ready'>('command', 'sidebar/ready', {}),
    ];
    for (const m of sidebar) assert.ok(parseMessage(SidebarToHostSchema, m).ok, m.method);
    assert.ok(
      parseMessage(SidebarToWebviewSchema, {
        kind: 'notification',
        method: 'sidebar/details',
        params: { target: null, header: null, displayed: null },
      }).ok,
    );
  });

  it('rejects malformed and foreign messages, and each webview accepts only its own protocol', () => {
    const bad = parseMessage(ResultsToHostSchema, {
      kind: 'command',
      method: 'results/override',
      params: { questionId: 'q1', answer: 'Maybe' },
    });
    assert.ok(!bad.ok);
    assert.match(bad.error, /questionText|answer/);
    assert.equal(parseMessage(ResultsToHostSchema, { kind: 'command', method: 'results/deleteEverything', params: {} }).ok, false);
    assert.equal(
      parseMessage(ResultsToWebviewSchema, { kind: 'notification', method: 'results/answer', params: { question: { id: 'q' } } }).ok,
      false,
    );
    assert.equal(parseMessage(ResultsToWebviewSchema, 'hello').ok, false);
    // A webview must not be able to send what only the extension sends, nor the other webview's commands.
    assert.equal(parseMessage(ResultsToHostSchema, { kind: 'notification', method: 'results/error', params: { message: 'x' } }).ok, false);
    assert.equal(parseMessage(ResultsToHostSchema, { kind: 'command', method: 'sidebar/cancelJob', params: { id: 'j' } }).ok, false);
    assert.equal(
      parseMessage(SidebarToWebviewSchema, { kind: 'notification', method: 'results/error', params: { message: 'x' } }).ok,
      false,
    );
    // The removed request/response round-trip is not part of either protocol.
    assert.equal(parseMessage(ResultsToHostSchema, { kind: 'request', id: 1, method: 'results/getLabels', params: {} }).ok, false);
  });

  it('the serializer reads the video back from the state the results webview saves', () => {
    const state: ResultsWebviewState = {
      version: 2,
      show: {
        video: { name: 'x.mp4', relPath: 'b/x.mp4', workspaceFolder: 'ws', frames: [] },
        theme: 'dark',
        header: null,
        prompt: null,
        displayed: { questions: [], dimensions: {}, overall: null, overriddenCount: 0 },
      },
      filters: { failingOnly: false, dimension: '', entity: '', text: '' },
      changes: null,
      error: null,
      progress: null,
    };
    const restored = RestoredResultsStateSchema.safeParse(JSON.parse(JSON.stringify(state)));
    assert.ok(restored.success);
    assert.deepEqual(
      { relPath: restored.data.show.video.relPath, workspaceFolder: restored.data.show.video.workspaceFolder },
      { relPath: 'b/x.mp4', workspaceFolder: 'ws' },
    );
    // The shape saved before (version 1, which the serializer misread) names no video.
    assert.equal(RestoredResultsStateSchema.safeParse({ version: 1, relPath: 'b/x.mp4' }).success, false);
  });

  it('applyOverride replaces an earlier override of the same question however its text is spaced or cased', () => {
    const first = applyOverride(null, { questionId: 'q1', questionText: 'Is the cup red?', answer: 'Yes' }, 'a.mp4');
    const second = applyOverride(first, { questionId: 'q9', questionText: '  is the CUP   red? ', answer: 'No', note: 'n' }, 'a.mp4');
    assert.deepEqual(
      second.overrides.map((o) => [o.questionId, o.answer, o.note]),
      [['q9', 'No', 'n']],
    );
    assert.deepEqual(applyOverride(second, { questionId: 'q9', questionText: 'Is the cup red?', answer: null }, 'a.mp4').overrides, []);
    assert.equal(first.video, 'a.mp4');
  });

  it('applies overrides for display and recomputes dimension and overall scores', () => {
    const result = makeResult({ questions: 25, seed: 3 });
    const target = result.questions.find((q) => q.polarity === 'negative' && q.answer === 'Yes');
    assert.ok(target);
    const labels = {
      version: 1 as const,
      video: 'v',
      overrides: [{ questionId: 'renamed', questionText: `  ${target.text.toUpperCase()} `, answer: 'No' as const, updatedAt: 't' }],
    };
    const shown = applyOverridesToResult(result, labels);
    const q = shown.questions.find((x) => x.id === target.id);
    assert.equal(q?.answer, 'No');
    assert.equal(q?.score, 1, 'No is the good answer of a negative question');
    assert.equal(q?.overridden?.modelAnswer, 'Yes');
    assert.equal(shown.overriddenCount, 1);
    const expected = scoreDimensions(result.questions.map((x) => (x.id === target.id ? { ...x, score: 1 } : x)));
    assert.equal(shown.overall, expected.overall);
    assert.deepEqual(shown.dimensions, expected.dimensions);
    assert.deepEqual(applyOverridesToResult(result, null).dimensions, result.dimensions);
  });
});

describe('webview HTML', () => {
  it('has a strict CSP with a nonce on every script and stylesheet, and escapes its inputs', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
    assert.notEqual(makeNonce(), nonce);
    const html = renderWebviewHtml({
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      nonce,
      scriptUri: 'https://x/dist/webview/results.js',
      styleUris: ['https://x/media/webview/common.css'],
      codiconsUri: 'https://x/media/webview/codicons/codicon.css',
      title: 'FingER: <script>alert(1)</script>.mp4',
    });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replaceAll('&#39;', "'") ?? '';
    assert.match(csp, /^default-src 'none';/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}';`));
    assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
    for (const directive of ['img-src', 'media-src', 'style-src', 'font-src'])
      assert.match(csp, new RegExp(`${directive} https://file\\+\\.vscode-resource\\.vscode-cdn\\.net`));
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    for (const tag of [...scripts, ...(html.match(/<link\b[^>]*>/g) ?? [])]) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
    assert.ok(html.includes('id="vscode-codicon-stylesheet"'));
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });
});
