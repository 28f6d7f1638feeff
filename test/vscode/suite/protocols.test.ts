// VideoScore2 and Q-Save from the extension: Score Video With… and the `finger.protocol` setting
// run them against the endpoint double (started in this extension host); their results are saved
// in their own folders and shown in a results panel of their own, beside FingER's.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { normaliseRating, QSAVE_SYSTEM_TEXT, VIDEOSCORE2_SYSTEM_TEXT } from '../../../src/core/protocols';
import type { Result } from '../../../src/core/types';
import type { ResultsPanel } from '../../../src/extension/panels/resultsPanel';
import { startEndpointDouble, DEFAULT_DOUBLE_MODEL, type EndpointDouble } from '../../double/endpoint-double';
import { fingerApi, waitFor } from './api';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const video = () => path.join(root(), 'testsrc.mp4');
const fingerResultFile = () => path.join(root(), '.finger', 'results', 'testsrc.mp4.json');
const fingerResult = () => (existsSync(fingerResultFile()) ? readFileSync(fingerResultFile(), 'utf8') : null);

// The replies the model writes, in each protocol's output format (the double returns them as the
// completion's content; the ratings are read from the text and, where the digit is its own token,
// from its logprobs).
const VIDEOSCORE2_REPLY =
  '<think>The test pattern is sharp, but the prompt asks for motion the clip barely shows.</think>\n' +
  'visual quality: 4;\ntext-to-video alignment: 2,\nphysical/common-sense consistency: 5';
const QSAVE_REPLY =
  '<think>Crisp bars; the motion is small but smooth.</think>\n' +
  'visual quality: 5\nvisual attribution: crisp colour bars without noise\n' +
  'dynamic quality: 3\ndynamic attribution: little motion\n' +
  'text-video alignment: 4\nalignment attribution: the pattern matches the prompt\n' +
  'overall score: 4';

/** The chat requests the double received with this system text. */
function requestsWithSystem(double: EndpointDouble, systemText: string) {
  return double.chatRequests().filter((r) => {
    const system = r.body?.messages?.find((m: { role: string }) => m.role === 'system');
    return system && system.content === systemText;
  });
}

/** The part of a `results/show` this suite reads (src/shared/protocols/results.ts). */
interface PostedShow {
  method: string;
  params: {
    header?: { protocol: string; createdAt: string } | null;
    displayed?: { overall: number | null; questions: { dimension: string; score: number | null; reason: string | null }[] };
  };
}

/** Records what the extension posts to a panel's webview (the `results/show` it renders), through
 *  the panel's WebviewController, which is where every message to the webview goes out. */
function recordPosts(panel: ResultsPanel): PostedShow[] {
  const posted: PostedShow[] = [];
  panel.controller.onDidPost((message) => posted.push(message as unknown as PostedShow));
  return posted;
}

