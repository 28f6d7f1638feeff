// Which model and prompt a clip belongs to: manifest fields, the <root>/<model>/<path> layout,
// identical prompt text, and the messages for clips that cannot be grouped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePromptManifest } from '../../../src/core/prompts';
import { groupClips, type ClipRecord } from '../../../src/core/workbench/grouping';
import { answeredQuestion, resultFor } from '../../fixtures/results/generate';

function clip(video: string, prompt: string, extra: Partial<ClipRecord> = {}): ClipRecord {
  return {
    video,
    resultFile: `/ws/.finger/results/${video}.json`,
    result: resultFor(video, prompt, [answeredQuestion('q1', 'visual_quality', 'car', 'Is the car intact?', 0.7, 'ok')]),
    ...extra,
  };
}

describe('manifest model and prompt_id', () => {
  it('reads model and prompt_id from CSV columns, JSON fields and JSONL, as text', () => {
    const csv = parsePromptManifest('video,prompt,model,prompt_id\na.mp4,A red car,gen-a,p1\nb.mp4,A red car,,\n', '/ws/prompts.csv');
    assert.equal(csv[0]!.model, 'gen-a');
    assert.equal(csv[0]!.promptId, 'p1');
    assert.equal(csv[1]!.model, undefined, 'an empty cell is no model');
    const json = parsePromptManifest(JSON.stringify([{ video: 'a.mp4', prompt: 'x', model: 'm', prompt_id: 7 }]), '/ws/prompts.json');
    assert.equal(json[0]!.promptId, '7');
    const obj = parsePromptManifest(JSON.stringify({ 'a.mp4': { prompt: 'x', model: 'm2' } }), '/ws/prompts.json');
    assert.equal(obj[0]!.model, 'm2');
    const jsonl = parsePromptManifest('{"video":"a.mp4","prompt":"x","Model":"m3","PROMPT_ID":"q"}\n', '/ws/prompts.jsonl');
    assert.deepEqual([jsonl[0]!.model, jsonl[0]!.promptId], ['m3', 'q']);
  });
});

describe('groupClips', () => {
  it('uses the manifest model and prompt_id before the layout', () => {
    const g = groupClips(
      [
        clip('runs/x1.mp4', 'A red car', { manifestModel: 'A', manifestPromptId: 'p1' }),
        clip('runs/x2.mp4', 'A red car', { manifestModel: 'B', manifestPromptId: 'p1' }),
        clip('runs/y1.mp4', 'A dog', { manifestModel: 'A', manifestPromptId: 'p2' }),
      ],
      'runs',
    );
    assert.equal(g.method, 'manifest');
    assert.deepEqual(g.models, ['A', 'B']);
    assert.deepEqual(
      g.prompts.map((p) => [p.key, p.models]),
      [
        ['p1', ['A', 'B']],
        ['p2', ['A']],
      ],
    );
  });

  it('uses <root>/<model>/<same relative path>, ignoring the extension', () => {
    const g = groupClips(
      [
        clip('out/m1/sub/p1.mp4', 'A red car'),
        clip('out/m2/sub/p1.webm', 'A red car'),
        clip('out/m1/p2.mp4', 'A dog'),
        clip('out/m2/p2.mp4', 'A dog'),
      ],
      'out',
    );
    assert.equal(g.method, 'layout');
    assert.deepEqual(
      g.prompts.map((p) => [p.key, p.clips.map((c) => c.model)]),
      [
        ['p2', ['m1', 'm2']],
        ['sub/p1', ['m1', 'm2']],
      ],
    );
  });

  it('falls back to identical prompt text, with N samples of one model in one group', () => {
    const g = groupClips([
      clip('m1/a_s0.mp4', 'A red car'),
      clip('m1/a_s1.mp4', 'A red car'),
      clip('m2/b.mp4', 'A red car'),
      clip('m2/c.mp4', 'A dog'),
    ]);
    assert.equal(g.method, 'prompt-text');
    const car = g.prompts.find((p) => p.prompt === 'A red car')!;
    assert.deepEqual(
      car.clips.map((c) => c.video),
      ['m1/a_s0.mp4', 'm1/a_s1.mp4', 'm2/b.mp4'],
    );
  });

  it('names the files when the same relative path has different prompts', () => {
    assert.throws(
      () => groupClips([clip('m1/p1.mp4', 'A red car'), clip('m2/p1.mp4', 'A blue car')]),
      (e: Error) => /prompt texts differ/.test(e.message) && e.message.includes('m1/p1.mp4') && e.message.includes('m2/p1.mp4'),
    );
  });

  it('names the manifest clips that have no model', () => {
    assert.throws(
      () => groupClips([clip('a.mp4', 'x', { manifestModel: 'A' }), clip('b.mp4', 'x', { manifestPromptId: 'p' })]),
      (e: Error) => /cannot tell which model made 1 clip\(s\): b\.mp4/.test(e.message),
    );
  });
});
