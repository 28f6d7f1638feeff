// `finger agreement` through the bundled CLI on result files written as the pipeline writes them:
// strict reading of human files, name matching, --pairs, --labels, null with a reason.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildCli, runCli } from '../../helpers/cli';
import { useTempRoot } from '../../helpers/temp';
import { pairwiseAccuracyWithoutTies, spearman, tieCalibratedAccuracy } from '../../../src/core/metrics';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';
import type { Labels } from '../../../src/core/types';

const root = useTempRoot('finger-agreement-');

/** A workspace whose clips have these overall scores (one visual-quality and one text-alignment question, both at that P(yes)). */
async function workspace(clips: Record<string, number>, extra: Record<string, string> = {}): Promise<string> {
  const files: Record<string, string> = { ...extra };
  for (const [video, p] of Object.entries(clips)) {
    const q = [
      answeredQuestion('q1', 'visual_quality', 'car', 'Is the car intact?', p, 'r'),
      answeredQuestion('q2', 'text_alignment', 'car', 'Is the car red?', p, 'r'),
    ];
    files[`.finger/results/${video}.json`] = JSON.stringify(resultFor(video, 'A red car', q));
  }
  return root.workspace(files);
}

describe('finger agreement', () => {
  before(() => buildCli());

  it('matches paths and unique bare names, reports an ambiguous bare name and lists the unmatched on both sides', async () => {
    const ws = await workspace(
      { 'a/x.mp4': 0.9, 'b/x.mp4': 0.2, 'a/y.mp4': 0.5, 'a/z.mp4': 0.3, 'a/lonely.mp4': 0.4 },
      { 'human.csv': 'video,score\nx.mp4,5\na/y.mp4,3\nz.mp4,2\nghost.mp4,1\n' },
    );
    const run = await runCli(['agreement', '--human', 'human.csv'], { cwd: ws });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /over 2 videos/);
    assert.match(run.stdout, /"x\.mp4" fits 2 results \(a\/x\.mp4, b\/x\.mp4\); not used/);
    assert.match(run.stdout, /human scores without a result \(1\): ghost\.mp4/);
    assert.match(run.stdout, /results without a human score \(3\): a\/lonely\.mp4, a\/x\.mp4, b\/x\.mp4/);
  });

  it('--json keeps the fields, adds epsilon and the accuracy without ties, and equals the metrics', async () => {
    const overall = { 'c/0.mp4': 0.1, 'c/1.mp4': 0.3, 'c/2.mp4': 0.3, 'c/3.mp4': 0.8, 'c/4.mp4': 0.6 };
    const human = [1, 2, 2, 5, 3];
    const ws = await workspace(overall, {
      'h.json': '\uFEFF' + JSON.stringify(Object.fromEntries(Object.keys(overall).map((k, i) => [k, human[i]]))),
    });
    const run = await runCli(['agreement', '--human', 'h.json', '--json'], { cwd: ws });
    assert.equal(run.code, 0, run.stderr);
    const a = JSON.parse(run.stdout).agreement;
    const pred = Object.values(overall);
    assert.equal(a.n, 5);
    assert.equal(a.srcc.value, spearman(pred, human).value);
    assert.equal(typeof a.plcc.value, 'number');
    assert.equal(typeof a.krcc.value, 'number');
    assert.equal(a.pairwiseAccuracyWithoutTies.value, pairwiseAccuracyWithoutTies(pred, human).value);
    assert.equal(typeof a.pairwiseAccuracy.epsilon, 'number');
  });

  it('constant scores give null with a reason, not 0', async () => {
    const ws = await workspace(
      { 'd/0.mp4': 0.5, 'd/1.mp4': 0.5, 'd/2.mp4': 0.5 },
      { 'h.csv': 'video,score\nd/0.mp4,1\nd/1.mp4,2\nd/2.mp4,3\n' },
    );
    const run = await runCli(['agreement', '--human', 'h.csv', '--json'], { cwd: ws });
    const a = JSON.parse(run.stdout).agreement;
    assert.equal(a.plcc.value, null);
    assert.match(a.plcc.reason, /predicted scores are all equal/);
    assert.equal(a.srcc.value, null);
  });

  it('reads human files strictly: empty cell, duplicate key (CSV and JSON), no header', async () => {
    const ws = await workspace(
      { 'e/0.mp4': 0.2, 'e/1.mp4': 0.7 },
      {
        'empty.csv': 'video,score\ne/0.mp4,\ne/1.mp4,3\n',
        'dup.csv': 'video,score\ne/0.mp4,1\n./e/0.mp4,2\n',
        'dup.json': '{"e/0.mp4": 1, "e/1.mp4": 2, "e/0.mp4": 3}',
        'noheader.csv': 'e/0.mp4,1\ne/1.mp4,3\n',
      },
    );
    const cases: [string, RegExp][] = [
      ['empty.csv', /empty\.csv.*line 2: the score of "e\/0\.mp4" is empty/],
      ['dup.csv', /dup\.csv.*line 3: "\.\/e\/0\.mp4" is listed twice \(also at line 2\)/],
      ['dup.json', /dup\.json.*line 1: "e\/0\.mp4" is listed twice/],
      ['noheader.csv', /noheader\.csv:1: has no header row.*Make the first line "video,score"/],
    ];
    for (const [file, message] of cases) {
      const run = await runCli(['agreement', '--human', file], { cwd: ws });
      assert.equal(run.code, 2, `${file}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('--pairs gives both accuracies over the preference pairs, in every accepted spelling', async () => {
    const scores = { 'p/a.mp4': 0.9, 'p/b.mp4': 0.5, 'p/c.mp4': 0.5, 'p/d.mp4': 0.1 };
    const ws = await workspace(scores, {
      'pairs.csv':
        'video_a,video_b,preference\np/a.mp4,p/b.mp4,a\np/b.mp4,p/c.mp4,tie\np/d.mp4,p/a.mp4,b\np/c.mp4,p/d.mp4,b\np/a.mp4,p/missing.mp4,a\n',
      'pairs2.csv': 'path_A,path_B,preference\np/a.mp4,p/b.mp4,A\np/b.mp4,p/c.mp4,same\np/d.mp4,p/a.mp4,B\np/c.mp4,p/d.mp4,B\n',
      'pairs3.csv':
        'video1,video2,preference\np/a.mp4,p/b.mp4,video1\np/b.mp4,p/c.mp4,tie\np/d.mp4,p/a.mp4,video2\np/c.mp4,p/d.mp4,video2\n',
    });
    const overall = (p: number) => p;
    // The metric differences a − b of the four scored pairs, and the human signs.
    const m = [overall(0.9) - overall(0.5), overall(0.5) - overall(0.5), overall(0.1) - overall(0.9), overall(0.5) - overall(0.1)];
    const h = [1, 0, -1, -1];
    const expected = tieCalibratedAccuracy(h.map((human, i) => ({ human, metric: m[i]! })));
    for (const f of ['pairs.csv', 'pairs2.csv', 'pairs3.csv']) {
      const run = await runCli(['agreement', '--pairs', f, '--json'], { cwd: ws });
      assert.equal(run.code, 0, run.stderr);
      const p = JSON.parse(run.stdout).pairs;
      assert.equal(p.n, 4, f);
      assert.equal(p.pairwiseAccuracy.value, expected.value);
      assert.equal(p.pairwiseAccuracy.epsilon, expected.epsilon);
      // Without ties: the human tie is dropped; pair 4 (c vs d, human b, metric c > d) is wrong.
      assert.equal(p.pairwiseAccuracyWithoutTies.value, 2 / 3);
    }
    const text = await runCli(['agreement', '--pairs', 'pairs.csv'], { cwd: ws });
    assert.match(text.stdout, /pairs left out, a video has no result \(1\): p\/a\.mp4 \/ p\/missing\.mp4/);
  });

  it("--labels: the judge's answer accuracy per dimension against corrected answers, and correlations with and without them", async () => {
    const clips = { 'l/0.mp4': 0.9, 'l/1.mp4': 0.2, 'l/2.mp4': 0.6 };
    const labels = (video: string, overrides: Labels['overrides'], mos: number): string =>
      JSON.stringify({ version: 1, video, overrides, mos });
    const at = '2026-01-01T00:00:00.000Z';
    const ws = await workspace(clips, {
      // Clip 0: judge said Yes (0.9) to q1 and q2; the person agrees on q1 and says No to q2.
      '.finger/labels/l/0.mp4.json': labels(
        'l/0.mp4',
        [
          { questionId: 'q1', questionText: 'Is the car intact?', answer: 'Yes', updatedAt: at },
          { questionId: 'q2', questionText: 'Is the car red?', answer: 'No', updatedAt: at },
        ],
        5,
      ),
      // Clip 1: judge said No (0.2) to q1, person says Yes.
      '.finger/labels/l/1.mp4.json': labels(
        'l/1.mp4',
        [{ questionId: 'q1', questionText: 'Is the car intact?', answer: 'Yes', updatedAt: at }],
        4,
      ),
      '.finger/labels/l/2.mp4.json': labels(
        'l/2.mp4',
        [{ questionId: 'x', questionText: 'is the CAR intact? ', answer: 'Yes', updatedAt: at }],
        1,
      ),
    });
    const run = await runCli(['agreement', '--labels', '--json'], { cwd: ws });
    assert.equal(run.code, 0, run.stderr);
    const l = JSON.parse(run.stdout).labels;
    assert.deepEqual(l.accuracy.visual_quality, { labelled: 3, agree: 2, value: 2 / 3 });
    assert.deepEqual(l.accuracy.text_alignment, { labelled: 1, agree: 0, value: 0 });
    assert.deepEqual(l.accuracy.all, { labelled: 4, agree: 2, value: 0.5 });
    assert.equal(l.accuracy.dynamic_degree.value, null);
    // visual_quality of the three clips: judge 0.9, 0.2, 0.6; corrected 1, 1, 1 (constant → null); human mos 5, 4, 1.
    assert.equal(l.correlation.visual_quality.without.srcc.value, spearman([0.9, 0.2, 0.6], [5, 4, 1]).value);
    assert.equal(l.correlation.visual_quality.with.srcc.value, null);
    const text = await runCli(['agreement', '--labels'], { cwd: ws });
    assert.match(text.stdout, /Acc visual_quality\s+0\.6667 {2}\(2 of 3\)/);
  });

  it('says what to compare with when given nothing', async () => {
    const ws = await workspace({ 'n/0.mp4': 0.5 });
    const run = await runCli(['agreement'], { cwd: ws });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--human FILE.*--pairs FILE.*--labels/);
  });
});