suite('Every protocol from the extension (VideoScore2, Q-Save) against the endpoint double', () => {
  let double: EndpointDouble;
  const config = () => vscode.workspace.getConfiguration('finger');
  const resultFile = (protocol: string) => path.join(root(), '.finger', `results-${protocol}`, 'testsrc.mp4.json');

  suiteSetup(async () => {
    // The double answers by the text of the request's last user message: each protocol's query
    // names its output format, so each gets a reply in that format.
    double = await startEndpointDouble({
      answers: {
        'Please output in this format': { pYes: 0.5, content: VIDEOSCORE2_REPLY },
        'overall score: <1-5>': { pYes: 0.5, content: QSAVE_REPLY },
      },
    });
    await config().update('endpoint.baseUrl', double.url, vscode.ConfigurationTarget.Workspace);
    await config().update('endpoint.model', DEFAULT_DOUBLE_MODEL, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await config().update('endpoint.baseUrl', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('endpoint.model', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('protocol', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const p of ['videoscore2', 'qsave']) rmSync(resultFile(p), { force: true });
    await double.close();
  });

  test('Score Video With… VideoScore2: one request, the result saved in results-videoscore2 and shown in a VideoScore2 panel', async () => {
    const f = await (await fingerApi()).features();
    // Open the (empty) VideoScore2 panel first so that what it is sent can be recorded.
    await vscode.commands.executeCommand('finger.openResults', vscode.Uri.file(video()), 'videoscore2');
    const panel = await waitFor('the VideoScore2 panel', () => f.panels.get(video(), 'videoscore2'));
    assert.equal(panel.panel.title, 'VideoScore2: testsrc.mp4');
    assert.notEqual(f.panels.get(video()), panel, 'FingER keeps its own panel');
    const posted = recordPosts(panel);
    const fingerBefore = fingerResult();

    await vscode.commands.executeCommand('finger.scoreVideoWith', vscode.Uri.file(video()), undefined, 'videoscore2');
    const outcome = f.lastOutcomes[0];
    assert.ok(outcome?.outcome, `scoring failed: ${outcome?.error ?? (outcome?.cancelled ? 'cancelled' : 'no outcome')}`);

    assert.equal(requestsWithSystem(double, VIDEOSCORE2_SYSTEM_TEXT).length, 1, 'VideoScore2 asks once per video');
    assert.ok(existsSync(resultFile('videoscore2')));
    assert.equal(fingerResult(), fingerBefore, 'the FingER result is untouched');
    const saved = JSON.parse(readFileSync(resultFile('videoscore2'), 'utf8')) as Result;
    assert.equal(saved.protocol, 'videoscore2');
    assert.deepEqual(
      saved.questions.map((q) => [q.dimension, q.score]),
      [
        ['visual_quality', normaliseRating(4)],
        ['text_alignment', normaliseRating(2)],
        ['factual_consistency', normaliseRating(5)],
      ],
    );
    assert.match(saved.questions[0]!.reason ?? '', /test pattern is sharp/);

    const shown = await waitFor('the saved result shown in the panel', () =>
      posted.find((m) => m.method === 'results/show' && m.params.header?.createdAt === saved.createdAt),
    );
    assert.equal(shown.params.header?.protocol, 'videoscore2');
    assert.deepEqual(
      shown.params.displayed?.questions.map((q) => [q.dimension, q.score, q.reason]),
      saved.questions.map((q) => [q.dimension, q.score, q.reason]),
      'the panel shows the saved ratings and rationales',
    );
    assert.equal(shown.params.displayed?.overall, saved.overall);
    assert.deepEqual(panel.currentResult, saved);
  });

  test('a VideoScore2 result rewritten outside VS Code (the CLI, another window) reaches its open panel', async () => {
    const f = await (await fingerApi()).features();
    await vscode.commands.executeCommand('finger.openResults', vscode.Uri.file(video()), 'videoscore2');
    const panel = await waitFor('the VideoScore2 panel', () => f.panels.get(video(), 'videoscore2'));
    const posted = recordPosts(panel);
    const saved = JSON.parse(readFileSync(resultFile('videoscore2'), 'utf8')) as Result;
    const rescored: Result = {
      ...saved,
      createdAt: '2030-01-01T00:00:00.000Z',
      questions: saved.questions.map((q, i) => (i === 0 ? { ...q, reason: 'Rescored by the CLI: the bars are soft.' } : q)),
    };
    writeFileSync(resultFile('videoscore2'), JSON.stringify(rescored, null, 2));
    const shown = await waitFor('the rewritten result shown in the panel', () =>
      posted.find((m) => m.method === 'results/show' && m.params.header?.createdAt === rescored.createdAt),
    );
    assert.equal(shown.params.displayed?.questions[0]?.reason, 'Rescored by the CLI: the bars are soft.');
  });

  test('finger.protocol = qsave: Score Video runs Q-Save; the MOS is the overall; FingER and VideoScore2 results are untouched', async () => {
    const f = await (await fingerApi()).features();
    const videoScore2Before = readFileSync(resultFile('videoscore2'), 'utf8');
    const fingerBefore = fingerResult();
    await config().update('protocol', 'qsave', vscode.ConfigurationTarget.Workspace);

    await vscode.commands.executeCommand('finger.scoreVideo', vscode.Uri.file(video()));
    const outcome = f.lastOutcomes[0];
    assert.ok(outcome?.outcome, `scoring failed: ${outcome?.error ?? (outcome?.cancelled ? 'cancelled' : 'no outcome')}`);

    const requests = requestsWithSystem(double, QSAVE_SYSTEM_TEXT);
    assert.equal(requests.length, 1, 'Q-Save asks once per video');
    // SlowFast: the high-resolution key frames come as separate images before the fast pathway.
    const parts = requests[0]!.body.messages.find((m: { role: string }) => m.role === 'user').content as { type: string }[];
    assert.ok(parts.filter((p) => p.type === 'image_url').length >= 1, JSON.stringify(parts.map((p) => p.type)));

    const saved = JSON.parse(readFileSync(resultFile('qsave'), 'utf8')) as Result;
    assert.equal(saved.protocol, 'qsave');
    assert.deepEqual(
      saved.questions.map((q) => [q.dimension, q.score, q.reason]),
      [
        ['visual_quality', normaliseRating(5), 'crisp colour bars without noise'],
        ['dynamic_degree', normaliseRating(3), 'little motion'],
        ['text_alignment', normaliseRating(4), 'the pattern matches the prompt'],
      ],
    );
    assert.equal(saved.overall, normaliseRating(4), 'the overall is the MOS, not the mean of the dimensions');

    const panel = await waitFor('the Q-Save panel', () => f.panels.get(video(), 'qsave'));
    assert.equal(panel.panel.title, 'Q-Save: testsrc.mp4');
    assert.deepEqual(
      await waitFor('the Q-Save result in its panel', () => panel.currentResult?.createdAt === saved.createdAt && panel.currentResult),
      saved,
    );
    assert.equal(readFileSync(resultFile('videoscore2'), 'utf8'), videoScore2Before);
    assert.equal(fingerResult(), fingerBefore, 'the FingER result is untouched');
  });
});
