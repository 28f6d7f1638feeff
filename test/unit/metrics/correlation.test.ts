import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { agreement, averageRanks, kendallTau, pairwiseAccuracy, pearson, spearman, type Statistic } from '../../../src/core/metrics';
import { assertClose as close } from '../../helpers/assert';

function valueOf(s: Statistic): number {
  assert.notEqual(s.value, null, `expected a value, got null (${'reason' in s ? s.reason : ''})`);
  return s.value as number;
}

describe('averageRanks', () => {
  it('gives tied values the mean of the ranks they span', () => {
    // sorted: 10 (rank 1), 20 20 (ranks 2,3 → 2.5), 30 (rank 4)
    assert.deepEqual(averageRanks([30, 20, 10, 20]), [4, 2.5, 1, 2.5]);
    // three-way tie over ranks 1..3 → 2
    assert.deepEqual(averageRanks([5, 5, 5, 9]), [2, 2, 2, 4]);
  });
});

describe('correlations on hand-computed examples', () => {
  // x = [1,2,3,4,5], y = [2,1,4,3,5]; both have mean 3.
  // dx = [-2,-1,0,1,2], dy = [-1,-2,1,0,2]; Σdxdy = 2+2+0+0+4 = 8; Σdx² = Σdy² = 10 → r = 0.8.
  // No ties, so the ranks are the values and SRCC = 0.8 too.
  // Pairs: (1,2) and (3,4) are discordant, the other 8 concordant → tau = (8-2)/10 = 0.6,
  // pairwise accuracy = 8/10.
  const x = [1, 2, 3, 4, 5];
  const y = [2, 1, 4, 3, 5];

  it('PLCC', () => close(valueOf(pearson(x, y)), 0.8));
  it('SRCC', () => close(valueOf(spearman(x, y)), 0.8));
  it('Kendall tau-b', () => close(valueOf(kendallTau(x, y)), 0.6));
  it('pairwise accuracy', () => close(valueOf(pairwiseAccuracy(x, y)), 0.8));

  // With ties: x = [1,2,2,3], y = [1,2,3,3].
  // Ranks: x → [1,2.5,2.5,4], y → [1,2,3.5,3.5], both mean 2.5.
  // d_rx = [-1.5,0,0,1.5], d_ry = [-1.5,-0.5,1,1]; Σ = 2.25+1.5 = 3.75; Σd_rx² = 4.5; Σd_ry² = 2.25+0.25+1+1 = 4.5
  // → SRCC = 3.75/4.5 = 5/6.
  // PLCC: means 2 and 2.25; dx = [-1,0,0,1], dy = [-1.25,-0.25,0.75,0.75];
  // Σdxdy = 1.25+0.75 = 2, Σdx² = 2, Σdy² = 1.5625+0.0625+0.5625+0.5625 = 2.75 → 2/√5.5.
  // Pairs: (1,2) C, (1,3) C, (1,4) C, (2,4) C, (2,3) tied in x only, (3,4) tied in y only
  // → tau-b = (4-0)/√((4+0+1)(4+0+1)) = 0.8; pairwise accuracy = (4+0)/6.
  const xt = [1, 2, 2, 3];
  const yt = [1, 2, 3, 3];

  it('SRCC uses average ranks for ties', () => close(valueOf(spearman(xt, yt)), 5 / 6));
  it('PLCC with ties', () => close(valueOf(pearson(xt, yt)), 2 / Math.sqrt(5.5)));
  it('tau-b corrects for ties in either series', () => close(valueOf(kendallTau(xt, yt)), 0.8));
  it('pairwise accuracy counts a tie on one side only as wrong', () => close(valueOf(pairwiseAccuracy(xt, yt)), 4 / 6));

  it('a perfectly reversed order gives -1', () => {
    assert.equal(valueOf(spearman([1, 2, 3], [9, 5, 1])), -1);
    assert.equal(valueOf(kendallTau([1, 2, 3], [9, 5, 1])), -1);
    assert.equal(valueOf(pairwiseAccuracy([1, 2, 3], [9, 5, 1])), 0);
  });
});

