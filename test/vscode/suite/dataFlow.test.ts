// Data flows one way (docs/ARCHITECTURE.md): pipeline → store → results index → views. Inside the
// real extension host, with the messages each webview connection posts counted where they leave:
// one save reaches an open results panel as exactly one `results/show`; a result written by
// another process, once; the same bytes again, not at all; and a change of `finger.weights`
// reaches the results panel, the side panel and the prompt-file annotations with the same numbers.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_DOUBLE_MODEL, startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';
import { toTarget } from '../../../src/extension/locate';
import type { Envelope } from '../../../src/shared/protocols/envelope';
import type { ResultsToWebview } from '../../../src/shared/protocols/results';
import type { SidebarToWebview } from '../../../src/shared/protocols/sidebar';
import { fingerApi, waitFor } from './api';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const config = () => vscode.workspace.getConfiguration('finger');
const WS = vscode.ConfigurationTarget.Workspace;
/** Longer than the watcher's latency and the first reconcile passes: late duplicates would arrive. */
const SETTLE_MS = 6000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every message a webview connection posts from now on. */
function record<M extends Envelope>(connection: { onDidPost: vscode.Event<M> }): { messages: M[]; dispose(): void } {
  const messages: M[] = [];
  const sub = connection.onDidPost((m) => messages.push(m));
  return { messages, dispose: () => sub.dispose() };
}

