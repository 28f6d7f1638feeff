// Merging a partial rescore into a complete saved result: the store fills the failed questions
// from the saved file and scores the merged result with the protocol's own aggregate, in one
// atomic write (no second write to fix the overall afterwards).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { rescoreFor } from '../../../src/core/protocols/aggregate';
import { readResult, resultPathFor, saveResultSafely, writeResult } from '../../../src/core/store';
import { useTempRoot } from '../../helpers/temp';
import type { AnsweredQuestion, Dimension, Protocol, Result } from '../../../src/core/types';
import { countWrites } from '../../helpers/fs-writes';
import { assertClose as close } from '../../helpers/assert';

const temp = useTempRoot('finger-rescore');
const tmp = () => temp.workspace();

function q(id: string, dimension: Dimension, score: number | null): AnsweredQuestion {
  return {
    id,
    dimension,
    entity: '',
    text: `${id}: is ${dimension} fine?`,
    polarity: 'positive',
    answer: score === null ? null : score >= 0.5 ? 'Yes' : 'No',
    reason: score === null ? null : 'seen in the frames',
    pYes: score,
    pNo: score === null ? null : 1 - score,
    score,
    probabilitySource: score === null ? null : 'logprobs',
    error: score === null ? 'Endpoint answered 500' : null,
  };
}

/** A result as a protocol would save it; `overall` is given, as each protocol computes its own. */
function result(protocol: Protocol, questions: AnsweredQuestion[], overall: number | null): Result {
  return {
    version: 1,
    protocol,
    video: { path: 'a.mp4', sha256: 'abc', durationSec: 2, width: 320, height: 240, fps: 24 },
    prompt: 'A chef slices a tomato',
    endpoint: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' },
    sampling: { mode: 'video', fps: 2, maxFrames: 32, maxPixels: 200704, frames: 4 },
    judge: { reasoning: true, temperature: 0, templateHash: protocol },
    createdAt: new Date().toISOString(),
    questions,
    dimensions: {},
    overall,
  };
}

/** Saves `previous`, then merges `next` into it; the saved file, the decision and the writes. */
async function merge(previous: Result, next: Result, rescore: ReturnType<typeof rescoreFor>) {
  const ws = await tmp();
  const file = resultPathFor(ws, path.join(ws, 'a.mp4'));
  await writeResult(file, previous);
  const { value: decision, writes } = await countWrites(file, () => saveResultSafely(file, next, rescore));
  return { decision, writes, saved: await readResult(file) };
}

describe('saveResultSafely rescores a merged result with the protocol aggregate, in one write', () => {
  it('FingER: Eq. 3–4 with the configured dimension weights', async () => {
    const weights = { visual_quality: 3, text_alignment: 1 };
    const previous = result(
      'finger',
      [q('q1', 'visual_quality', 0.9), q('q2', 'visual_quality', 0.5), q('q3', 'text_alignment', 0.2)],
      0.7,
    );
    // q2 failed this time and is filled from the saved result; q1 and q3 have new answers.
    const next = result('finger', [q('q1', 'visual_quality', 0.7), q('q2', 'visual_quality', null), q('q3', 'text_alignment', 0.4)], 0.58);
    const { decision, writes, saved } = await merge(previous, next, rescoreFor('finger', { weights }));
    assert.equal(decision.written && decision.merged, 1);
    assert.equal(writes, 1);
    const visual = (0.7 + 0.5) / 2;
    close(saved.dimensions.visual_quality?.score, visual);
    close(saved.dimensions.visual_quality?.sum, 1.2);
    assert.equal(saved.dimensions.visual_quality?.count, 2);
    assert.equal(saved.dimensions.visual_quality?.weight, 3);
    close(saved.overall, (3 * visual + 1 * 0.4) / 4);
    assert.deepEqual(saved, decision.written ? decision.result : null);
  });

  it('VideoScore2: the plain mean of its ratings, whatever FingER weights are configured', async () => {
    const dims: Dimension[] = ['visual_quality', 'text_alignment', 'factual_consistency'];
    const previous = result(
      'videoscore2',
      dims.map((d, i) => q(`videoscore2.${d}`, d, [0.75, 0.5, 1][i]!)),
      0.75,
    );
    const next = result(
      'videoscore2',
      dims.map((d, i) => q(`videoscore2.${d}`, d, [0.25, null, 0.5][i]!)),
      0.375,
    );
    const { decision, writes, saved } = await merge(previous, next, rescoreFor('videoscore2'));
    assert.equal(decision.written && decision.merged, 1);
    assert.equal(writes, 1);
    close(saved.overall, (0.25 + 0.5 + 0.5) / 3);
    assert.deepEqual(Object.keys(saved.dimensions).sort(), [...dims].sort());
  });

  describe('Q-Save: the MOS, not the mean of its dimensions', () => {
    const dims: Dimension[] = ['visual_quality', 'dynamic_degree', 'text_alignment'];
    const previous = result(
      'qsave',
      dims.map((d, i) => q(`qsave.${d}`, d, [0.75, 0.5, 1][i]!)),
      0.5 /* its MOS, below the mean 0.75 */,
    );

    it("the reply's MOS when it had one", async () => {
      const next = result(
        'qsave',
        dims.map((d, i) => q(`qsave.${d}`, d, [0.25, null, 0.5][i]!)),
        0.25,
      );
      const { decision, writes, saved } = await merge(previous, next, rescoreFor('qsave', { mos: 0.25 }));
      assert.equal(decision.written && decision.merged, 1);
      assert.equal(writes, 1);
      close(saved.overall, 0.25);
      close(saved.dimensions.dynamic_degree?.score, 0.5);
    });

    it('the saved MOS when the whole reply failed (every rating is the saved one)', async () => {
      const next = result(
        'qsave',
        dims.map((d) => q(`qsave.${d}`, d, null)),
        null,
      );
      const { decision, writes, saved } = await merge(previous, next, rescoreFor('qsave', { mos: null }));
      assert.equal(decision.written && decision.merged, 3);
      assert.equal(writes, 1);
      close(saved.overall, 0.5);
    });

    it('the mean of the merged dimensions when the reply rated some but gave no MOS', async () => {
      const next = result(
        'qsave',
        dims.map((d, i) => q(`qsave.${d}`, d, [0.25, null, 0.5][i]!)),
        0.375,
      );
      const { writes, saved } = await merge(previous, next, rescoreFor('qsave', { mos: null }));
      assert.equal(writes, 1);
      close(saved.overall, (0.25 + 0.5 + 0.5) / 3);
    });
  });

  it('a result with nothing to merge is saved as the protocol scored it (no rescore)', async () => {
    const ws = await tmp();
    const file = resultPathFor(ws, path.join(ws, 'a.mp4'));
    const fresh = result('qsave', [q('qsave.visual_quality', 'visual_quality', 0.75)], 0.125);
    const { writes } = await countWrites(file, () =>
      saveResultSafely(file, fresh, () => {
        throw new Error('rescore called without a merge');
      }),
    );
    assert.equal(writes, 1);
    close((await readResult(file)).overall, 0.125);
  });
});
