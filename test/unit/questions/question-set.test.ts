import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FingerError } from '../../../src/core/errors';
import { diffQuestionSets, readQuestionSet, writeQuestionSet } from '../../../src/core/questions';
import { DIMENSIONS, type Question, type QuestionSet } from '../../../src/core/types';
import { rejectsWithFingerError } from '../../helpers/assert';
import { useTempRoot } from '../../helpers/temp';

const temp = useTempRoot('finger-qset');

const q = (
  id: string,
  dimension: Question['dimension'],
  entity: string,
  text: string,
  polarity: Question['polarity'] = 'positive',
): Question => ({
  id,
  dimension,
  entity,
  text,
  polarity,
});
const set = (questions: Question[]): QuestionSet => ({ version: 1, prompt: 'p', entities: [{ id: 'e1', name: 'chef' }], questions });

describe('question set files', () => {
  it('write atomically into new folders and read back', async () => {
    const file = join(temp.path, 'a', 'b', 'clip.questions.json');
    const s = set([
      q('q1', 'visual_quality', 'chef', 'Are the hands right?'),
      q('q2', 'factual_consistency', 'chef', 'Does the knife pass through the board?', 'negative'),
    ]);
    await writeQuestionSet(file, s);
    assert.deepEqual(await readQuestionSet(file), s);
    assert.deepEqual(await readdir(join(temp.path, 'a', 'b')), ['clip.questions.json']); // no temporary files left
    assert.match(await readFile(file, 'utf8'), /\n {2}"version": 1,/);
  });

  it('refuse to write an invalid set and leave the old file intact', async () => {
    const file = join(temp.path, 'keep.questions.json');
    const good = set([q('q1', 'visual_quality', 'chef', 'Ok?')]);
    await writeQuestionSet(file, good);
    await assert.rejects(writeQuestionSet(file, set([])), FingerError);
    assert.deepEqual(await readQuestionSet(file), good);
  });

  it('name the file, the field path and its line for schema errors', async () => {
    const file = join(temp.path, 'bad.questions.json');
    const text = JSON.stringify(set([q('q1', 'visual_quality', 'a', 'A?'), q('q2', 'visual_quality', 'b', 'B?')]), null, 2).replace(
      '"dimension": "visual_quality",\n      "entity": "b"',
      '"dimension": "beauty",\n      "entity": "b"',
    );
    await writeFile(file, text);
    const expectedLine = text.split('\n').findIndex((l) => l.includes('beauty')) + 1;
    await rejectsWithFingerError(readQuestionSet(file), (e) => {
      assert.equal(e.file, file);
      assert.match(e.message, /questions\[1\]\.dimension/);
      assert.equal(e.options.line, expectedLine);
    });
  });

  it('report malformed JSON with its line, and duplicate ids', async () => {
    const broken = join(temp.path, 'broken.questions.json');
    await writeFile(broken, '{\n  "version": 1,\n  "prompt": "p"\n  "entities": []\n}');
    await rejectsWithFingerError(readQuestionSet(broken), (e) => {
      assert.equal(e.options.line, 4);
      assert.match(e.message, /not valid JSON.*line 4/);
    });
    const dup = join(temp.path, 'dup.questions.json');
    await writeFile(dup, JSON.stringify(set([q('q1', 'visual_quality', 'a', 'A?'), q('q1', 'dynamic_degree', 'a', 'B?')]), null, 2));
    await rejectsWithFingerError(readQuestionSet(dup), (e) =>
      assert.match(e.message, /questions\[1\]\.id: "q1" is also the id of questions\[0\]/),
    );
    await rejectsWithFingerError(readQuestionSet(join(temp.path, 'missing.json')), (e) => assert.match(e.message, /could not read/));
  });
});

describe('diffQuestionSets', () => {
  const base = [
    q('q1', 'visual_quality', 'chef', 'Are the chef’s hands correct?'),
    q('q2', 'temporal_consistency', 'chef', 'Does the chef keep his face?'),
    q('q3', 'factual_consistency', 'tomato', 'Does the tomato pass through the board?', 'negative'),
  ];

  it('everything is added when there was nothing before', () => {
    const d = diffQuestionSets(undefined, set(base));
    assert.deepEqual(d.added, base);
    assert.deepEqual([d.removed, d.changed, d.unchanged], [[], [], []]);
  });

  it('matches by dimension, entity and normalised text regardless of ids; then by id', () => {
    const after = [
      q('q1', 'dynamic_degree', 'chef', 'Does the chef move the knife?'), // new, takes id q1
      q('q2', 'visual_quality', 'Chef', "are the chef's hands   correct"), // same question, renumbered and re-spelt
      q('q3', 'temporal_consistency', 'chef', 'Does the chef keep the same face throughout?'), // reworded, and its id was another dimension's: added (old q2 removed)
      q('q4', 'factual_consistency', 'tomato', 'Does the tomato pass through the board?', 'positive'), // polarity flipped
    ];
    const d = diffQuestionSets(set(base), set(after));
    assert.deepEqual(
      d.added.map((x) => x.text),
      ['Does the chef move the knife?', 'Does the chef keep the same face throughout?'],
    );
    assert.deepEqual(
      d.removed.map((x) => x.id),
      ['q2'],
    );
    assert.deepEqual(
      d.changed.map((c) => [c.before.id, c.after.id]),
      [
        ['q1', 'q2'], // same question, text spelt differently
        ['q3', 'q4'], // polarity changed
      ],
    );
    assert.deepEqual(d.unchanged, []);
  });

  it('a question reworded in place (same id and dimension) is changed', () => {
    const after = [base[0]!, q('q2', 'temporal_consistency', 'chef', 'Does the chef look the same in every frame?'), base[2]!];
    const d = diffQuestionSets(set(base), set(after));
    assert.deepEqual(
      d.changed.map((c) => [c.before.text, c.after.text]),
      [['Does the chef keep his face?', 'Does the chef look the same in every frame?']],
    );
    assert.deepEqual(d.unchanged, [base[0], base[2]]);
    assert.deepEqual([d.added, d.removed], [[], []]);
  });

  it('accounts for every question exactly once', () => {
    const question = fc.record({
      id: fc.constantFrom('q1', 'q2', 'q3', 'q4'),
      dimension: fc.constantFrom(...DIMENSIONS.slice(0, 2)),
      entity: fc.constantFrom('a', 'b'),
      text: fc.constantFrom('X?', 'x', 'Y?', 'Z'),
      polarity: fc.constantFrom('positive' as const, 'negative' as const),
    });
    fc.assert(
      fc.property(fc.array(question, { maxLength: 6 }), fc.array(question, { minLength: 1, maxLength: 6 }), (b, a) => {
        const d = diffQuestionSets(set(b), set(a));
        const afterSide = [...d.added, ...d.unchanged, ...d.changed.map((c) => c.after)];
        const beforeSide = [...d.removed, ...d.changed.map((c) => c.before)];
        assert.equal(afterSide.length, a.length);
        assert.equal(beforeSide.length + d.unchanged.length, b.length);
        for (const x of a) assert.ok(afterSide.includes(x));
        // Identical sets: nothing changes.
        const same = diffQuestionSets(set(a), set(a));
        assert.equal(same.unchanged.length, a.length);
      }),
      { numRuns: 2000 },
    );
  });
});
