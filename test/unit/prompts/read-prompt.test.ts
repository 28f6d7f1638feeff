import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findVideoForPromptFile, isPromptFile, MAX_PROMPT_CHARS, parsePromptManifest, readPrompt } from '../../../src/core/prompts';
import { rejectsWithFingerError } from '../../helpers/assert';
import { useTempRoot } from '../../helpers/temp';

const temp = useTempRoot('finger-prompts');
/** A fresh workspace folder per test, with the given files (string or bytes). */
const workspace = (files: Record<string, string | Uint8Array>) => temp.workspace(files);

describe('readPrompt: sidecars', () => {
  it('reads clip.txt next to clip.mp4, trimmed', async () => {
    const ws = await workspace({ 'clip.mp4': 'v', 'clip.txt': '\n  A red fox jumps.  \n' });
    const r = await readPrompt(join(ws, 'clip.mp4'), ws);
    assert.equal(r.prompt, 'A red fox jumps.');
    assert.deepEqual(r.source, { kind: 'sidecar', file: join(ws, 'clip.txt') });
  });

  it('prefers .txt over .prompt over .md', async () => {
    const ws = await workspace({ 'a.mp4': '', 'a.prompt': 'from prompt', 'a.md': 'from md' });
    assert.equal((await readPrompt(join(ws, 'a.mp4'), ws)).prompt, 'from prompt');
    await writeFile(join(ws, 'a.txt'), 'from txt');
    assert.equal((await readPrompt(join(ws, 'a.mp4'), ws)).prompt, 'from txt');
    const ws2 = await workspace({ 'b.webm': '', 'b.md': '# from md' });
    assert.equal((await readPrompt(join(ws2, 'b.webm'), ws2)).prompt, '# from md');
  });

  it('a sidecar beats a manifest in the same folder', async () => {
    const ws = await workspace({ 'c.mp4': '', 'c.txt': 'sidecar', 'prompts.json': '{"c.mp4": "manifest"}' });
    assert.equal((await readPrompt(join(ws, 'c.mp4'), ws)).prompt, 'sidecar');
  });

  it('decodes UTF-8 with a BOM and UTF-16LE with a BOM', async () => {
    const ws = await workspace({
      'u8.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Café au lait')]),
      'u16.txt': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Ünïcode fox', 'utf16le')]),
    });
    assert.equal((await readPrompt(join(ws, 'u8.mp4'), ws)).prompt, 'Café au lait');
    assert.equal((await readPrompt(join(ws, 'u16.mp4'), ws)).prompt, 'Ünïcode fox');
  });

  it('rejects an empty sidecar, naming the file', async () => {
    const ws = await workspace({ 'e.txt': '  \n\t ', 'prompts.json': '{"e.mp4": "would be used otherwise"}' });
    await rejectsWithFingerError(readPrompt(join(ws, 'e.mp4'), ws), (e) => {
      assert.equal(e.file, join(ws, 'e.txt'));
      assert.match(e.message, /empty/);
    });
  });

  it('rejects binary and invalid UTF-8 sidecars', async () => {
    const ws = await workspace({
      'bin.txt': Buffer.from([0x41, 0x00, 0x42, 0x43]),
      'bad.txt': Buffer.from([0x41, 0xc3, 0x28, 0x42]),
    });
    await rejectsWithFingerError(readPrompt(join(ws, 'bin.mp4'), ws), (e) => {
      assert.equal(e.file, join(ws, 'bin.txt'));
      assert.match(e.message, /binary/);
    });
    await rejectsWithFingerError(readPrompt(join(ws, 'bad.mp4'), ws), (e) => {
      assert.equal(e.file, join(ws, 'bad.txt'));
      assert.match(e.message, /UTF-8/);
      assert.match(e.hint ?? '', /UTF-8/);
    });
  });

  it('rejects prompts over the length cap, accepts one at the cap', async () => {
    const ws = await workspace({ 'big.txt': 'x'.repeat(MAX_PROMPT_CHARS + 1), 'ok.txt': 'y'.repeat(MAX_PROMPT_CHARS) });
    await rejectsWithFingerError(readPrompt(join(ws, 'big.mp4'), ws), (e) => {
      assert.match(e.message, new RegExp(`${MAX_PROMPT_CHARS + 1} characters`));
    });
    assert.equal((await readPrompt(join(ws, 'ok.mp4'), ws)).prompt.length, MAX_PROMPT_CHARS);
  });
});

