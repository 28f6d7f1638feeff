// Hand-edited files through the real CLI: question sets and templates with mistakes, and result
// and label files edited or cut short. Each names the file (and line or field) and what to do, the
// other videos go on, and nothing saved is lost: a rescore replaces a broken result, never labels.
//
// [reliability:questions] [reliability:results]
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble } from '../double/endpoint-double';
import { makeClip, makeTempDir } from '../helpers/clips';
import { buildCli, cleanEnv, runCli, type CliRun } from '../helpers/cli';
import { ResultSchema } from '../../src/core/types';
import { assertNoStack, MODEL, parseSummary, smallSet, type Summary } from './helpers';

describe('question sets with mistakes, one run over all of them [reliability:questions]', () => {
  let double: EndpointDouble;
  let ws: string;
  let run: CliRun;
  let summary: Summary;
  const row = (name: string) => summary.results.find((r) => r.video === name)!;

  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    ws = await makeTempDir('finger-rel-qsets');
    const clip = await makeClip(ws, 'good.mp4', { durationSec: 1 });
    await writeFile(path.join(ws, 'good.questions.json'), JSON.stringify(smallSet('good')));
    const bad: Record<string, string> = {
      malformed: '{\n  "version": 1,\n  "prompt": "A red ball",\n  "questions": [\n    { "id": "q1", }\n',
      'wrong-fields': JSON.stringify(
        {
          version: 1,
          prompt: 'A red ball',
          entities: [],
          questions: [{ id: 'q1', dimension: 'visual_quality', entity: 'ball', text: 'Is it red?', polarity: 'maybe' }],
        },
        null,
        2,
      ),
      'unknown-dimension': JSON.stringify(
        {
          version: 1,
          prompt: 'A red ball',
          entities: [],
          questions: [{ id: 'q1', dimension: 'beauty', entity: 'ball', text: 'Is it pretty?', polarity: 'positive' }],
        },
        null,
        2,
      ),
    };
    for (const [stem, text] of Object.entries(bad)) {
      await copyFile(clip, path.join(ws, `${stem}.mp4`));
      await writeFile(path.join(ws, `${stem}.questions.json`), text);
    }
    run = await runCli(['score', '.', '--json'], { cwd: ws, env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }) });
    summary = parseSummary(run);
  });
  after(() => double?.close());

  it('the other videos are scored; exit 1; no stack trace', () => {
    assert.equal(run.code, 1, run.stderr);
    assert.equal(row('good.mp4').error, null);
    assertNoStack(run.stderr);
  });
  it('malformed JSON: the file and the line', () => {
    const e = row('malformed.mp4').error!;
    assert.match(e, /malformed\.questions\.json:\d+/);
    assert.match(e, /JSON/);
  });
  it('a wrong field: the zod path of the field', () => {
    const e = row('wrong-fields.mp4').error!;
    assert.match(e, /wrong-fields\.questions\.json/);
    assert.match(e, /questions\[0\]\.polarity/);
  });
  it('an unknown dimension: the field and the allowed ids', () => {
    const e = row('unknown-dimension.mp4').error!;
    assert.match(e, /unknown-dimension\.questions\.json/);
    assert.match(e, /questions\[0\]\.dimension/);
    assert.match(e, /visual_quality/);
  });
});

describe('templates with mistakes [reliability:questions]', () => {
  let double: EndpointDouble;
  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
  });
  after(() => double?.close());

  for (const [name, text, expected] of [
    ['questions.liquid', 'Line one\nLine two\n{% if dimension %}\nno end tag\n', /questions\.liquid:\d/],
    ['entities.liquid', 'Extract entities.\n\n{{ prompt | no_such_filter }}\n', /entities\.liquid:3/],
    ['answer-question.liquid', '{{ question }}\n{% unknowntag %}\n', /answer-question\.liquid:2/],
  ] as const) {
    it(`a syntax error in ${name} names the file and the line once; nothing is sent; exit 2`, async () => {
      const ws = await makeTempDir('finger-rel-tpl');
      await makeClip(ws, 'a.mp4', { durationSec: 1 });
      await writeFile(path.join(ws, 'a.txt'), 'A red ball bounces');
      await makeClip(ws, 'b.mp4', { durationSec: 1 });
      await writeFile(path.join(ws, 'b.txt'), 'A blue cube spins');
      await mkdir(path.join(ws, '.finger', 'templates'), { recursive: true });
      await writeFile(path.join(ws, '.finger', 'templates', name), text);
      const before = double.chatRequests().length;
      const run = await runCli(['score', '.'], { cwd: ws, env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }) });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, expected);
      // A configuration problem of the whole run, reported once, not once per video.
      assert.equal(run.stderr.split(name).length - 1, 1, run.stderr);
      assertNoStack(run.stderr);
      assert.equal(double.chatRequests().length, before, 'no request with a broken template');
    });
  }
});