describe('pairwise accuracy with ties at a fixed or calibrated threshold (Deutsch et al. 2023, acc_eq)', () => {
  it('credits a predicted tie on a human tie only within the threshold', () => {
    // human ties clips 2 and 3; the prediction differs there by 0.05.
    const pred = [1, 2, 2.05, 3];
    const human = [1, 2, 2, 3];
    // ε = 0: pair (2,3) is a human-only tie → wrong; the other 5 pairs agree → 5/6.
    close(valueOf(pairwiseAccuracy(pred, human, { tieThreshold: 0 })), 5 / 6);
    // Calibrated (the default): ε = 2.05 − 2 makes that pair a tie on both sides and costs nothing.
    const calibrated = pairwiseAccuracy(pred, human);
    close(valueOf(calibrated), 1);
    assert.equal(calibrated.epsilon, 2.05 - 2);
    // ε = 0.1: pair (2,3) is tied on both sides → right; every other pair differs by ≥ 0.95 → 6/6.
    const withTies = pairwiseAccuracy(pred, human, { tieThreshold: 0.1 });
    close(valueOf(withTies), 1);
    assert.equal(withTies.pairs?.tiedBoth, 1);
  });

  it('counts a predicted tie on a pair humans order as wrong', () => {
    // pred ties clips 1 and 2 within ε = 0.1 but humans order them → 1 wrong of 3 pairs.
    close(valueOf(pairwiseAccuracy([1, 1.05, 3], [1, 2, 3], { tieThreshold: 0.1 })), 2 / 3);
  });

  it('humanTieThreshold widens what counts as a human tie', () => {
    // human 3.0 vs 3.2 is a tie at 0.25; pred ties them exactly → right. Pairs: (1,2) tie-tie, (1,3), (2,3) C → 3/3.
    close(valueOf(pairwiseAccuracy([2, 2, 5], [3, 3.2, 5], { humanTieThreshold: 0.25 })), 1);
    // without it, pair (1,2) is a prediction-only tie → 2/3.
    close(valueOf(pairwiseAccuracy([2, 2, 5], [3, 3.2, 5])), 2 / 3);
  });

  it('needs no variance: all-tied humans with all-tied predictions are fully right', () => {
    close(valueOf(pairwiseAccuracy([4, 4, 4], [2, 2, 2])), 1);
  });
});

describe('undefined cases are null with a reason, never NaN', () => {
  it('fewer than 2 pairs', () => {
    for (const f of [pearson, spearman, kendallTau, pairwiseAccuracy]) {
      const r = f([1], [2]);
      assert.equal(r.value, null);
      assert.equal(r.n, 1);
      assert.match((r as { reason: string }).reason, /at least 2/);
    }
  });

  it('zero variance names the constant side', () => {
    for (const f of [pearson, spearman, kendallTau]) {
      const human = f([1, 2, 3], [4, 4, 4]);
      assert.equal(human.value, null);
      assert.match((human as { reason: string }).reason, /human/);
      const pred = f([7, 7, 7], [1, 2, 3]);
      assert.equal(pred.value, null);
      assert.match((pred as { reason: string }).reason, /predicted/);
    }
  });

  it('pairs with a non-finite value are left out', () => {
    const r = pearson([1, 2, NaN, 3, 4, 5, 6], [2, 1, 7, Infinity, 4, 3, 5]);
    // Rows kept: (1,2) (2,1) (4,4) (5,3) (6,5): x=[1,2,4,5,6] mean 3.6, y=[2,1,4,3,5] mean 3
    // dx=[-2.6,-1.6,0.4,1.4,2.4], dy=[-1,-2,1,0,2]; Σdxdy=2.6+3.2+0.4+0+4.8=11; Σdx²=6.76+2.56+0.16+1.96+5.76=17.2; Σdy²=10
    assert.equal(r.n, 5);
    close(valueOf(r), 11 / Math.sqrt(172));
  });

  it('series of different lengths are a programming error', () => {
    assert.throws(() => spearman([1, 2], [1]), RangeError);
  });
});

