// Prompt-file annotations from a result file, and live templates + rescore against the endpoint
// double (started in this extension host, so requests are counted where they arrive).
import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startEndpointDouble, extractEntities, DEFAULT_DOUBLE_MODEL, type EndpointDouble } from '../../double/endpoint-double';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';
import { fingerApi, waitFor } from './api';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

const answered = answeredQuestion;

suite('Prompt-file annotations', () => {
  const video = () => path.join(root(), 'mandelbrot.mp4');
  const resultFile = () => path.join(root(), '.finger', 'results', 'mandelbrot.mp4.json');
  const promptUri = () => vscode.Uri.file(path.join(root(), 'mandelbrot.txt'));

  suiteSetup(async () => {
    await fingerApi();
    const prompt = readFileSync(path.join(root(), 'mandelbrot.txt'), 'utf8').trim();
    const questions = [
      answered('q1', 'text_alignment', 'fractal', 'Does the video show a glowing fractal?', 0.1, 'The frames show only a flat gradient.'),
      answered('q2', 'visual_quality', 'swirls', 'Are the swirls rendered without artifacts?', 0.9, 'The swirls are clean in every frame.'),
    ];
    const result = resultFor('mandelbrot.mp4', prompt, questions, 'test-model');
    mkdirSync(path.dirname(resultFile()), { recursive: true });
    writeFileSync(resultFile(), JSON.stringify(result, null, 2));
    assert.ok(existsSync(video()));
    // The results watcher picks the file up (as it does for files the CLI writes).
    const f = await (await fingerApi()).features();
    await waitFor('the result in the index', () => f.index.get(video())?.result);
  });

  suiteTeardown(() => rmSync(resultFile(), { force: true }));

  test('a failing question puts a diagnostic on the entity words, with question, answer, probability and reason', async () => {
    const doc = await vscode.workspace.openTextDocument(promptUri());
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'FingER');
      return d.length > 0 && d;
    });
    assert.equal(diags.length, 1, 'only the failing question is marked');
    const d = diags[0]!;
    assert.equal(doc.getText(d.range), 'fractal');
    assert.match(d.message, /Does the video show a glowing fractal\?/);
    assert.match(d.message, /No \(p=0\.90\)/);
    assert.match(d.message, /flat gradient/);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
  });

  test('a CodeLens shows the overall and per-dimension scores and opens the results', async () => {
    const lenses = await waitFor('code lens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', promptUri());
      return l.find((x) => x.command?.title.startsWith('FingER 0.50'));
    });
    assert.match(lenses.command!.title, /VQ 0\.90/);
    assert.match(lenses.command!.title, /TA 0\.10/);
    assert.equal(lenses.command!.command, 'finger.openResults');
  });

  test('hovering an entity lists its questions and answers', async () => {
    const doc = await vscode.workspace.openTextDocument(promptUri());
    const at = doc.positionAt(doc.getText().indexOf('swirls') + 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at);
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /swirls rendered without artifacts/);
    assert.match(text, /Yes \(p=0\.90\)/);
  });

  test('annotations follow the result file: overrides change them, deleting the result clears them', async () => {
    const labelsFile = path.join(root(), '.finger', 'labels', 'mandelbrot.mp4.json');
    mkdirSync(path.dirname(labelsFile), { recursive: true });
    writeFileSync(
      labelsFile,
      JSON.stringify({
        version: 1,
        video: 'mandelbrot.mp4',
        overrides: [
          {
            questionId: 'q1',
            questionText: 'Does the video show a glowing fractal?',
            answer: 'Yes',
            updatedAt: '2026-01-01T00:00:00.000Z',
          },
        ],
      }),
    );
    await waitFor(
      'override clears the diagnostic',
      () => vscode.languages.getDiagnostics(promptUri()).filter((x) => x.source === 'FingER').length === 0,
    );
    rmSync(labelsFile);
    await waitFor('diagnostic back', () => vscode.languages.getDiagnostics(promptUri()).some((x) => x.source === 'FingER'));
    rmSync(resultFile());
    await waitFor(
      'diagnostics cleared',
      () => vscode.languages.getDiagnostics(promptUri()).filter((x) => x.source === 'FingER').length === 0,
    );
  });
});

