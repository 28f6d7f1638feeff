// `finger export` on clips scored by the real CLI against the endpoint double, with answers a
// person corrected: the samples carry the system text and question exactly as the judge received
// them, the human answer and note, and the output follows LLaMA-Factory's data format as its
// data/README.md documents it (hiyouga/LLaMA-Factory: sharegpt formatting with a `videos` column,
// one `<video>` token per video, user/assistant turns at odd/even positions, the system prompt
// as the first message with `system_tag`, and the dataset_info.json `columns` and `tags`).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { startEndpointDouble, type EndpointDouble } from '../../double/endpoint-double';
import { makeClip, makeTempDir, removeTempDir } from '../../helpers/clips';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';
import { ResultSchema, type Result } from '../../../src/core/types';

interface DatasetAttr {
  file_name: string;
  formatting?: string;
  ranking?: boolean;
  columns?: Record<string, string>;
  tags?: Record<string, string>;
}

/** The checks LLaMA-Factory's data/README.md states for a multimodal video sharegpt dataset, with
 *  its defaults (messages: conversations; role_tag from, content_tag value, user_tag human,
 *  assistant_tag gpt, system_tag system). Returns the problems found. */
function llamaFactoryProblems(rows: unknown, attr: DatasetAttr): string[] {
  const problems: string[] = [];
  if (attr.formatting !== 'sharegpt') problems.push('formatting must be sharegpt for multimodal data');
  const col = {
    messages: 'conversations',
    system: undefined as string | undefined,
    videos: undefined as string | undefined,
    ...attr.columns,
  };
  const tag = {
    role_tag: 'from',
    content_tag: 'value',
    user_tag: 'human',
    assistant_tag: 'gpt',
    observation_tag: 'observation',
    function_tag: 'function_call',
    system_tag: 'system',
    ...attr.tags,
  };
  if (!col.videos) problems.push('a video dataset needs columns.videos');
  if (!Array.isArray(rows)) return [...problems, 'the file must hold a list of samples'];
  rows.forEach((row: Record<string, unknown>, i) => {
    let messages = row[col.messages] as Record<string, string>[];
    if (!Array.isArray(messages)) return problems.push(`sample ${i}: no ${col.messages} list`);
    if (messages[0]?.[tag.role_tag] === tag.system_tag) messages = messages.slice(1);
    else if (col.system && typeof row[col.system] !== 'string') problems.push(`sample ${i}: no system text`);
    messages.forEach((m, t) => {
      const allowed = t % 2 === 0 ? [tag.user_tag, tag.observation_tag] : [tag.assistant_tag, tag.function_tag];
      if (!allowed.includes(m[tag.role_tag]!)) problems.push(`sample ${i}: turn ${t} has role ${m[tag.role_tag]}`);
      if (typeof m[tag.content_tag] !== 'string') problems.push(`sample ${i}: turn ${t} has no ${tag.content_tag}`);
    });
    if (messages.length % 2 !== 0) problems.push(`sample ${i}: odd number of turns`);
    const videos = row[col.videos!] as unknown[];
    const tokens = messages.reduce((n, m) => n + (m[tag.content_tag]!.match(/<video>/g)?.length ?? 0), 0);
    if (!Array.isArray(videos) || videos.length !== tokens)
      problems.push(`sample ${i}: ${tokens} <video> tokens for ${Array.isArray(videos) ? videos.length : 0} videos`);
  });
  return problems;
}