describe('agreement', () => {
  it('returns all four statistics and the usable n', () => {
    const rows = [
      { pred: 1, human: 2 },
      { pred: 2, human: 1 },
      { pred: 3, human: 4 },
      { pred: 4, human: 3 },
      { pred: 5, human: 5 },
      { pred: NaN, human: 1 },
    ];
    const a = agreement(rows);
    assert.equal(a.n, 5);
    close(valueOf(a.srcc), 0.8);
    close(valueOf(a.plcc), 0.8);
    close(valueOf(a.krcc), 0.6);
    close(valueOf(a.pairwiseAccuracy), 0.8);
  });

  it('passes the tie threshold to pairwise accuracy', () => {
    const a = agreement(
      [
        { pred: 1, human: 1 },
        { pred: 2, human: 2 },
        { pred: 2.05, human: 2 },
        { pred: 3, human: 3 },
      ],
      { tieThreshold: 0.1 },
    );
    close(valueOf(a.pairwiseAccuracy), 1);
  });
});

describe('properties', () => {
  const series = fc
    .integer({ min: 2, max: 25 })
    .chain((n) =>
      fc.tuple(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: n, maxLength: n }),
      ),
    );
  // Strictly increasing on the integers, and exact in floating point for this range.
  const increasing = (v: number): number => v * v * v + 2 * v;

  it('all correlations are symmetric and lie in [-1, 1]', () => {
    fc.assert(
      fc.property(series, ([x, y]) => {
        for (const f of [pearson, spearman, kendallTau]) {
          const a = f(x, y);
          const b = f(y, x);
          assert.equal(a.value === null, b.value === null);
          if (a.value !== null && b.value !== null) {
            assert.ok(Math.abs(a.value - b.value) < 1e-9);
            assert.ok(a.value >= -1 && a.value <= 1);
          }
        }
      }),
    );
  });

  it('SRCC and Kendall are invariant under strictly increasing transforms, and flip sign under decreasing ones', () => {
    fc.assert(
      fc.property(series, ([x, y]) => {
        for (const f of [spearman, kendallTau]) {
          const base = f(x, y);
          const transformed = f(
            x.map(increasing),
            y.map((v) => Math.exp(v / 10)),
          );
          const reversed = f(
            x,
            y.map((v) => -v),
          );
          if (base.value === null) {
            assert.equal(transformed.value, null);
            continue;
          }
          assert.ok(Math.abs(base.value - valueOf(transformed)) < 1e-9);
          assert.ok(Math.abs(base.value + valueOf(reversed)) < 1e-9);
        }
      }),
    );
  });

  it('a non-constant series agrees perfectly with itself', () => {
    fc.assert(
      fc.property(series, ([x]) => {
        fc.pre(new Set(x).size > 1);
        close(valueOf(spearman(x, x)), 1, 1e-9);
        close(valueOf(kendallTau(x, x)), 1, 1e-9);
        close(valueOf(pearson(x, x)), 1, 1e-9);
        close(valueOf(pairwiseAccuracy(x, x)), 1);
      }),
    );
  });

  it('pairwise accuracy lies in [0, 1], is symmetric at ε = 0, and equals (1 + tau)/2 without ties', () => {
    fc.assert(
      fc.property(series, ([x, y]) => {
        const acc = valueOf(pairwiseAccuracy(x, y, { tieThreshold: 0 }));
        assert.ok(acc >= 0 && acc <= 1);
        close(acc, valueOf(pairwiseAccuracy(y, x, { tieThreshold: 0 })), 1e-12);
        // Calibration starts at ε = 0 and keeps the best, so it is never below it.
        assert.ok(valueOf(pairwiseAccuracy(x, y)) >= acc - 1e-12);
        if (new Set(x).size === x.length && new Set(y).size === y.length) {
          // no ties: C + D = all pairs, so acc = C/(C+D) and tau = (C−D)/(C+D)
          close(acc, (1 + valueOf(kendallTau(x, y))) / 2, 1e-9);
        }
      }),
    );
  });
});
