// Prompt annotations in manifests: a prompts.csv (CRLF, quoted commas, doubled quotes, a line break
// inside quotes) and a prompts.jsonl (JSON escapes) list videos whose results are written to
// .finger/results like the CLI writes them. Each scored entry gets a CodeLens naming its video,
// failing entities get diagnostics on their words inside that entry's prompt (exact ranges in the
// raw file), hovers list the questions; entries without a video, without a result, or whose
// prompt comes from a nearer manifest get nothing; edits, labels and deletions are followed.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnsweredQuestion, Result } from '../../../src/core/types';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';
import { fingerApi, waitFor } from './api';

const root = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const dir = () => path.join(root(), 'manifest-set');
const csvFile = () => path.join(dir(), 'prompts.csv');
const jsonlFile = () => path.join(dir(), 'kites', 'prompts.jsonl');
const chef = () => path.join(dir(), 'chef.mp4');
const kite = () => path.join(dir(), 'kites', 'kite.mp4');
const resultOf = (video: string) => path.join(root(), '.finger', 'results', `${path.relative(root(), video)}.json`);

const CSV = [
  'id,prompt,video',
  '1,"A chef, in a ""tall"" hat,',
  'slices a tomato",chef.mp4',
  '2,A dog without a result,dog.mp4',
  '3,A ghost whose video is missing,ghost.mp4',
  '4,A kite that kites/prompts.jsonl also lists,kites/kite.mp4',
  '',
].join('\r\n');

const JSONL = [
  '{"video": "other.mp4", "prompt": "Not scored"}',
  '{"video": "kite.mp4", "prompt": "A red \\"kite\\" above the caf\\u00e9 roof"}',
  '',
].join('\n');

const answered = answeredQuestion;
const result = (video: string, prompt: string, questions: AnsweredQuestion[]): Result =>
  resultFor(path.relative(root(), video).split(path.sep).join('/'), prompt, questions, 'test-model');

function writeResult(video: string, r: Result): void {
  mkdirSync(path.dirname(resultOf(video)), { recursive: true });
  writeFileSync(resultOf(video), JSON.stringify(r, null, 2));
}

const fingerDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'FingER');
const lensesOf = (uri: vscode.Uri) => vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
const fingerLenses = async (uri: vscode.Uri) => (await lensesOf(uri)).filter((l) => l.command?.command === 'finger.openResults');

/** The exact text each FingER diagnostic covers, with its offset, sorted. */
function marked(doc: vscode.TextDocument): { text: string; offset: number }[] {
  return fingerDiagnostics(doc.uri)
    .map((d) => ({ text: doc.getText(d.range), offset: doc.offsetAt(d.range.start) }))
    .sort((a, b) => a.offset - b.offset);
}