describe('finger export', () => {
  let double: EndpointDouble;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  const results: Record<string, Result> = {};

  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    env = cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: 'Qwen/Qwen2.5-VL-7B-Instruct' });
    ws = await makeTempDir('finger-export-');
    for (const m of ['m1', 'm2']) {
      await mkdir(path.join(ws, 'gen', m), { recursive: true });
      for (const [i, p] of ['A dog runs on the beach', 'A red car drives through the city'].entries()) {
        await makeClip(path.join(ws, 'gen', m), `c${i}.mp4`, {
          durationSec: 0.5,
          width: 96,
          height: 64,
          source: m === 'm1' ? 'testsrc2' : 'smptebars',
        });
        await writeFile(path.join(ws, 'gen', m, `c${i}.txt`), p);
      }
    }
    double.setOptions({ answers: {} });
    assert.equal((await runCli(['score', 'gen/m1'], { cwd: ws, env })).code, 0);
    double.setOptions({ answers: { 'rendered clearly': { pYes: 0.97 } } });
    assert.equal((await runCli(['score', 'gen/m2'], { cwd: ws, env })).code, 0);
    for (const v of ['gen/m1/c0.mp4', 'gen/m1/c1.mp4', 'gen/m2/c0.mp4', 'gen/m2/c1.mp4']) {
      results[v] = ResultSchema.parse(JSON.parse(await readFile(path.join(ws, '.finger/results', `${v}.json`), 'utf8')));
    }
    // A person corrects two answers of gen/m1/c0.mp4: one with a note, one without.
    const qs = results['gen/m1/c0.mp4']!.questions;
    const flip = (a: string | null) => (a === 'Yes' ? 'No' : 'Yes');
    await mkdir(path.join(ws, '.finger/labels/gen/m1'), { recursive: true });
    await writeFile(
      path.join(ws, '.finger/labels/gen/m1/c0.mp4.json'),
      JSON.stringify({
        version: 1,
        video: 'gen/m1/c0.mp4',
        overrides: [
          {
            questionId: qs[0]!.id,
            questionText: qs[0]!.text,
            answer: flip(qs[0]!.answer),
            note: "The dog's legs merge in frames 3-5.",
            updatedAt: '2026-01-01T00:00:00.000Z',
          },
          { questionId: qs[1]!.id, questionText: qs[1]!.text, answer: flip(qs[1]!.answer), updatedAt: '2026-01-01T00:00:00.000Z' },
        ],
      }),
    );
  });
  after(async () => {
    await double.close();
    await removeTempDir(ws);
  });

  it('llamafactory: one sample per question, as the judge saw it, valid for LLaMA-Factory, with its dataset_info.json entry', async () => {
    await mkdir(path.join(ws, 'data'));
    await writeFile(path.join(ws, 'data', 'dataset_info.json'), JSON.stringify({ existing: { file_name: 'x.json' } }));
    const run = await runCli(['export', '--format', 'llamafactory', '--out', 'data/finger_sft.json', '--preferences', 'data/pairs.jsonl'], {
      cwd: ws,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(await readFile(path.join(ws, 'data/finger_sft.json'), 'utf8')) as {
      messages: { role: string; content: string }[];
      videos: string[];
    }[];
    const info = JSON.parse(await readFile(path.join(ws, 'data/dataset_info.json'), 'utf8')) as Record<string, DatasetAttr>;
    assert.deepEqual(info.existing, { file_name: 'x.json' }, 'other datasets are kept');
    assert.equal(info.finger_sft!.file_name, 'finger_sft.json');
    assert.deepEqual(llamaFactoryProblems(rows, info.finger_sft!), []);
    const total = Object.values(results).reduce((n, r) => n + r.questions.length, 0);
    assert.equal(rows.length, total);
    // Video paths relative to the dataset folder (LLaMA-Factory's media_dir defaults to it).
    assert.equal(rows[0]!.videos[0], '../gen/m1/c0.mp4');

    // System text and question exactly as the endpoint received them.
    const asked = new Set(
      double
        .chatRequests()
        .filter((r) => r.kind === 'answer')
        .map((r) => JSON.stringify([r.body.messages[0].content, r.question])),
    );
    for (const row of rows) {
      const question = row.messages[1]!.content.replace(/^<video>/, '');
      assert.ok(asked.has(JSON.stringify([row.messages[0]!.content, question])), `not what the judge saw: ${question.slice(0, 80)}`);
    }
    // Targets: the human answer with the note as the reason; without a note, no reason; else the judge's.
    const c0 = results['gen/m1/c0.mp4']!.questions;
    const flip = (a: string | null) => (a === 'Yes' ? 'No' : 'Yes');
    const forClip = rows.filter((r) => r.videos[0] === '../gen/m1/c0.mp4');
    assert.equal(
      forClip[0]!.messages[2]!.content,
      `<reason>The dog's legs merge in frames 3-5.</reason><answer>${flip(c0[0]!.answer)}</answer>`,
    );
    assert.equal(forClip[1]!.messages[2]!.content, `<reason></reason><answer>${flip(c0[1]!.answer)}</answer>`);
    assert.equal(forClip[2]!.messages[2]!.content, `<reason>${c0[2]!.reason}</reason><answer>${c0[2]!.answer}</answer>`);

    // Preference pairs: per prompt, the better-scored clip of the two models is chosen.
    const pairs = (await readFile(path.join(ws, 'data/pairs.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(pairs.length, 2);
    for (const p of pairs) {
      const [a, b] = [`gen/m1/${p.prompt.includes('dog') ? 'c0' : 'c1'}.mp4`, `gen/m2/${p.prompt.includes('dog') ? 'c0' : 'c1'}.mp4`];
      const best = results[a]!.overall! >= results[b]!.overall! ? a : b;
      assert.equal(p.chosen, `../${best}`);
      assert.ok(p.margin > 0);
    }
  });

  it('sharegpt, --labelled-only: only the corrected answers, valid with the documented defaults', async () => {
    const run = await runCli(['export', '--format', 'sharegpt', '--labelled-only', '--out', 'sg/labelled.json'], { cwd: ws, env });
    assert.equal(run.code, 0, run.stderr);
    const rows = JSON.parse(await readFile(path.join(ws, 'sg/labelled.json'), 'utf8'));
    const info = JSON.parse(await readFile(path.join(ws, 'sg/dataset_info.json'), 'utf8'));
    assert.deepEqual(llamaFactoryProblems(rows, info.labelled), []);
    assert.equal(rows.length, 2);
    assert.equal(rows[0].conversations[0].from, 'human');
    assert.ok(rows[0].conversations[0].value.startsWith('<video>'));
  });

  it('jsonl and csv carry the same samples with their sources', async () => {
    assert.equal((await runCli(['export', '--format', 'jsonl', '--out', 'o/s.jsonl'], { cwd: ws, env })).code, 0);
    assert.equal((await runCli(['export', '--format', 'csv', '--out', 'o/s.csv'], { cwd: ws, env })).code, 0);
    const jl = (await readFile(path.join(ws, 'o/s.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const csv = parse(await readFile(path.join(ws, 'o/s.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(jl.length, csv.length);
    assert.equal(jl.filter((s) => s.answer_source === 'human').length, 2);
    assert.deepEqual(jl.map((s) => s.reason_source).slice(0, 3), ['note', 'none', 'judge']);
    assert.equal(csv[0]!.target, jl[0].target);
    assert.equal(csv[0]!.system, jl[0].system);
  });

  it('refuses a broken dataset_info.json without writing anything', async () => {
    await mkdir(path.join(ws, 'bad'));
    await writeFile(path.join(ws, 'bad', 'dataset_info.json'), '{ not json');
    const run = await runCli(['export', '--format', 'llamafactory', '--out', 'bad/x.json'], { cwd: ws, env });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /bad\/dataset_info\.json: is not a valid dataset_info\.json.*nothing was written/);
    await assert.rejects(readFile(path.join(ws, 'bad', 'x.json')));
    assert.equal(await readFile(path.join(ws, 'bad', 'dataset_info.json'), 'utf8'), '{ not json');
  });
});
