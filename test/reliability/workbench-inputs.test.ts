// Bad input for the workbench commands (compare, best-of-n, agreement, export, report --format
// html) through the real CLI: an empty folder, one model only, prompts without a partner, broken
// result files, clips that cannot be grouped. Each gets a clear message naming what is wrong, the
// usable clips are still used, and nothing saved is touched.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { buildCli, runCli } from '../helpers/cli';
import { useTempRoot } from '../helpers/temp';
import { answeredQuestion, resultFor } from '../fixtures/results/generate';
import { assertNoStack } from './helpers';

const root = useTempRoot('finger-wb-bad-');

function result(video: string, prompt: string, p: number): string {
  return JSON.stringify(
    resultFor(video, prompt, [
      answeredQuestion('q1', 'visual_quality', 'car', 'Is the car intact?', p, 'r'),
      answeredQuestion('q2', 'text_alignment', 'car', 'Is the car red?', p, 'r'),
    ]),
  );
}

/** Results for `clips` (video → [prompt, p]); `extra` files as they are. */
function ws(clips: Record<string, [string, number]>, extra: Record<string, string> = {}): Promise<string> {
  const files: Record<string, string> = {};
  for (const [v, [prompt, p]] of Object.entries(clips)) files[`.finger/results/${v}.json`] = result(v, prompt, p);
  return root.workspace({ ...files, ...extra });
}

const twoModels = {
  'out/a/p1.mp4': ['A red car', 0.8],
  'out/b/p1.mp4': ['A red car', 0.4],
  'out/a/p2.mp4': ['A dog', 0.6],
  'out/b/p2.mp4': ['A dog', 0.7],
} as Record<string, [string, number]>;

async function run(args: string[], cwd: string) {
  const r = await runCli(args, { cwd });
  assertNoStack(r.stderr, `finger ${args.join(' ')}`);
  return r;
}