describe('readPrompt: manifests', () => {
  it('prompts.json object keyed by file name', async () => {
    const ws = await workspace({ 'prompts.json': '{\n  "a.mp4": " Prompt A ",\n  "b.mp4": "Prompt B"\n}' });
    const r = await readPrompt(join(ws, 'b.mp4'), ws);
    assert.equal(r.prompt, 'Prompt B');
    assert.deepEqual(r.source, { kind: 'manifest', file: join(ws, 'prompts.json'), key: 'b.mp4', line: 3 });
  });

  it('prompts.json array with any of the accepted field names', async () => {
    const ws = await workspace({
      'prompts.json': JSON.stringify([
        { video: 'a.mp4', prompt: 'A' },
        { file: 'b.mp4', text: 'B' },
        { path: 'sub/c.mp4', caption: 'C' },
        { Name: 'd.mp4', Prompt: 'D' },
      ]),
    });
    assert.equal((await readPrompt(join(ws, 'a.mp4'), ws)).prompt, 'A');
    assert.equal((await readPrompt(join(ws, 'b.mp4'), ws)).prompt, 'B');
    assert.equal((await readPrompt(join(ws, 'sub', 'c.mp4'), ws)).prompt, 'C');
    assert.equal((await readPrompt(join(ws, 'd.mp4'), ws)).prompt, 'D');
  });

  it('prompts.jsonl, one object per line, with the line of the entry', async () => {
    const ws = await workspace({ 'v/prompts.jsonl': '{"video":"x.mp4","prompt":"X"}\n\n{"video":"y.mp4","prompt":"Y"}\n' });
    const r = await readPrompt(join(ws, 'v', 'y.mp4'), ws);
    assert.equal(r.prompt, 'Y');
    assert.equal(r.source.line, 3);
  });

  it('prompts.csv with quoted commas, quotes and newlines (line endings normalised)', async () => {
    const csv = 'id,Video,Prompt\r\n1,a.mp4,"A cat, a dog, and a ""quoted"" word"\r\n2,b.mp4,"line one\r\nline two"\r\n3,c.mp4,plain\r\n';
    const ws = await workspace({ 'prompts.csv': csv });
    const mixed = await workspace({ 'prompts.csv': 'video,prompt\n\na.mp4,"x\r\ny"\r\n\nb.mp4,B\r' });
    const b = await readPrompt(join(mixed, 'b.mp4'), mixed);
    assert.deepEqual([b.prompt, b.source.line], ['B', 6]);
    assert.equal((await readPrompt(join(ws, 'a.mp4'), ws)).prompt, 'A cat, a dog, and a "quoted" word');
    assert.equal((await readPrompt(join(ws, 'b.mp4'), ws)).prompt, 'line one\nline two');
    const c = await readPrompt(join(ws, 'c.mp4'), ws);
    assert.equal(c.prompt, 'plain');
    assert.equal(c.source.line, 5);
  });

  it('walks up to ancestors, nearest manifest first, and matches relative paths with either slash', async () => {
    const ws = await workspace({
      'prompts.json': JSON.stringify({ 'clips\\deep\\k.mp4': 'root by path', 'far.mp4': 'root by name' }),
      'clips/prompts.csv': 'video,prompt\nnear.mp4,near one\n',
    });
    assert.equal((await readPrompt(join(ws, 'clips', 'deep', 'k.mp4'), ws)).prompt, 'root by path');
    assert.equal((await readPrompt(join(ws, 'clips', 'near.mp4'), ws)).prompt, 'near one');
    // A bare file name in an ancestor manifest matches a video of that name below it.
    assert.equal((await readPrompt(join(ws, 'clips', 'deep', 'far.mp4'), ws)).prompt, 'root by name');
  });

  it('an exact relative path beats a bare file name in the same manifest', async () => {
    const ws = await workspace({ 'prompts.json': JSON.stringify({ 'a.mp4': 'by name', './s/a.mp4': 'by path' }) });
    assert.equal((await readPrompt(join(ws, 's', 'a.mp4'), ws)).prompt, 'by path');
  });

  it('never reads manifests above the workspace root', async () => {
    const outer = await workspace({ 'prompts.json': '{"v.mp4": "outside"}' });
    const ws = join(outer, 'inner');
    await mkdir(ws);
    await rejectsWithFingerError(readPrompt(join(ws, 'v.mp4'), ws), (e) => {
      assert.match(e.message, /No prompt found for v\.mp4/);
      assert.ok(!e.message.includes(join(outer, 'prompts.json')), e.message);
      assert.ok(e.message.includes(join(ws, 'prompts.csv')), e.message);
      assert.match(e.hint ?? '', /v\.txt/);
    });
  });

  it('ignores keys that resolve outside the workspace', async () => {
    const ws = await workspace({ 'sub/prompts.json': JSON.stringify({ '../../etc/x.mp4': 'escape' }) });
    await rejectsWithFingerError(readPrompt(join(ws, 'sub', 'x.mp4'), ws), (e) => assert.match(e.message, /No prompt found/));
  });

  it('reports an empty prompt in a manifest with its line', async () => {
    const ws = await workspace({ 'prompts.jsonl': '{"video":"a.mp4","prompt":"A"}\n{"video":"b.mp4","prompt":"   "}\n' });
    await rejectsWithFingerError(readPrompt(join(ws, 'b.mp4'), ws), (e) => {
      assert.equal(e.file, join(ws, 'prompts.jsonl'));
      assert.equal(e.options.line, 2);
      assert.match(e.message, /empty/);
    });
  });

  it('reports malformed manifests with the place of the error', async () => {
    const json = await workspace({ 'prompts.json': '{\n  "a.mp4": "A",\n  "b.mp4": "B",\n}' });
    await rejectsWithFingerError(readPrompt(join(json, 'a.mp4'), json), (e) => {
      assert.equal(e.file, join(json, 'prompts.json'));
      assert.equal(e.options.line, 4);
      assert.match(e.message, /line 4, column 1/);
    });
    const jsonl = await workspace({ 'prompts.jsonl': '{"video":"a.mp4","prompt":"A"}\n{"video": "b.mp4", prompt}\n' });
    await rejectsWithFingerError(readPrompt(join(jsonl, 'a.mp4'), jsonl), (e) => {
      assert.equal(e.options.line, 2);
      assert.match(e.message, /^line 2: /);
    });
    const csv = await workspace({ 'prompts.csv': 'video,prompt\na.mp4,A\nb.mp4,"unterminated\n' });
    await rejectsWithFingerError(readPrompt(join(csv, 'a.mp4'), csv), (e) => {
      assert.equal(e.file, join(csv, 'prompts.csv'));
      assert.equal(e.options.line, 3);
    });
    const header = await workspace({ 'prompts.csv': 'clip_id,description\na.mp4,A\n' });
    await rejectsWithFingerError(readPrompt(join(header, 'a.mp4'), header), (e) => assert.match(e.message, /header row/));
  });

  it('rejects duplicate keys, naming the key and both lines', async () => {
    const obj = await workspace({ 'prompts.json': '{\n"a.mp4": "one",\n"b.mp4": "B",\n"a.mp4": "two"\n}' });
    await rejectsWithFingerError(readPrompt(join(obj, 'b.mp4'), obj), (e) => {
      assert.match(e.message, /"a\.mp4" is listed twice \(lines 2 and 4\)/);
    });
    const csv = await workspace({ 'prompts.csv': 'video,prompt\n./x.mp4,"multi\nline"\nx.mp4,again\n' });
    await rejectsWithFingerError(readPrompt(join(csv, 'x.mp4'), csv), (e) => assert.match(e.message, /lines 2 and 4/));
  });

  it('when nothing matches, lists the sidecars and manifests it looked in', async () => {
    const ws = await workspace({ 'a/prompts.json': '{"other.mp4": "x"}' });
    await rejectsWithFingerError(readPrompt(join(ws, 'a', 'clip.mov'), ws), (e) => {
      for (const p of ['a/clip.txt', 'a/clip.prompt', 'a/clip.md', 'a/prompts.json', 'prompts.jsonl']) {
        assert.ok(e.message.includes(join(ws, p)), `${p} missing from: ${e.message}`);
      }
    });
  });
});

