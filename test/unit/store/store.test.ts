import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { rescoreFor } from '../../../src/core/protocols/aggregate';
import { scoreDimensions, entityScore } from '../../../src/core/scoring/finger';
import {
  AnswerCache,
  answerCacheKey,
  fromWorkspaceRelative,
  labelsPathFor,
  listResults,
  readLabels,
  readResult,
  resultPathFor,
  saveOverride,
  saveResultSafely,
  toWorkspaceRelative,
  writeResult,
} from '../../../src/core/store';
import { useTempRoot } from '../../helpers/temp';
import type { AnsweredQuestion, Result } from '../../../src/core/types';

const temp = useTempRoot('finger-store');
const tmp = () => temp.workspace();

function answered(id: string, text: string, pYes: number | null): AnsweredQuestion {
  return {
    id,
    dimension: 'visual_quality',
    entity: 'chef',
    text,
    polarity: 'positive',
    answer: pYes === null ? null : pYes >= 0.5 ? 'Yes' : 'No',
    reason: pYes === null ? null : 'r',
    pYes,
    pNo: pYes === null ? null : 1 - pYes,
    score: pYes === null ? null : entityScore('positive', pYes),
    probabilitySource: pYes === null ? null : 'logprobs',
    error: pYes === null ? 'connection refused' : null,
  };
}

function result(questions: AnsweredQuestion[], sha = 'abc'): Result {
  return {
    version: 1,
    protocol: 'finger',
    video: { path: 'clips/a.mp4', sha256: sha, durationSec: 2, width: 320, height: 240, fps: 24 },
    prompt: 'A chef slices a tomato',
    endpoint: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' },
    sampling: { mode: 'video', fps: 2, maxFrames: 32, maxPixels: 200704, frames: 4 },
    judge: { reasoning: true, temperature: 0, templateHash: 't' },
    createdAt: new Date().toISOString(),
    questions,
    ...scoreDimensions(questions),
  };
}

describe('workspace paths', () => {
  it('result and label files mirror the video path under .finger/', async () => {
    const ws = await tmp();
    const video = path.join(ws, 'clips', 'a b.mp4');
    assert.equal(resultPathFor(ws, video), path.join(ws, '.finger', 'results', 'clips', 'a b.mp4.json'));
    assert.equal(labelsPathFor(ws, video), path.join(ws, '.finger', 'labels', 'clips', 'a b.mp4.json'));
  });

  it('refuses paths outside the workspace, however they are spelled', async () => {
    const ws = await tmp();
    assert.throws(() => toWorkspaceRelative(ws, path.join(ws, '..', 'x.mp4')), /outside the workspace/);
    assert.throws(() => fromWorkspaceRelative(ws, '../../etc/passwd'), /outside the workspace/);
    assert.throws(() => fromWorkspaceRelative(ws, '/etc/passwd'), /outside the workspace/);
    assert.equal(fromWorkspaceRelative(ws, 'clips/../clips/a.mp4'), path.join(ws, 'clips', 'a.mp4'));
    // A name that only starts with two dots is inside.
    assert.equal(toWorkspaceRelative(ws, path.join(ws, '..clip.mp4')), '..clip.mp4');
    assert.equal(resultPathFor(ws, path.join(ws, '..clip.mp4')), path.join(ws, '.finger', 'results', '..clip.mp4.json'));
  });
});

