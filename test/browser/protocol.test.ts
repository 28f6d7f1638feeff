// The shared protocol and HTML shell, in plain Node: what each side accepts, and the CSP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, renderWebviewHtml } from '../../src/extension/webview/html';
import { applyOverridesToResult } from '../../src/shared/display';
import {
  isCommand,
  isNotification,
  makeCommand,
  makeNotification,
  makeRequest,
  makeResponse,
  parseExtensionMessage,
  parseWebviewMessage,
} from '../../src/shared/protocol';
import { scoreDimensions } from '../../src/core/scoring/finger';
import { makeResult } from '../fixtures/results/generate';

describe('protocol', () => {
  it('round-trips every kind of message through the parser of the receiving side', () => {
    const result = makeResult({ questions: 12, seed: 1 });
    const show = makeNotification('results/show', { result, labels: null, video: { name: 'a.mp4', relPath: 'a.mp4', frames: [] }, theme: 'dark' });
    const parsedShow = parseExtensionMessage(JSON.parse(JSON.stringify(show)));
    assert.ok(parsedShow.ok && isNotification(parsedShow.message, 'results/show'));
    assert.deepEqual(parsedShow.message.params.result, result);

    const response = makeResponse(makeRequest(7, 'results/getLabels', {}), { result: { labels: null } });
    const parsedResponse = parseExtensionMessage(response);
    assert.ok(parsedResponse.ok && parsedResponse.message.kind === 'response' && parsedResponse.message.id === 7);

    const override = makeCommand('results/override', { questionId: 'q1', questionText: 'Is it red?', answer: null });
    const parsedOverride = parseWebviewMessage(override);
    assert.ok(parsedOverride.ok && isCommand(parsedOverride.message, 'results/override'));
    assert.equal(parsedOverride.message.params.answer, null);

    for (const m of [makeCommand('sidebar/openResults', { relPath: 'x.mp4' }), makeCommand('sidebar/cancelJob', { id: 'j' }), makeCommand('sidebar/ready', {})]) {
      assert.ok(parseWebviewMessage(m).ok, m.method);
    }
  });

  it('rejects malformed and foreign messages with a message naming the field', () => {
    const bad = parseWebviewMessage({ kind: 'command', method: 'results/override', params: { questionId: 'q1', answer: 'Maybe' } });
    assert.ok(!bad.ok);
    assert.match(bad.error, /questionText|answer/);
    assert.equal(parseWebviewMessage({ kind: 'command', method: 'results/deleteEverything', params: {} }).ok, false);
    assert.equal(parseExtensionMessage({ kind: 'notification', method: 'results/answer', params: { question: { id: 'q' } } }).ok, false);
    assert.equal(parseExtensionMessage('hello').ok, false);
    // A webview must not be able to send what only the extension sends.
    assert.equal(parseWebviewMessage(makeNotification('results/error', { message: 'x' })).ok, false);
  });

  it('applies overrides for display and recomputes dimension and overall scores', () => {
    const result = makeResult({ questions: 25, seed: 3 });
    const target = result.questions.find((q) => q.polarity === 'negative' && q.answer === 'Yes');
    assert.ok(target);
    const labels = { version: 1 as const, video: 'v', overrides: [{ questionId: 'renamed', questionText: `  ${target.text.toUpperCase()} `, answer: 'No' as const, updatedAt: 't' }] };
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
    for (const directive of ['img-src', 'media-src', 'style-src', 'font-src']) assert.match(csp, new RegExp(`${directive} https://file\\+\\.vscode-resource\\.vscode-cdn\\.net`));
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    for (const tag of [...scripts, ...(html.match(/<link\b[^>]*>/g) ?? [])]) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
    assert.ok(html.includes('id="vscode-codicon-stylesheet"'));
    assert.ok(!html.includes('<script>alert(1)</script>'));
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
  });
});
