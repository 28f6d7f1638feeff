// Agreement statistics against numbers computed outside the project, on data with many ties:
// scipy (SRCC, PLCC, Kendall's tau-b), google-research/mt-metrics-eval's tau_optimization (the
// tie-calibrated accuracy acc23 and its threshold) and KwaiVGI/VideoAlign's
// calc_accuracy_without_ties. test/reference/agreement_reference.py made
// test/reference/agreement-expected.json; its "references" field names the versions and commits.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { agreement, pairwiseAccuracy, pairwiseAccuracyWithoutTies } from '../../../src/core/metrics';
import { preferenceAgreement } from '../../../src/core/workbench/agreement';

interface SeriesCase {
  name: string;
  human: number[];
  pred: number[];
  srcc: number;
  plcc: number;
  krcc: number;
  acc23: number;
  epsilon: number;
  withoutTies: number;
}
interface PairsCase {
  name: string;
  scores: Record<string, number>;
  pairs: { video_a: string; video_b: string; preference: 'a' | 'b' | 'tie' }[];
  acc23: number;
  epsilon: number;
  withoutTies: number;
}
const expected = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'reference', 'agreement-expected.json'), 'utf8')) as {
  references: Record<string, string>;
  series: SeriesCase[];
  pairs: PairsCase[];
};

const near = (actual: number | null, want: number, what: string) => {
  assert.ok(actual !== null, `${what}: got null`);
  assert.ok(Math.abs(actual - want) <= 1e-12, `${what}: ${actual} vs reference ${want}`);
};

describe(`agreement equals the references (${Object.values(expected.references).join('; ')})`, () => {
  for (const c of expected.series) {
    it(`scores: ${c.name}`, () => {
      const a = agreement(c.pred.map((pred, i) => ({ pred, human: c.human[i]! })));
      near(a.srcc.value, c.srcc, 'SRCC (scipy.stats.spearmanr)');
      near(a.plcc.value, c.plcc, 'PLCC (scipy.stats.pearsonr)');
      near(a.krcc.value, c.krcc, 'KRCC (scipy.stats.kendalltau)');
      near(a.pairwiseAccuracy.value, c.acc23, 'acc23 (mt-metrics-eval)');
      assert.equal(a.pairwiseAccuracy.epsilon, c.epsilon, 'the threshold mt-metrics-eval chose');
      near(a.pairwiseAccuracyWithoutTies.value, c.withoutTies, 'calc_accuracy_without_ties (VideoAlign)');
    });
  }
  for (const c of expected.pairs) {
    it(`preference pairs: ${c.name}`, () => {
      const r = preferenceAgreement(
        c.pairs.map((p) => ({ a: p.video_a, b: p.video_b, preference: p.preference })),
        new Map(Object.entries(c.scores)),
      );
      near(r.pairwiseAccuracy.value, c.acc23, 'acc23 over the pairs (mt-metrics-eval)');
      assert.equal(r.pairwiseAccuracy.epsilon, c.epsilon);
      near(r.pairwiseAccuracyWithoutTies.value, c.withoutTies, 'calc_accuracy_without_ties over the pairs (VideoAlign)');
    });
  }

  it('the data has the ties the comparison is about', () => {
    for (const c of expected.series) assert.ok(new Set(c.pred).size < 0.6 * c.pred.length && new Set(c.human).size <= 5, c.name);
    assert.ok(
      expected.series.some((c) => c.epsilon > 0),
      'some case calibrates a threshold above 0',
    );
    assert.ok(expected.pairs.some((c) => c.epsilon > 0));
  });

  it('a fixed threshold of 0 is what calibration starts from, and can be worse', () => {
    const c = expected.series.find((s) => s.epsilon > 0)!;
    const at0 = pairwiseAccuracy(c.pred, c.human, { tieThreshold: 0 }).value!;
    assert.ok(at0 < c.acc23);
    assert.equal(pairwiseAccuracyWithoutTies([1, 1, 2], [1, 2, 3]).value, 2 / 3, 'a metric tie on an ordered pair counts as wrong');
  });
});