describe('result and label files edited by hand or cut short [reliability:results]', () => {
  let double: EndpointDouble;
  let ws: string;
  const env = () => cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL });
  const resultFile = (v: string) => path.join(ws, '.finger', 'results', `${v}.json`);
  const labelsFile = (v: string) => path.join(ws, '.finger', 'labels', `${v}.json`);
  const labels = (v: string) =>
    JSON.stringify(
      {
        version: 1,
        video: v,
        overrides: [
          { questionId: 'q1', questionText: `Question 1 about the red ball (${v})?`, answer: 'No', updatedAt: '2026-01-01T00:00:00.000Z' },
        ],
      },
      null,
      2,
    );

  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    ws = await makeTempDir('finger-rel-results');
    const clip = await makeClip(ws, 'a.mp4', { durationSec: 1 });
    for (const v of ['b.mp4', 'c.mp4', 'd.mp4', 'e.mp4']) await copyFile(clip, path.join(ws, v));
    for (const v of ['a.mp4', 'b.mp4', 'c.mp4', 'd.mp4', 'e.mp4'])
      await writeFile(path.join(ws, v.replace('.mp4', '.questions.json')), JSON.stringify(smallSet(v)));
    const first = await runCli(['score', '.'], { cwd: ws, env: env() });
    assert.equal(first.code, 0, first.stderr);
    // Hand edits: b cut off halfway, c a wrong field, d not JSON at all, e empty.
    const b = await readFile(resultFile('b.mp4'), 'utf8');
    await writeFile(resultFile('b.mp4'), b.slice(0, Math.floor(b.length / 2)));
    const c = JSON.parse(await readFile(resultFile('c.mp4'), 'utf8'));
    c.questions[1].pYes = 'high';
    await writeFile(resultFile('c.mp4'), JSON.stringify(c, null, 2));
    await writeFile(resultFile('d.mp4'), '<<<<<<< HEAD\nmerge conflict\n');
    await writeFile(resultFile('e.mp4'), '');
    await mkdir(path.dirname(labelsFile('b.mp4')), { recursive: true });
    await writeFile(labelsFile('b.mp4'), labels('b.mp4'));
    await writeFile(labelsFile('c.mp4'), '{ "version": 1, "overrides": [ ');
  });
  after(() => double?.close());

  it('finger report names every bad file and what to do, and still prints the good rows', async () => {
    const run = await runCli(['report', '--format', 'json'], { cwd: ws, env: env() });
    assert.equal(run.code, 1);
    const out = JSON.parse(run.stdout) as { rows: { video: string }[]; errors: { file: string; error: string }[] };
    assert.deepEqual(
      out.rows.map((r) => r.video),
      ['a.mp4'],
    );
    assert.deepEqual(out.errors.map((e) => path.basename(e.file)).sort(), ['b.mp4.json', 'c.mp4.json', 'd.mp4.json', 'e.mp4.json']);
    for (const e of out.errors) {
      assert.ok(e.error.includes(e.file), e.error);
      assert.match(e.error, /delete it and score the video again|Fix the result/);
    }
    assert.match(out.errors.find((e) => e.file.endsWith('c.mp4.json'))!.error, /questions\[1\]\.pYes/);
    assert.match(out.errors.find((e) => e.file.endsWith('b.mp4.json'))!.error, /not valid JSON/);
    assertNoStack(run.stderr);
  });

  it('finger report as a table still shows the good rows and names the bad files on stderr', async () => {
    const run = await runCli(['report'], { cwd: ws, env: env() });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^a\.mp4 /m);
    for (const v of ['b', 'c', 'd', 'e']) assert.match(run.stderr, new RegExp(`${v}\\.mp4\\.json`));
    assertNoStack(run.stderr);
  });

  it('a rescore replaces broken results and never touches labels, even broken ones', async () => {
    const labelsB = await readFile(labelsFile('b.mp4'), 'utf8');
    const labelsC = await readFile(labelsFile('c.mp4'), 'utf8');
    const goodA = await readFile(resultFile('a.mp4'), 'utf8');
    const run = await runCli(['score', '.', '--json'], { cwd: ws, env: env() });
    assert.equal(run.code, 0, run.stderr);
    for (const v of ['b.mp4', 'c.mp4', 'd.mp4', 'e.mp4']) {
      const r = ResultSchema.parse(JSON.parse(await readFile(resultFile(v), 'utf8')));
      assert.equal(r.video.path, v);
      assert.ok(r.questions.every((q) => q.error === null));
    }
    assert.equal(await readFile(labelsFile('b.mp4'), 'utf8'), labelsB);
    assert.equal(await readFile(labelsFile('c.mp4'), 'utf8'), labelsC);
    assert.deepEqual(JSON.parse(await readFile(resultFile('a.mp4'), 'utf8')).questions, JSON.parse(goodA).questions);
    const report = await runCli(['report', '--format', 'json'], { cwd: ws, env: env() });
    assert.equal(report.code, 0, report.stderr);
  });
});