suite('Data flow: one source of change events', () => {
  let double: EndpointDouble;

  suiteSetup(async () => {
    double = await startEndpointDouble();
    await config().update('endpoint.baseUrl', double.url, WS);
    await config().update('endpoint.model', DEFAULT_DOUBLE_MODEL, WS);
  });

  suiteTeardown(async () => {
    for (const k of ['endpoint.baseUrl', 'endpoint.model', 'weights']) await config().update(k, undefined, WS);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const clip of ['testsrc.mp4', 'mandelbrot.mp4']) {
      rmSync(path.join(root(), '.finger', 'results', `${clip}.json`), { force: true });
      rmSync(path.join(root(), '.finger', 'labels', `${clip}.json`), { force: true });
    }
    await double.close();
  });

  test('one save by the pipeline gives the open panel exactly one results/show', async () => {
    const f = await (await fingerApi()).features();
    const video = path.join(root(), 'testsrc.mp4');
    const panel = await f.panels.open(toTarget(video));
    const posted = record<ResultsToWebview>(panel.controller);
    let savedAt = -1;
    const sub = f.jobs.onPipelineEvent(({ event }) => {
      if (event.type === 'saved') savedAt = posted.messages.length;
    });
    try {
      await vscode.commands.executeCommand('finger.scoreVideo', vscode.Uri.file(video));
      assert.ok(f.lastOutcomes[0]?.outcome?.saved, `scored and saved: ${f.lastOutcomes[0]?.error ?? 'not saved'}`);
      await sleep(SETTLE_MS);
      assert.ok(savedAt >= 0, 'the pipeline said it saved');
      const after = posted.messages.slice(savedAt).filter((m) => m.method === 'results/show');
      assert.equal(after.length, 1, `results/show after the save: ${after.length}`);
      const show = after[0]!;
      assert.ok(show.method === 'results/show');
      const saved = JSON.parse(readFileSync(path.join(root(), '.finger', 'results', 'testsrc.mp4.json'), 'utf8'));
      assert.equal(show.params.header?.createdAt, saved.createdAt, 'the show carries the saved result');
      assert.equal(show.params.displayed.overall, saved.overall);
    } finally {
      sub.dispose();
      posted.dispose();
    }
  });

  test('a result written by another process reaches the panel once; the same bytes again, not at all', async () => {
    const f = await (await fingerApi()).features();
    const video = path.join(root(), 'mandelbrot.mp4');
    const file = path.join(root(), '.finger', 'results', 'mandelbrot.mp4.json');
    rmSync(file, { force: true });
    await f.index.whenIdle();
    const panel = await f.panels.open(toTarget(video));
    await sleep(1000);
    const posted = record<ResultsToWebview>(panel.controller);
    try {
      const prompt = readFileSync(path.join(root(), 'mandelbrot.txt'), 'utf8').trim();
      const result = resultFor('mandelbrot.mp4', prompt, [
        answeredQuestion('q1', 'visual_quality', 'fractal', 'Is the fractal sharp?', 0.8, 'Sharp edges.'),
      ]);
      mkdirSync(path.dirname(file), { recursive: true });
      const text = JSON.stringify(result, null, 2);
      writeFileSync(file, text);
      await sleep(SETTLE_MS);
      assert.equal(posted.messages.filter((m) => m.method === 'results/show').length, 1);
      writeFileSync(file, text); // touched: a new modification time, the same content
      await sleep(SETTLE_MS);
      assert.equal(posted.messages.filter((m) => m.method === 'results/show').length, 1, 'nothing changed, nothing sent');
    } finally {
      posted.dispose();
    }
  });

  test('an override posted by the panel is saved and comes back as one results/show with the answer overridden', async () => {
    const f = await (await fingerApi()).features();
    const video = path.join(root(), 'mandelbrot.mp4');
    const file = path.join(root(), '.finger', 'results', 'mandelbrot.mp4.json');
    const prompt = readFileSync(path.join(root(), 'mandelbrot.txt'), 'utf8').trim();
    const question = answeredQuestion('q1', 'visual_quality', 'fractal', 'Is the fractal sharp?', 0.8, 'Sharp edges.');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(resultFor('mandelbrot.mp4', prompt, [question]), null, 2));
    await waitFor('the result in the index', () => f.index.get(video)?.displayed?.overall === 0.8);
    const panel = await f.panels.open(toTarget(video));
    await sleep(1000);
    const posted = record<ResultsToWebview>(panel.controller);
    try {
      // As the webview posts it, with the text spaced and cased otherwise than the question's.
      const change = { questionId: 'q1', questionText: '  is the FRACTAL sharp? ', answer: 'No' as const };
      await (panel.controller as unknown as { receive(d: unknown): Promise<void> }).receive({
        kind: 'command',
        method: 'results/override',
        params: change,
      });
      const labels = JSON.parse(readFileSync(path.join(root(), '.finger', 'labels', 'mandelbrot.mp4.json'), 'utf8'));
      assert.deepEqual(
        labels.overrides.map((o: { questionId: string; answer: string }) => [o.questionId, o.answer]),
        [['q1', 'No']],
      );
      await sleep(SETTLE_MS);
      const shows = posted.messages.filter((m) => m.method === 'results/show');
      assert.equal(shows.length, 1, `results/show after the override: ${shows.length}`);
      const shown = shows[0]!.method === 'results/show' ? shows[0]!.params.displayed : undefined;
      assert.equal(shown?.questions[0]?.answer, 'No');
      assert.equal(shown?.questions[0]?.overridden?.modelAnswer, 'Yes');
      assert.equal(shown?.overall, 0, 'the positive question answered No scores 0');
    } finally {
      posted.dispose();
      rmSync(path.join(root(), '.finger', 'labels', 'mandelbrot.mp4.json'), { force: true });
    }
  });

  test('a change of finger.weights reaches the results panel, the side panel and the annotations', async () => {
    const f = await (await fingerApi()).features();
    const video = path.join(root(), 'mandelbrot.mp4');
    const file = path.join(root(), '.finger', 'results', 'mandelbrot.mp4.json');
    const prompt = readFileSync(path.join(root(), 'mandelbrot.txt'), 'utf8').trim();
    // Equal weights: (0.9 + 0.1) / 2 = 0.5; visual_quality weighing 3: (3·0.9 + 0.1) / 4 = 0.7.
    const result = resultFor('mandelbrot.mp4', prompt, [
      answeredQuestion('q1', 'visual_quality', 'swirls', 'Are the swirls rendered without artifacts?', 0.9, 'Clean.'),
      answeredQuestion('q2', 'text_alignment', 'fractal', 'Does the video show a glowing fractal?', 0.1, 'A flat gradient.'),
    ]);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(result, null, 2));
    await waitFor('the result in the index', () => f.index.get(video)?.displayed?.overall === 0.5);

    const promptUri = vscode.Uri.file(path.join(root(), 'mandelbrot.txt'));
    await vscode.window.showTextDocument(promptUri);
    await vscode.commands.executeCommand('finger.sidebar.focus');
    const sidebar = await waitFor('the side panel', () => f.sidebar.controller);
    const panel = await f.panels.open(toTarget(video)); // the side panel follows the active results panel
    const panelPosts = record<ResultsToWebview>(panel.controller);
    const sidebarPosts = record<SidebarToWebview>(sidebar);
    try {
      await waitFor('the side panel shows the video', () => f.sidebar.followedVideo === path.resolve(video));
      await config().update('weights', { visual_quality: 3 }, WS);
      const expected = 0.7;
      const close = (x: number | null | undefined) => x !== null && x !== undefined && Math.abs(x - expected) < 1e-9;
      await waitFor('the results panel', () =>
        panelPosts.messages.some((m) => m.method === 'results/show' && close(m.params.displayed.overall)),
      );
      await waitFor('the side panel details', () =>
        sidebarPosts.messages.some((m) => m.method === 'sidebar/details' && close(m.params.displayed?.overall)),
      );
      await waitFor('the side panel rows', () =>
        sidebarPosts.messages.some(
          (m) => m.method === 'sidebar/videos' && close(m.params.rows.find((r) => r.relPath === 'mandelbrot.mp4')?.overall),
        ),
      );
      await waitFor('the CodeLens', async () => {
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', promptUri);
        return lenses.some((l) => l.command?.title.startsWith(`FingER ${expected.toFixed(2)}`));
      });
      const dims = panelPosts.messages.filter((m) => m.method === 'results/show').at(-1);
      assert.ok(dims?.method === 'results/show');
      assert.equal(dims.params.displayed.dimensions.visual_quality?.weight, 3);
    } finally {
      panelPosts.dispose();
      sidebarPosts.dispose();
      await config().update('weights', undefined, WS);
    }
  });
});
