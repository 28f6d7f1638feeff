// `finger questions`, `finger report` and `finger agreement` through the bundled CLI.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import { makeClip, makeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';
import { QuestionSetSchema, ResultSchema, DIMENSIONS, type Result } from '../../../src/core/types';
import { spearman } from '../../../src/core/metrics';

describe('finger questions, report and agreement', () => {
  let double: EndpointDouble;
  let env: NodeJS.ProcessEnv;
  let ws: string;
  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
    ws = await makeTempDir('finger-report-');
    await mkdir(path.join(ws, 'clips'));
    const prompts = [
      'A red car drives along a coastal road',
      'A dog catches a yellow frisbee in a park',
      'A chef slices a tomato on a wooden board',
    ];
    for (const [i, p] of prompts.entries()) {
      await makeClip(path.join(ws, 'clips'), `v${i}.mp4`, { durationSec: 1 + i * 0.5 });
      await writeFile(path.join(ws, 'clips', `v${i}.txt`), p);
    }
  });
  after(() => double.close());

  it('questions writes <name>.questions.json beside each video and keeps it unless --force', async () => {
    const run = await runCli(['questions', 'clips'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const file = path.join(ws, 'clips', 'v1.questions.json');
    const set = QuestionSetSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    assert.equal(set.prompt, 'A dog catches a yellow frisbee in a park');
    assert.deepEqual(new Set(set.questions.map((q) => q.dimension)), new Set(DIMENSIONS));
    // A reviewer edits a question; a second run keeps the edit.
    set.questions[0]!.text = 'Is the frisbee yellow throughout the clip?';
    await writeFile(file, JSON.stringify(set));
    const mtime = (await stat(file)).mtimeMs;
    const again = await runCli(['questions', 'clips'], { cwd: ws, env });
    assert.equal(again.code, 0);
    assert.match(again.stderr, /kept v1\.questions\.json/);
    assert.equal((await stat(file)).mtimeMs, mtime);
    // Scoring uses the reviewed set.
    const scored = await runCli(['score', 'clips/v1.mp4'], { cwd: ws, env });
    assert.equal(scored.code, 0, scored.stderr);
    const result = ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger/results/clips/v1.mp4.json'), 'utf8')));
    assert.equal(result.questions[0]!.text, 'Is the frisbee yellow throughout the clip?');
    const forced = await runCli(['questions', 'clips', '--force'], { cwd: ws, env });
    assert.equal(forced.code, 0);
    assert.notEqual(JSON.parse(await readFile(file, 'utf8')).questions[0].text, 'Is the frisbee yellow throughout the clip?');
  });

  it('report prints one row per scored video in table, csv and json, naming a broken file', async () => {
    assert.equal((await runCli(['score', 'clips'], { cwd: ws, env })).code, 0);
    const results: Result[] = [];
    for (const i of [0, 1, 2])
      results.push(ResultSchema.parse(JSON.parse(await readFile(path.join(ws, `.finger/results/clips/v${i}.mp4.json`), 'utf8'))));

    const json = await runCli(['report', '--format', 'json'], { cwd: ws, env });
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout).rows as { video: string; overall: number; dimensions: Record<string, number> }[];
    assert.deepEqual(
      rows.map((r) => r.video),
      ['clips/v0.mp4', 'clips/v1.mp4', 'clips/v2.mp4'],
    );
    rows.forEach((r, i) => {
      assert.equal(r.overall, results[i]!.overall);
      assert.equal(r.dimensions.visual_quality, results[i]!.dimensions.visual_quality!.score);
    });

    const table = await runCli(['report'], { cwd: ws, env });
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^video\s+overall\s+visual_quality/);
    assert.equal(lines.length, 2 + 3);
    assert.ok(lines[2]!.includes(results[0]!.overall!.toFixed(3)));

    const csv = await runCli(['report', '--format', 'csv'], { cwd: ws, env });
    const csvLines = csv.stdout.trim().split('\n');
    assert.match(csvLines[0]!, /^video,model,overall,visual_quality/);
    assert.equal(csvLines.length, 4);

    // A result file edited by hand into garbage: named on stderr, exit 1, the other rows still printed.
    const broken = path.join(ws, '.finger/results/clips/v2.mp4.json');
    await writeFile(broken, (await readFile(broken, 'utf8')).slice(0, 100));
    const partial = await runCli(['report', '--format', 'json'], { cwd: ws, env });
    assert.equal(partial.code, 1);
    assert.ok(partial.stderr.includes(broken), partial.stderr);
    assert.deepEqual(
      JSON.parse(partial.stdout).rows.map((r: { video: string }) => r.video),
      ['clips/v0.mp4', 'clips/v1.mp4'],
    );
    // A rescore replaces the broken result.
    assert.equal((await runCli(['score', 'clips/v2.mp4'], { cwd: ws, env })).code, 0);
    ResultSchema.parse(JSON.parse(await readFile(broken, 'utf8')));
  });

  it('agreement compares the overall scores with human scores', async () => {
    const overall: number[] = [];
    for (const i of [0, 1, 2])
      overall.push(JSON.parse(await readFile(path.join(ws, `.finger/results/clips/v${i}.mp4.json`), 'utf8')).overall);
    const human = [4.5, 2, 3];
    await writeFile(
      path.join(ws, 'human.csv'),
      `video,score\nclips/v0.mp4,${human[0]}\nv1.mp4,${human[1]}\n"clips/v2.mp4",${human[2]}\nclips/missing.mp4,1\n`,
    );
    const run = await runCli(['agreement', '--human', 'human.csv', '--json'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.agreement.n, 3);
    const expected = spearman(overall, human);
    assert.equal(report.agreement.srcc.value, expected.value);
    assert.match(run.stderr, /no result for clips\/missing\.mp4/);
  });
});
