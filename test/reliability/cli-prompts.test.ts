// Bad prompts and manifests through the real `finger score` CLI: one folder per case, all scored by
// ONE run. A bad prompt is named with what to do; it costs no request; the other folders are scored.
//
// [reliability:prompts]
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEndpointDouble, type EndpointDouble } from '../double/endpoint-double';
import { makeClip, makeTempDir } from '../helpers/clips';
import { buildCli, cleanEnv, runCli, type CliRun } from '../helpers/cli';
import { ResultSchema } from '../../src/core/types';
import { assertNoStack, assertResultsIntact, MODEL, parseSummary, type Summary } from './helpers';

const CSV_PROMPT = 'A chef, smiling, slices a "ripe" tomato\non a wooden board';

describe('finger score with bad prompts and manifests [reliability:prompts]', () => {
  let double: EndpointDouble;
  let ws: string;
  let run: CliRun;
  let summary: Summary;
  const row = (folder: string) => {
    const r = summary.results.find((x) => x.video === `${folder}/clip.mp4`);
    assert.ok(r, `row for ${folder}/clip.mp4`);
    return r;
  };

  before(async () => {
    await buildCli();
    double = await startEndpointDouble();
    ws = await makeTempDir('finger-rel-prompts');
    const clip = await makeClip(ws, 'base.mp4', { durationSec: 1 });
    const folder = async (name: string, files: Record<string, string | Buffer> = {}) => {
      await mkdir(path.join(ws, name));
      await copyFile(clip, path.join(ws, name, 'clip.mp4'));
      for (const [f, content] of Object.entries(files)) await writeFile(path.join(ws, name, f), content);
    };
    await folder('good', { 'clip.txt': 'A red ball bounces on a wooden floor\n' });
    await folder('missing');
    await folder('empty', { 'clip.txt': '' });
    await folder('whitespace', { 'clip.txt': '  \n\t  \r\n   \n' });
    await folder('huge', { 'clip.txt': 'a red ball '.repeat((200 * 1024) / 11 + 1) });
    await folder('binary', {
      'clip.txt': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
    });
    await folder('bad-utf8', {
      'clip.txt': Buffer.concat([Buffer.from('A red ball '), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from(' bounces')]),
    });
    await folder('json-malformed', { 'prompts.json': '{\n  "clip.mp4": "A red ball",\n  "other.mp4": "A blue ball"\n' });
    await folder('jsonl-bad-line', {
      'prompts.jsonl':
        '{"video": "x.mp4", "prompt": "first"}\n{"video": "clip.mp4", prompt: oops}\n{"video": "y.mp4", "prompt": "third"}\n',
    });
    await folder('csv-quoted', {
      'prompts.csv': `video,prompt\nother.mp4,"A dog, running"\nclip.mp4,"${CSV_PROMPT.replace(/"/g, '""')}"\n`,
    });
    await folder('duplicate-keys', { 'prompts.json': '{\n  "clip.mp4": "A red ball",\n  "./clip.mp4": "A blue ball"\n}\n' });
    run = await runCli(['score', '.', '--json', '--timeout', '30'], {
      cwd: ws,
      env: cleanEnv({ FINGER_ENDPOINT: double.url, FINGER_MODEL: MODEL }),
    });
    summary = parseSummary(run);
  });
  after(() => double?.close());

  const fails = (folder: string, file: string, message: RegExp, hint: RegExp) => async () => {
    const r = row(folder);
    assert.ok(r.error, `${folder} fails`);
    assert.ok(r.error.includes(path.join(ws, folder, file)), `names ${folder}/${file}: ${r.error}`);
    assert.match(r.error, message);
    assert.match(r.error, hint, `says what to do: ${r.error}`);
    assert.equal(r.resultFile, null);
    assertNoStack(run.stderr, 'stderr');
  };

  it('the run goes on past every bad prompt: exit 1, the good folders scored, no stack trace', async () => {
    assert.equal(run.code, 1, run.stderr);
    assertNoStack(run.stderr, 'stderr');
    assert.equal(row('good').error, null);
    await assertResultsIntact(ws);
    // A bad prompt costs no request: only the two good folders asked for entities.
    assert.equal(double.chatRequests().filter((r) => r.kind === 'entities').length, 2);
  });

  it(
    'a missing prompt lists where it looked and how to add one',
    fails('missing', 'clip.mp4', /No prompt found/, /Create clip\.txt|prompts\.json/),
  );
  it('an empty prompt file', fails('empty', 'clip.txt', /empty/, /Write the text-to-video prompt/));
  it('a whitespace-only prompt file', fails('whitespace', 'clip.txt', /empty/, /Write the text-to-video prompt/));
  it('a 200 KB prompt file', fails('huge', 'clip.txt', /limit/, /Shorten|check that this is/i));
  it('a binary prompt file', fails('binary', 'clip.txt', /binary/, /plain UTF-8/));
  it('a prompt file that is not valid UTF-8', fails('bad-utf8', 'clip.txt', /UTF-8/, /Save it with UTF-8/));
  it('a malformed prompts.json gives its line', fails('json-malformed', 'prompts.json', /JSON|line \d/i, /Fix/));
  it('a prompts.jsonl with one bad line names that line', fails('jsonl-bad-line', 'prompts.jsonl', /line 2/, /Fix the manifest/));
  it(
    'a prompts.json with the same video twice names both lines',
    fails('duplicate-keys', 'prompts.json', /listed twice \(lines 2 and 3\)/, /Keep one entry/),
  );

  it('a prompts.csv with quoted commas, quotes and newlines gives the exact prompt', async () => {
    const r = row('csv-quoted');
    assert.equal(r.error, null, r.error ?? '');
    const result = ResultSchema.parse(JSON.parse(await readFile(r.resultFile!, 'utf8')));
    assert.equal(result.prompt, CSV_PROMPT);
  });
});