describe('results', () => {
  it('a hand-broken result file is named in the error, and listResults keeps the others', async () => {
    const ws = await tmp();
    const good = resultPathFor(ws, path.join(ws, 'good.mp4'));
    const bad = resultPathFor(ws, path.join(ws, 'bad.mp4'));
    const wrong = resultPathFor(ws, path.join(ws, 'wrong.mp4'));
    await writeResult(good, result([answered('q1', 'Is it sharp?', 0.9)]));
    await writeFile(bad, '{"version": 1, "protocol": "fin');
    const w = result([answered('q1', 'Is it sharp?', 0.9)]) as unknown as { questions: { dimension: string }[] };
    w.questions[0]!.dimension = 'beauty';
    await writeFile(wrong, JSON.stringify(w));
    await assert.rejects(readResult(bad), (e: Error) => e.message.includes('not valid JSON') && (e as { file?: string }).file === bad);
    await assert.rejects(readResult(wrong), /questions\[0\]\.dimension/);
    const listed = await listResults(ws);
    assert.deepEqual(
      listed.map((l) => [l.videoRelPath, Boolean(l.result), Boolean(l.error)]),
      [
        ['bad.mp4', false, true],
        ['good.mp4', true, false],
        ['wrong.mp4', false, true],
      ],
    );
  });

  it('a complete saved result is never replaced by an incomplete one', async () => {
    const ws = await tmp();
    const file = resultPathFor(ws, path.join(ws, 'clips', 'a.mp4'));
    const complete = result([answered('q1', 'Is it sharp?', 0.9), answered('q2', 'Is it smooth?', 0.7)]);
    await writeResult(file, complete);
    const before = await readFile(file, 'utf8');
    // A new question failed and there is nothing to fill it from: keep the old file as it is.
    const worse = result([answered('q1', 'Is it sharp?', 0.8), answered('q3', 'Is the chef there?', null)]);
    const decision = await saveResultSafely(file, worse, rescoreFor('finger'));
    assert.equal(decision.written, false);
    assert.equal(await readFile(file, 'utf8'), before);
  });

  it('failed questions are filled from the saved result question by question', async () => {
    const ws = await tmp();
    const file = resultPathFor(ws, path.join(ws, 'a.mp4'));
    await writeResult(file, result([answered('q1', 'Is it sharp?', 0.9), answered('q2', 'Is it smooth?', 0.7)]));
    const decision = await saveResultSafely(
      file,
      result([answered('q1', 'Is it sharp?', 0.6), answered('q2', 'Is it smooth?', null)]),
      rescoreFor('finger'),
    );
    assert.equal(decision.written, true);
    const saved = await readResult(file);
    assert.equal(saved.questions[0]!.pYes, 0.6, 'the new answer wins where there is one');
    assert.equal(saved.questions[1]!.pYes, 0.7, 'the failed one keeps its earlier answer');
    assert.equal(saved.questions[1]!.error, null);
    assert.ok(Math.abs(saved.overall! - (0.6 + 0.7) / 2) < 1e-12);
  });

  it('answers of another video content are not merged', async () => {
    const ws = await tmp();
    const file = resultPathFor(ws, path.join(ws, 'a.mp4'));
    await writeResult(file, result([answered('q1', 'Is it sharp?', 0.9)], 'old-sha'));
    const decision = await saveResultSafely(
      file,
      result([answered('q1', 'Is it sharp?', null), answered('q2', 'x?', 0.5)], 'new-sha'),
      rescoreFor('finger'),
    );
    assert.equal(decision.written, false, 'the complete old result is kept rather than merged with a different video');
  });

  it('a result that says the same as the saved one (but for its date) is not rewritten', async () => {
    const ws = await tmp();
    const file = resultPathFor(ws, path.join(ws, 'a.mp4'));
    const first = result([answered('q1', 'Is it sharp?', 0.9)]);
    await writeResult(file, { ...first, createdAt: '2026-01-01T00:00:00.000Z' });
    const before = await readFile(file, 'utf8');
    const same = await saveResultSafely(file, { ...first, createdAt: '2026-06-01T00:00:00.000Z' }, rescoreFor('finger'));
    assert.equal(same.written && same.unchanged, true);
    assert.equal(await readFile(file, 'utf8'), before);
    const changed = await saveResultSafely(file, result([answered('q1', 'Is it sharp?', 0.8)]), rescoreFor('finger'));
    assert.equal(changed.written && !changed.unchanged, true);
    assert.notEqual(await readFile(file, 'utf8'), before);
  });

  it('a broken saved result is replaced by a good one', async () => {
    const ws = await tmp();
    const file = resultPathFor(ws, path.join(ws, 'a.mp4'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, 'garbage');
    const decision = await saveResultSafely(file, result([answered('q1', 'Is it sharp?', 0.9)]), rescoreFor('finger'));
    assert.equal(decision.written, true);
    assert.equal((await readResult(file)).questions[0]!.pYes, 0.9);
  });
});

describe('labels', () => {
  it('overrides are added, replaced by question text and removed with answer null', async () => {
    const ws = await tmp();
    const video = path.join(ws, 'clips', 'a.mp4');
    await saveOverride(ws, video, { questionId: 'q1', questionText: 'Is it sharp?', answer: 'No', note: 'blurry at 2s' });
    await saveOverride(ws, video, { questionId: 'q2', questionText: 'Is it smooth?', answer: 'Yes' });
    await saveOverride(ws, video, { questionId: 'q9', questionText: 'is it  SHARP?', answer: 'Yes' });
    let labels = await readLabels(ws, video);
    assert.deepEqual(
      labels!.overrides.map((o) => [o.questionText, o.answer]),
      [
        ['Is it smooth?', 'Yes'],
        ['is it  SHARP?', 'Yes'],
      ],
    );
    await saveOverride(ws, video, { questionId: 'q2', questionText: 'Is it smooth?', answer: null });
    labels = await readLabels(ws, video);
    assert.equal(labels!.overrides.length, 1);
    assert.equal(labels!.video, 'clips/a.mp4');
  });

  it('a broken labels file is reported by name, not silently replaced', async () => {
    const ws = await tmp();
    const video = path.join(ws, 'a.mp4');
    await mkdir(path.dirname(labelsPathFor(ws, video)), { recursive: true });
    await writeFile(labelsPathFor(ws, video), '{ nope');
    await assert.rejects(
      saveOverride(ws, video, { questionId: 'q1', questionText: 'x', answer: 'Yes' }),
      (e: Error & { file?: string }) => e.file === labelsPathFor(ws, video),
    );
    assert.equal(await readFile(labelsPathFor(ws, video), 'utf8'), '{ nope');
  });
});

describe('answer cache', () => {
  const parts = {
    videoSha256: 'v',
    sampling: { mode: 'video', fps: 2, maxFrames: 32, maxPixels: 200704 },
    questionText: 'Is it sharp?',
    answerTemplateHash: 't',
    model: 'm',
    temperature: 0,
    reasoning: true,
  };

  it('the key changes with every part that changes the answer', () => {
    const base = answerCacheKey(parts);
    assert.equal(answerCacheKey({ ...parts }), base);
    assert.notEqual(answerCacheKey({ ...parts, questionText: 'Is it blurry?' }), base);
    assert.notEqual(answerCacheKey({ ...parts, model: 'other' }), base);
    assert.notEqual(answerCacheKey({ ...parts, temperature: 0.7 }), base);
    assert.notEqual(answerCacheKey({ ...parts, reasoning: false }), base);
    assert.notEqual(answerCacheKey({ ...parts, answerTemplateHash: 'u' }), base);
    assert.notEqual(answerCacheKey({ ...parts, sampling: { ...parts.sampling, fps: 1 } }), base);
  });

  it('answers cached before P(answer) was read over token paths are not reused', () => {
    // The key as it was computed before the reading changed (no `reading` part).
    const { videoSha256: _, ...rest } = parts;
    const before = createHash('sha256')
      .update(JSON.stringify({ ...rest, questionText: rest.questionText.trim() }))
      .digest('hex');
    assert.notEqual(answerCacheKey(parts), before);
  });

  it('persists successful answers across instances, skips failures and torn lines', async () => {
    const dir = await tmp();
    const key = answerCacheKey(parts);
    const a = new AnswerCache(dir);
    await a.put('v', key, answered('q1', 'Is it sharp?', 0.75));
    await a.put('v', 'failed-key', answered('q2', 'x', null));
    await writeFile(path.join(dir, 'v.jsonl'), (await readFile(path.join(dir, 'v.jsonl'), 'utf8')) + '{"key":"torn","ans');
    const b = new AnswerCache(dir);
    assert.equal((await b.get('v', key))!.pYes, 0.75);
    assert.equal(await b.get('v', 'failed-key'), undefined);
    assert.equal(await b.get('v', 'torn'), undefined);
    assert.equal(await new AnswerCache(dir, { read: false }).get('v', key), undefined);
  });
});