suite('Scoring, live templates and rescore against the endpoint double', () => {
  let double: EndpointDouble;
  const config = () => vscode.workspace.getConfiguration('finger');
  const video = () => path.join(root(), 'red-square.mp4');
  const answersAsked = () => double.chatRequests().filter((r) => r.kind === 'answer').length;

  suiteSetup(async () => {
    double = await startEndpointDouble();
    await config().update('endpoint.baseUrl', double.url, vscode.ConfigurationTarget.Workspace);
    await config().update('endpoint.model', DEFAULT_DOUBLE_MODEL, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await config().update('endpoint.baseUrl', undefined, vscode.ConfigurationTarget.Workspace);
    await config().update('endpoint.model', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await double.close();
  });

  test('Score Video writes the result, opens the panel and asks every question once', async () => {
    const api = await fingerApi();
    await vscode.commands.executeCommand('finger.scoreVideo', vscode.Uri.file(video()));
    const f = await api.features();
    const outcome = f.lastOutcomes[0];
    assert.ok(outcome?.outcome, `scoring failed: ${outcome?.error ?? (outcome?.cancelled ? 'cancelled' : 'no outcome')}`);
    const entry = await waitFor('result', () => f.index.get(video())?.result);
    assert.ok(existsSync(path.join(root(), '.finger', 'results', 'red-square.mp4.json')));
    assert.equal(answersAsked(), entry.questions.length);
    assert.ok(entry.questions.every((q) => q.answer !== null && q.reason));
    assert.ok(f.panels.get(video()), 'the results panel is open');
  });

  test('an override is saved under .finger/labels and survives a rescore', async () => {
    const api = await fingerApi();
    const f = await api.features();
    const q = f.index.get(video())!.result!.questions[0]!;
    const { saveOverride } = await import('../../../src/core/store');
    await saveOverride(root(), video(), {
      questionId: q.id,
      questionText: q.text,
      answer: q.answer === 'Yes' ? 'No' : 'Yes',
      note: 'checked by hand',
    });
    const before = answersAsked();
    await vscode.commands.executeCommand('finger.rescore', vscode.Uri.file(video()));
    assert.equal(answersAsked(), before, 'a rescore with nothing changed sends no answer request');
    const labels = JSON.parse(readFileSync(path.join(root(), '.finger', 'labels', 'red-square.mp4.json'), 'utf8'));
    assert.equal(labels.overrides.length, 1);
    assert.equal(labels.overrides[0].note, 'checked by hand');
  });

  test('editing a template regenerates the questions, and a rescore asks only the new ones', async () => {
    const api = await fingerApi();
    const f = await api.features();
    await vscode.commands.executeCommand('finger.openResults', vscode.Uri.file(video()));
    await vscode.commands.executeCommand('finger.customizeTemplates');
    const questionsTemplate = vscode.Uri.file(path.join(root(), '.finger', 'templates', 'questions.liquid'));
    assert.ok(existsSync(questionsTemplate.fsPath), 'Customize Templates copied questions.liquid');
    await vscode.commands.executeCommand('finger.openResults', vscode.Uri.file(video())); // make its panel the active one
    const doc = await vscode.workspace.openTextDocument(questionsTemplate);

    // The double generates questions for the first entity list in the request text; listing the
    // prompt's entities plus one more at the top of the system template adds that entity's five
    // questions and leaves the others as they were.
    const prompt = f.index.get(video())!.result!.prompt;
    const entities = [...extractEntities(prompt).map((e) => ({ name: e.name, attributes: e.attributes })), { name: 'cat', attributes: [] }];
    const regenerated = new Promise<{
      added: { entity: string }[];
      removed: unknown[];
      changed: unknown[];
      questionSet: { questions: unknown[] };
    }>((resolve) => {
      const sub = f.templates.onDidRegenerate(({ diff }) => {
        if (!diff.questionSet.questions.some((q) => q.entity === 'cat')) return;
        sub.dispose();
        resolve(diff);
      });
    });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), `{% comment %}test{% endcomment %}Known entities: ${JSON.stringify({ entities })}\n`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(doc.isDirty, 'the edit is not saved: live templates work on the edited text');
    const diff = await regenerated;
    assert.equal(
      diff.added.length,
      5,
      `added ${JSON.stringify(diff.added.map((q) => q.entity))}, removed ${diff.removed.length}, changed ${diff.changed.length}, now ${diff.questionSet.questions.length}`,
    );
    assert.equal(diff.removed.length, 0);
    assert.equal(diff.changed.length, 0);
    const before = answersAsked();
    await vscode.commands.executeCommand('finger.rescore', vscode.Uri.file(video()));
    assert.equal(answersAsked() - before, 5, 'only the five new questions reached the endpoint');
    const result = f.index.get(video())!.result!;
    assert.ok(result.questions.some((q) => q.entity === 'cat'));
    await vscode.commands.executeCommand('workbench.action.files.revert', doc.uri);
  });

  test('a template with a syntax error gets a diagnostic in the template file', async () => {
    const uri = vscode.Uri.file(path.join(root(), '.finger', 'templates', 'answer-question.liquid'));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), '{% if %}\n');
    await vscode.workspace.applyEdit(edit);
    const diags = await waitFor('template diagnostic', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'FingER templates');
      return d.length > 0 && d;
    });
    assert.equal(diags[0]!.range.start.line, 0);
    await vscode.commands.executeCommand('workbench.action.files.revert', uri);
  });
});