describe('workbench commands on bad input', () => {
  before(() => buildCli());

  it('an empty folder: compare, best-of-n, export and report html say there is nothing scored there (exit 2)', async () => {
    const dir = await ws({}, { 'empty/.keep': '' });
    for (const args of [
      ['compare', 'empty'],
      ['best-of-n', 'empty'],
      ['export', '--format', 'jsonl', '--out', 'x.jsonl', '--folder', 'empty'],
      ['report', '--format', 'html', '--out', 'r.html'],
    ]) {
      const r = await run(args, dir);
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /(empty|\.finger\/results): has no (scored clips|results)/, args[0]);
      assert.match(r.stderr, /finger score/, args[0]);
    }
    await assert.rejects(readFile(path.join(dir, 'x.jsonl')), 'no export file written');
    const missing = await run(['compare', 'no-such-folder'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-such-folder: does not exist/);
    const agreement = await run(['agreement', '--human', 'h.csv'], await ws({}, { 'h.csv': 'video,score\na.mp4,1\nb.mp4,2\n' }));
    assert.equal(agreement.code, 1);
    assert.match(
      agreement.stdout,
      /over 0 videos[\s\S]*needs at least 2 scored pairs, found 0[\s\S]*human scores without a result \(2\): a\.mp4, b\.mp4/,
    );
  });

  it('one model only: compare refuses and says how to lay out models; best-of-n, export and report html still work', async () => {
    const dir = await ws({ 'out/a/p1.mp4': ['A red car', 0.8], 'out/a/p2.mp4': ['A dog', 0.5] });
    const c = await run(['compare', 'out'], dir);
    assert.equal(c.code, 2);
    assert.match(
      c.stderr,
      /only one model \(a\) was found under out: comparing needs two or more\. Put each model's clips in its own folder/,
    );
    const b = await run(['best-of-n', 'out'], dir);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /every prompt has only one scored clip per model/);
    const e = await run(['export', '--format', 'jsonl', '--out', 'x.jsonl', '--preferences', 'pairs.jsonl'], dir);
    assert.equal(e.code, 1, 'no preference pair is a problem worth the exit status');
    assert.match(e.stderr, /no preference pairs: no prompt has two clips with different scores/);
    assert.equal((await readFile(path.join(dir, 'x.jsonl'), 'utf8')).trim().split('\n').length, 4);
    const h = await run(['report', '--format', 'html', '--out', 'r.html'], dir);
    assert.equal(h.code, 0, h.stderr);
    assert.match(await readFile(path.join(dir, 'r.html'), 'utf8'), /All clips come from one model \(a\), so there is nothing to rank/);
  });

  it('prompts without a partner: named and left out of the comparison; none with a partner is an error naming them', async () => {
    const dir = await ws({ ...twoModels, 'out/a/p3.mp4': ['A cat', 0.9], 'out/b/p4.mp4': ['A bird', 0.1] });
    const c = await run(['compare', 'out', '--format', 'json'], dir);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).promptsCompared, 2);
    assert.match(c.stderr, /prompt p3 has no scored clip of b; left out of the comparison/);
    assert.match(c.stderr, /prompt p4 has no scored clip of a; left out/);
    const none = await ws({
      'out/a/p1.mp4': ['A red car', 0.8],
      'out/b/p2.mp4': ['A dog', 0.4],
      'out/a/x/p9.mp4': ['A cat', 0.3],
      'out/b/x/p9.mp4': ['A cat', 0.2],
    });
    // p9 pairs up: compared. Now with no shared prompt at all:
    const lonely = await ws({ 'out/a/p1.mp4': ['A red car', 0.8], 'out/b/p2.mp4': ['A dog', 0.4] });
    const r = await run(['compare', 'out'], lonely);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no prompt has a scored clip of every model \(a, b\).*A dog \(no a\).*A red car \(no b\)/);
    assert.equal((await run(['compare', 'out'], none)).code, 0);
    const b = await run(['best-of-n', 'out', '--across'], dir);
    assert.equal(b.code, 0);
    assert.equal(b.stdout.trim().split('\n').length, 1 + 4, 'every prompt gets a pick, partnered or not');
  });

  it('broken result files: named, left out, exit 1; the rest is used and the file is not touched', async () => {
    const broken = '{"version": 1, "overall": "half';
    const dir = await ws(
      { ...twoModels, 'out/a/p3.mp4': ['A cat', 0.9], 'out/b/p3.mp4': ['A cat', 0.2] },
      { '.finger/results/out/b/p2.mp4.json': broken },
    );
    const c = await run(['compare', 'out', '--format', 'json'], dir);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /out\/b\/p2\.mp4\.json.*not valid JSON.*left out of the comparison/);
    assert.equal(JSON.parse(c.stdout).promptsCompared, 2, 'p1 and p3');
    const b = await run(['best-of-n', 'out'], dir);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /p2\.mp4\.json.*left out of the picks/);
    const e = await run(['export', '--format', 'csv', '--out', 'x.csv'], dir);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /p2\.mp4\.json.*not exported/);
    const h = await run(['report', '--format', 'html', '--out', 'r.html'], dir);
    assert.equal(h.code, 1);
    assert.match(h.stderr, /p2\.mp4\.json/);
    assert.match(await readFile(path.join(dir, 'r.html'), 'utf8'), /out\/a\/p3\.mp4/);
    const a = await run(
      ['agreement', '--human', 'h.csv'],
      await ws(twoModels, {
        '.finger/results/out/zz.mp4.json': broken,
        'h.csv': 'video,score\nout/a/p1.mp4,1\nout/b/p1.mp4,3\nout/a/p2.mp4,2\n',
      }),
    );
    assert.equal(a.code, 0);
    assert.match(a.stderr, /zz\.mp4\.json.*\(left out\)/);
    assert.equal(await readFile(path.join(dir, '.finger/results/out/b/p2.mp4.json'), 'utf8'), broken);
  });

  it('clips that cannot be grouped: the same path under two models with different prompts is named', async () => {
    const dir = await ws({ 'out/a/p1.mp4': ['A red car', 0.8], 'out/b/p1.mp4': ['A blue car', 0.4] });
    for (const cmd of ['compare', 'best-of-n']) {
      const r = await run([cmd, 'out'], dir);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /grouped as one prompt but their prompt texts differ.*p1: out\/a\/p1\.mp4, out\/b\/p1\.mp4.*rename the files or give the manifest a prompt_id column/,
      );
    }
  });

  it('a broken labels file leaves that clip out of the export instead of exporting uncorrected answers', async () => {
    const dir = await ws(twoModels, { '.finger/labels/out/a/p1.mp4.json': '{"version": 1, "video": 3' });
    await mkdir(path.join(dir, 'o'));
    const e = await run(['export', '--format', 'jsonl', '--out', 'o/x.jsonl'], dir);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /labels\/out\/a\/p1\.mp4\.json.*out\/a\/p1\.mp4 not exported until its labels file is fixed/);
    const rows = (await readFile(path.join(dir, 'o/x.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(rows.every((r) => r.video !== '../out/a/p1.mp4'));
    assert.equal(rows.length, 6);
  });
});
