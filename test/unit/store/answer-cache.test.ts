// AnswerCache memory: a bound on how many videos' answers stay in memory over a long run.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AnswerCache } from '../../../src/core/store/answerCache';
import type { AnsweredQuestion } from '../../../src/core/types';

const answered = (pYes: number): AnsweredQuestion => ({
  id: 'q1',
  dimension: 'visual_quality',
  entity: 'ball',
  text: 'Is the ball round?',
  polarity: 'positive',
  answer: pYes >= 0.5 ? 'Yes' : 'No',
  reason: 'it is',
  pYes,
  pNo: 1 - pYes,
  score: pYes,
  probabilitySource: 'logprobs',
  error: null,
});

const line = (key: string, pYes: number) =>
  JSON.stringify({ key, answer: 'Yes', reason: null, pYes, probabilitySource: 'logprobs' }) + '\n';

describe('AnswerCache', () => {
  it('keeps at most maxVideos videos in memory; an evicted video is read again from its file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'finger-answers-'));
    const cache = new AnswerCache(dir, { read: true, maxVideos: 2 });
    await cache.put('a', 'k1', answered(0.9));
    // Written behind the cache's back: not seen while video a is in memory…
    await appendFile(path.join(dir, 'a.jsonl'), line('k2', 0.2));
    assert.equal(await cache.get('a', 'k2'), undefined);
    await cache.get('b', 'x');
    assert.equal(await cache.get('a', 'k2'), undefined, 'a is still in memory (and now the most recently used)');
    await cache.get('c', 'x'); // drops b, the least recently used
    await fs.appendFile(path.join(dir, 'b.jsonl'), line('x', 0.4));
    assert.equal(await cache.get('a', 'k2'), undefined, 'a was kept');
    assert.equal((await cache.get('b', 'x'))?.pYes, 0.4, 'b was read again'); // drops c
    await cache.get('d', 'x'); // drops a
    assert.equal((await cache.get('a', 'k2'))?.pYes, 0.2);
    assert.equal((await cache.get('a', 'k1'))?.pYes, 0.9);
  });
});
