// The FingER test controller in a real extension host: the Test Explorer's items (videos grouped
// by folder, one child per dimension), and a run over two videos whose results are current — one
// passes the finger.gate.* minimums, one fails text alignment, with a message holding the
// question, the answer and the reason, located at the entity's words in the prompt file.
import * as assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeGateResults } from '../../fixtures/results/generate';
import { fingerApi } from './api';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const resultFile = (clip: string) => path.join(root(), '.finger', 'results', `${clip}.json`);

suite('Testing view', () => {
  suiteSetup(() => {
    writeGateResults(root());
  });

  suiteTeardown(() => {
    rmSync(resultFile('testsrc.mp4'), { force: true });
    rmSync(resultFile('mandelbrot.mp4'), { force: true });
  });

  test('lists every video with one child per dimension', async () => {
    const testing = (await (await fingerApi()).features()).testing;
    await testing.discover();
    const ids: string[] = [];
    testing.controller.items.forEach((i) => ids.push(i.id));
    for (const clip of ['testsrc.mp4', 'mandelbrot.mp4', 'red-square.mp4'])
      assert.ok(ids.includes(path.join(root(), clip)), `${clip} in ${ids.join(', ')}`);
    const item = testing.controller.items.get(path.join(root(), 'mandelbrot.mp4'))!;
    const children: string[] = [];
    item.children.forEach((c) => children.push(c.label));
    assert.deepEqual(children, ['Visual quality', 'Temporal consistency', 'Dynamic degree', 'Text alignment', 'Factual consistency']);
  });

  test('a run reads the current results: one clip passes, the other fails text alignment with its reason at the entity', async () => {
    const testing = (await (await fingerApi()).features()).testing;
    await testing.discover();
    const pass = testing.controller.items.get(path.join(root(), 'testsrc.mp4'))!;
    const fail = testing.controller.items.get(path.join(root(), 'mandelbrot.mp4'))!;
    const cts = new vscode.CancellationTokenSource();
    await testing.run(new vscode.TestRunRequest([pass, fail]), cts.token);
    const out = testing.lastRun;
    assert.equal(out.get(pass.id)?.state, 'passed');
    assert.equal(out.get(`${pass.id}#text_alignment`)?.state, 'passed');
    assert.equal(out.get(fail.id)?.state, 'failed');
    assert.equal(out.get(`${fail.id}#visual_quality`)?.state, 'passed');
    const ta = out.get(`${fail.id}#text_alignment`);
    assert.equal(ta?.state, 'failed');
    const message = ta!.messages[0]!;
    assert.match(message.text, /below the gate: text_alignment 0\.100 < 0\.5/);
    assert.match(message.text, /\[No, score 0\.10\] fractal: Does the video show a glowing fractal\? — Only a flat gradient is visible\./);
    assert.equal(message.location?.uri, path.join(root(), 'mandelbrot.txt'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(message.location!.uri));
    assert.equal(doc.lineAt(message.location!.line).text.slice(message.location!.start, message.location!.end), 'fractal');
    // The video's own message lists its worst question too (the overall is above 0.5 here only
    // because visual quality carries it; the dimension gate fails it).
    assert.match(out.get(fail.id)!.messages[0]!.text, /glowing fractal/);
  });

  test('the gate comes from finger.gate.*: lowering the text-alignment minimum passes the clip', async () => {
    const config = vscode.workspace.getConfiguration('finger');
    await config.update('gate.dimensions', { text_alignment: 0.05 }, vscode.ConfigurationTarget.Workspace);
    try {
      const testing = (await (await fingerApi()).features()).testing;
      const fail = testing.controller.items.get(path.join(root(), 'mandelbrot.mp4'))!;
      await testing.run(new vscode.TestRunRequest([fail]), new vscode.CancellationTokenSource().token);
      assert.equal(testing.lastRun.get(`${fail.id}#text_alignment`)?.state, 'passed');
    } finally {
      await config.update('gate.dimensions', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