describe('parsePromptManifest', () => {
  it('gives every entry its line', () => {
    const entries = parsePromptManifest(
      '[\n {"video": "a.mp4", "prompt": "A"},\n\n {"video": "b.mp4", "prompt": "B"}\n]',
      '/x/prompts.json',
    );
    assert.deepEqual(
      entries.map((e) => [e.key, e.line]),
      [
        ['a.mp4', 2],
        ['b.mp4', 4],
      ],
    );
  });
  it('rejects an entry without a prompt', () => {
    assert.throws(() => parsePromptManifest('[{"video": "a.mp4"}]', '/x/prompts.json'), /no prompt string/);
  });
});

describe('prompt files and their videos', () => {
  it('finds the video of a sidecar, and nothing for manifests or orphans', async () => {
    const ws = await workspace({ 'clip.webm': 'v', 'clip.mp4': 'v', 'clip.txt': 'p', 'lonely.md': 'p', 'prompts.json': '{}' });
    assert.equal(await findVideoForPromptFile(join(ws, 'clip.txt')), join(ws, 'clip.mp4'));
    assert.equal(await findVideoForPromptFile(join(ws, 'lonely.md')), undefined);
    assert.equal(await findVideoForPromptFile(join(ws, 'prompts.json')), undefined);
    assert.equal(await findVideoForPromptFile(join(ws, 'missing', 'x.txt')), undefined);
  });
  it('isPromptFile knows sidecars and manifests', () => {
    assert.ok(isPromptFile('/a/clip.txt'));
    assert.ok(isPromptFile('/a/clip.PROMPT'));
    assert.ok(isPromptFile('/a/notes.md'));
    assert.ok(isPromptFile('/a/prompts.csv'));
    assert.ok(!isPromptFile('/a/clip.mp4'));
    assert.ok(!isPromptFile('/a/other.json'));
  });
});