suite('Prompt annotations in manifests (prompts.csv, prompts.jsonl)', () => {
  const ghost = () => path.join(dir(), 'ghost.mp4');
  const labelsOfKite = () => path.join(root(), '.finger', 'labels', 'manifest-set', 'kites', 'kite.mp4.json');

  function writeResults(): void {
    writeResult(
      chef(),
      result(chef(), 'A chef, in a "tall" hat,\nslices a tomato', [
        answered('q1', 'visual_quality', 'chef', "Are the chef's hands anatomically correct?", 0.1, 'The left hand has six fingers.'),
        answered('q2', 'text_alignment', 'tall hat', 'Does the chef wear a tall hat?', 0.9, 'A white toque is visible.'),
        answered('q3', 'factual_consistency', 'tomato', 'Does the tomato stay whole after slicing?', 0.2, 'The slices rejoin.'),
      ]),
    );
    writeResult(
      kite(),
      result(kite(), 'A red "kite" above the café roof', [
        answered('q1', 'text_alignment', 'kite', 'Is there a red kite?', 0.3, 'The kite is blue.'),
        answered('q2', 'visual_quality', 'café', 'Is the café roof free of artifacts?', 0.4, 'The roof tiles shimmer.'),
        answered('q3', 'dynamic_degree', 'roof', 'Is the roof still?', 0.95, 'It does not move.'),
      ]),
    );
    // A result whose video does not exist (deleted after scoring): its entry gets nothing.
    writeResult(
      ghost(),
      result(ghost(), 'A ghost whose video is missing', [answered('q1', 'visual_quality', 'ghost', 'Is the ghost sharp?', 0.1, 'Blurry.')]),
    );
  }

  /** Both manifests open side by side and kept visible (a document no editor shows may be closed,
   *  and a closed document has no diagnostics), with every result in the index. */
  async function ready(): Promise<{ csv: vscode.TextDocument; jsonl: vscode.TextDocument }> {
    const f = await (await fingerApi()).features();
    if (!(f.index.get(chef())?.result && f.index.get(kite())?.result && f.index.get(ghost())?.result)) {
      writeResults();
      await waitFor(
        'results in the index',
        () => f.index.get(chef())?.result && f.index.get(kite())?.result && f.index.get(ghost())?.result,
      );
    }
    const csv = await vscode.window.showTextDocument(vscode.Uri.file(csvFile()), { viewColumn: vscode.ViewColumn.One, preview: false });
    const jsonl = await vscode.window.showTextDocument(vscode.Uri.file(jsonlFile()), { viewColumn: vscode.ViewColumn.Two, preview: false });
    return { csv: csv.document, jsonl: jsonl.document };
  }

  suiteSetup(async () => {
    await fingerApi();
    mkdirSync(path.join(dir(), 'kites'), { recursive: true });
    const clip = path.join(root(), 'mandelbrot.mp4');
    for (const v of [chef(), kite(), path.join(dir(), 'dog.mp4'), path.join(dir(), 'kites', 'other.mp4')]) copyFileSync(clip, v);
    writeFileSync(csvFile(), CSV);
    writeFileSync(jsonlFile(), JSONL);
    writeResults();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const v of [chef(), kite(), ghost()]) rmSync(resultOf(v), { force: true });
    rmSync(path.join(root(), '.finger', 'labels', 'manifest-set'), { recursive: true, force: true });
    rmSync(dir(), { recursive: true, force: true });
  });

  test("prompts.csv: one CodeLens for the scored entry, naming the video; clicking it opens that video's results", async () => {
    const { csv } = await ready();
    const lenses = await waitFor('the chef lens', async () => {
      const l = await fingerLenses(csv.uri);
      return l.some((x) => x.command!.title.startsWith('chef.mp4')) && l;
    });
    assert.deepEqual(
      lenses.map((l) => l.command!.title.split('  ·  ')[0]),
      ['chef.mp4'],
      'the dog (no result), the ghost (no video) and the kite (its prompt comes from kites/prompts.jsonl) get nothing',
    );
    const lens = lenses[0]!;
    assert.equal(lens.range.start.line, 1, 'on the entry');
    assert.equal(lens.range.end.line, 2, 'the entry spans two lines');
    assert.match(lens.command!.title, /^chef\.mp4 {2}· {2}FingER 0\.40 {2}· {2}VQ 0\.10 {2}TA 0\.90 {2}FC 0\.20 {2}· {2}2 failing$/);
    assert.equal((lens.command!.arguments![0] as vscode.Uri).fsPath, chef());
    await vscode.commands.executeCommand(lens.command!.command, ...lens.command!.arguments!);
    const f = await (await fingerApi()).features();
    await waitFor('the chef results panel', () => f.panels.get(chef()));
    assert.equal(f.panels.get(kite()), undefined);
    // The manifest is shown beside the panel at the chef's entry, not at its top.
    const shown = await waitFor('the manifest at the entry', () =>
      vscode.window.visibleTextEditors.find(
        (e) => e.document.uri.fsPath === csv.uri.fsPath && e.selection.active.line === lens.range.start.line,
      ),
    );
    assert.ok(
      shown.visibleRanges.some((r) => r.contains(lens.range.start)),
      'the entry is on screen',
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test("prompts.csv: diagnostics on the failing entities' words inside the quoted, multi-line prompt (CRLF, doubled quotes)", async () => {
    const { csv } = await ready();
    const text = csv.getText();
    assert.ok(text.includes('\r\n'), 'the document keeps CRLF');
    const marks = await waitFor('two diagnostics', () => fingerDiagnostics(csv.uri).length === 2 && marked(csv));
    assert.deepEqual(marks, [
      { text: 'chef', offset: text.indexOf('chef') },
      { text: 'tomato', offset: text.indexOf('tomato') },
    ]);
    const byWord = new Map(fingerDiagnostics(csv.uri).map((d) => [csv.getText(d.range), d]));
    assert.match(
      byWord.get('chef')!.message,
      /Are the chef's hands anatomically correct\? → No \(p=0\.90\), score 0\.10 — The left hand has six fingers\./,
    );
    assert.match(byWord.get('tomato')!.message, /Does the tomato stay whole after slicing\?/);
    assert.equal(byWord.get('chef')!.severity, vscode.DiagnosticSeverity.Warning);
  });

  test('prompts.csv: hovering an entity inside the prompt lists its questions and answers', async () => {
    const { csv } = await ready();
    await waitFor('annotations', () => fingerDiagnostics(csv.uri).length > 0);
    const text = csv.getText();
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      csv.uri,
      csv.positionAt(text.indexOf(' hat') + 2),
    );
    const shown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(shown, /FingER · tall hat/);
    assert.match(shown, /Does the chef wear a tall hat\?/);
    assert.match(shown, /Yes \(p=0\.90\)/);
    assert.equal(csv.getText(hovers.find((h) => h.range)!.range), 'hat');
    // Outside every scored prompt (the dog's entry has no result): no FingER hover.
    const outside = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      csv.uri,
      csv.positionAt(text.indexOf('dog without') + 1),
    );
    assert.ok(!outside.some((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('FingER'))));
  });

  test('prompts.jsonl: CodeLens on the entry\'s line, diagnostics on words inside JSON escapes (\\" and \\u00e9)', async () => {
    const { jsonl } = await ready();
    const text = jsonl.getText();
    const marks = await waitFor('two diagnostics', () => fingerDiagnostics(jsonl.uri).length === 2 && marked(jsonl));
    assert.deepEqual(marks, [
      { text: 'kite', offset: text.indexOf('kite\\"') },
      { text: 'caf\\u00e9', offset: text.indexOf('caf\\u00e9') },
    ]);
    const lenses = await waitFor('the kite lens', async () => {
      const l = await fingerLenses(jsonl.uri);
      return l.length > 0 && l;
    });
    assert.equal(lenses.length, 1, 'other.mp4 has no result');
    assert.equal(lenses[0]!.range.start.line, 1);
    assert.match(lenses[0]!.command!.title, /^kite\.mp4 {2}· {2}FingER /);
    assert.equal((lenses[0]!.command!.arguments![0] as vscode.Uri).fsPath, kite());
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      jsonl.uri,
      jsonl.positionAt(text.indexOf('roof') + 1),
    );
    assert.match(hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n'), /Is the roof still\?/);
  });

  test("the side panel follows the cursor from one manifest entry's video to another's", async () => {
    const { csv, jsonl } = await ready();
    const f = await (await fingerApi()).features();
    await waitFor('the lenses', async () => (await fingerLenses(csv.uri)).length > 0 && (await fingerLenses(jsonl.uri)).length > 0);
    const csvEditor = await vscode.window.showTextDocument(csv, { viewColumn: vscode.ViewColumn.One, preview: false });
    const inChef = csv.positionAt(csv.getText().indexOf('tomato'));
    csvEditor.selection = new vscode.Selection(inChef, inChef);
    await waitFor('the side panel on the chef', () => f.sidebar.followedVideo === chef());
    const jsonlEditor = await vscode.window.showTextDocument(jsonl, { viewColumn: vscode.ViewColumn.Two, preview: false });
    const inKite = jsonl.positionAt(jsonl.getText().indexOf('roof'));
    jsonlEditor.selection = new vscode.Selection(inKite, inKite);
    await waitFor('the side panel on the kite', () => f.sidebar.followedVideo === kite());
    // An entry without a result keeps the last video rather than blanking the panel.
    const notScored = jsonl.positionAt(jsonl.getText().indexOf('Not scored'));
    jsonlEditor.selection = new vscode.Selection(notScored, notScored);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(f.sidebar.followedVideo, kite());
    await vscode.window.showTextDocument(csv, { viewColumn: vscode.ViewColumn.One, preview: false });
    await waitFor('back on the chef', () => f.sidebar.followedVideo === chef());
  });

  test('editing the manifest moves the marks and the CodeLens with the words', async () => {
    const { csv } = await ready();
    await waitFor('csv diagnostics', () => fingerDiagnostics(csv.uri).length === 2);
    // Insert an entry above the chef's (an unsaved edit): the marks follow the words.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(csv.uri, new vscode.Position(1, 0), '0,"An extra entry, with a chef too",extra.mp4\r\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      await waitFor('marks moved', () => {
        const m = marked(csv);
        const t = csv.getText();
        return (
          m.length === 2 &&
          t.startsWith('id,prompt,video\r\n0,') &&
          m[0]!.offset === t.indexOf('chef', t.indexOf('"A chef')) &&
          m[1]!.offset === t.indexOf('tomato')
        );
      });
      const lenses = await waitFor('lens moved', async () => {
        const l = await fingerLenses(csv.uri);
        return l.length === 1 && l[0]!.range.start.line === 2 && l;
      });
      assert.match(lenses[0]!.command!.title, /^chef\.mp4/);
    } finally {
      const undo = new vscode.WorkspaceEdit();
      undo.delete(csv.uri, new vscode.Range(1, 0, 2, 0));
      await vscode.workspace.applyEdit(undo);
      await csv.save();
    }
    await waitFor(
      'back after the edit is undone',
      () => csv.getText() === CSV && marked(csv).length === 2 && marked(csv)[0]!.offset === csv.getText().indexOf('chef'),
    );
  });

  test('a label override updates the marks; deleting a result clears its manifest only', async () => {
    const { csv, jsonl } = await ready();
    await waitFor('jsonl diagnostics', () => fingerDiagnostics(jsonl.uri).length === 2);
    mkdirSync(path.dirname(labelsOfKite()), { recursive: true });
    writeFileSync(
      labelsOfKite(),
      JSON.stringify({
        version: 1,
        video: 'manifest-set/kites/kite.mp4',
        overrides: [{ questionId: 'q1', questionText: 'Is there a red kite?', answer: 'Yes', updatedAt: '2026-01-01T00:00:00.000Z' }],
      }),
    );
    await waitFor('override applied', () => {
      const m = marked(jsonl);
      return m.length === 1 && m[0]!.text === 'caf\\u00e9';
    });
    rmSync(labelsOfKite());
    await waitFor('override removed', () => marked(jsonl).length === 2);

    await waitFor('csv diagnostics', () => fingerDiagnostics(csv.uri).length === 2);
    rmSync(resultOf(chef()));
    await waitFor('csv diagnostics cleared', () => fingerDiagnostics(csv.uri).length === 0);
    await waitFor('csv lens cleared', async () => (await fingerLenses(csv.uri)).length === 0);
    assert.equal(fingerDiagnostics(jsonl.uri).length, 2, 'prompts.jsonl keeps its marks');
    rmSync(resultOf(kite()));
    await waitFor('jsonl diagnostics cleared', () => fingerDiagnostics(jsonl.uri).length === 0);
    await waitFor('jsonl lens cleared', async () => (await fingerLenses(jsonl.uri)).length === 0);
  });
});
