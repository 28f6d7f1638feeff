import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FingerError } from '../../../src/core/errors';
import {
  findManifestEntry,
  locatePromptManifest,
  manifestEntryLookup,
  manifestIsReachedFor,
  parsePromptManifest,
  type LocatedManifestEntry,
} from '../../../src/core/prompts';

/** The file text that `word` (its first occurrence in the entry's prompt) maps to. */
function marked(text: string, e: LocatedManifestEntry, word: string, from = 0): string {
  const i = e.prompt.indexOf(word, from);
  assert.ok(i >= 0, `${JSON.stringify(word)} not in ${JSON.stringify(e.prompt)}`);
  const s = e.offsets.span({ start: i, end: i + word.length });
  return text.slice(s.start, s.end);
}

/** Every prompt character that is written as itself in the file is found at its mapped offset,
 *  offsets never go backwards and stay inside the prompt's span; the key, prompt and line agree
 *  with parsePromptManifest. */
function checkInvariants(text: string, file: string, located: LocatedManifestEntry[]): void {
  const parsed = parsePromptManifest(text, file);
  assert.deepEqual(
    located.map(({ key, normalisedKey, prompt, line }) => ({ key, normalisedKey, prompt, line })),
    parsed,
  );
  for (const e of located) {
    assert.ok(e.entrySpan.start <= e.promptSpan.start && e.promptSpan.end <= e.entrySpan.end, `prompt inside entry for ${e.key}`);
    let last = e.promptSpan.start;
    for (let i = 0; i <= e.prompt.length; i++) {
      const t = e.offsets.toText(i);
      assert.ok(t >= last && t <= e.promptSpan.end, `offset ${i} of ${e.key} is monotone and inside the span`);
      last = t;
    }
    assert.equal(e.offsets.toText(0), e.promptSpan.start);
    assert.equal(e.offsets.toText(e.prompt.length), e.promptSpan.end);
    for (let i = 0; i < e.prompt.length; i++) {
      const t = e.offsets.toText(i);
      const written = e.offsets.toText(i + 1) - t === 1;
      if (written && e.prompt[i] !== '\n') assert.equal(text[t], e.prompt[i], `character ${i} of ${e.key}`);
    }
  }
}

function locate(text: string, file: string): LocatedManifestEntry[] {
  const entries = locatePromptManifest(text, file);
  checkInvariants(text, file, entries);
  return entries;
}

describe('locatePromptManifest: prompts.json', () => {
  it('maps words through JSON escapes: quotes, backslashes, \\n, \\t, \\/ and \\u escapes', () => {
    const text = '{\n  "a.mp4": "A \\"red\\" umbrella\\nand a caf\\u00e9 on a \\/ path\\\\ \\ud83d\\ude00 dog\\tnear a tree"\n}\n';
    const [e] = locate(text, 'prompts.json');
    assert.equal(e!.prompt, 'A "red" umbrella\nand a café on a / path\\ 😀 dog\tnear a tree');
    assert.equal(marked(text, e!, 'red'), 'red');
    assert.equal(marked(text, e!, '"red"'), '\\"red\\"');
    assert.equal(marked(text, e!, 'umbrella\nand'), 'umbrella\\nand');
    assert.equal(marked(text, e!, 'café'), 'caf\\u00e9');
    assert.equal(marked(text, e!, 'dog'), 'dog');
    assert.equal(marked(text, e!, '😀'), '\\ud83d\\ude00');
    assert.equal(marked(text, e!, 'tree'), 'tree');
    assert.equal(text.slice(e!.promptSpan.start - 1, e!.promptSpan.end + 1), text.match(/"A .*tree"/)![0]);
    assert.equal(text.slice(e!.entrySpan.start, e!.entrySpan.end), text.trim().slice(1, -1).trim());
  });

  it('counts characters outside the BMP as two code units (as editors do) and keeps CRLF files right', () => {
    const text = '\uFEFF{\r\n  "🎈.mp4": "🎈🎈 a balloon rises",\r\n  "b.mp4": {"prompt": "a \\"cat\\" sleeps", "seed": 1}\r\n}';
    const [a, b] = locate(text, 'prompts.json');
    assert.equal(marked(text, a!, 'balloon'), 'balloon');
    assert.equal(text.indexOf('balloon'), a!.offsets.toText(a!.prompt.indexOf('balloon')));
    assert.equal(a!.line, 2);
    assert.equal(marked(text, b!, 'cat'), 'cat');
    assert.equal(marked(text, b!, 'sleeps'), 'sleeps');
    assert.equal(b!.line, 3);
    assert.equal(text.slice(b!.entrySpan.start, b!.entrySpan.end), '"b.mp4": {"prompt": "a \\"cat\\" sleeps", "seed": 1}');
  });

  it('reads an array of records: field names in any case, the last of repeated fields (as JSON.parse keeps it)', () => {
    const text = [
      '[',
      '  {"Video": "a.mp4", "Prompt": "a fox"},',
      '  {"file": "b.mp4", "text": "first", "caption": "no", "text": "a wolf in snow"},',
      '  {"prompt": "x", "path": "c.mp4", "Prompt": "a hen", "prompt": "a cow"}',
      ']',
    ].join('\n');
    const [a, b, c] = locate(text, 'prompts.json');
    assert.equal(marked(text, a!, 'fox'), 'fox');
    assert.equal(b!.prompt, 'a wolf in snow');
    assert.equal(marked(text, b!, 'wolf'), 'wolf');
    assert.ok(b!.offsets.toText(2) > text.indexOf('"no"'), 'the last "text" is the one marked');
    // {"prompt","Prompt","prompt"}: pickField's case-insensitive lookup reads "Prompt".
    assert.equal(c!.prompt, 'a hen');
    assert.equal(marked(text, c!, 'hen'), 'hen');
    assert.equal(text.slice(c!.entrySpan.start, c!.entrySpan.end), text.split('\n')[3]!.trim());
  });

  it('refuses a video listed twice, as the scorer does', () => {
    const text = '{"a.mp4": "one", "b.mp4": "two", "./a.mp4": "three"}';
    assert.throws(
      () => locatePromptManifest(text, 'prompts.json'),
      (e: unknown) => e instanceof FingerError && /listed twice/.test(e.message),
    );
    assert.throws(() => parsePromptManifest(text, 'prompts.json'), /listed twice/);
  });
});

describe('locatePromptManifest: prompts.jsonl', () => {
  it('maps words on each line, with CRLF, blank lines, indentation and escapes', () => {
    const text =
      '\uFEFF{"video": "a.mp4", "prompt": "a red \\"kite\\""}\r\n\r\n   {"prompt": "tab\\there: a \\u00fcber dog", "video": "b.mp4"}  \r\n{"video":"c.mp4","prompt":"x"}';
    const [a, b, c] = locate(text, 'prompts.jsonl');
    assert.equal(marked(text, a!, 'kite'), 'kite');
    assert.equal(marked(text, a!, 'red "kite"'), 'red \\"kite\\"');
    assert.equal(marked(text, b!, 'über'), '\\u00fcber');
    assert.equal(marked(text, b!, 'dog'), 'dog');
    assert.equal(b!.line, 3);
    assert.equal(text.slice(b!.entrySpan.start, b!.entrySpan.end), '{"prompt": "tab\\there: a \\u00fcber dog", "video": "b.mp4"}');
    assert.equal(c!.line, 4);
    assert.equal(text.slice(c!.promptSpan.start, c!.promptSpan.end), 'x');
  });

  it('refuses a bad line as the parser does', () => {
    assert.throws(() => locatePromptManifest('{"video": "a.mp4", "prompt": "x"}\n{oops}\n', 'prompts.jsonl'), /line 2/);
  });
});

describe('locatePromptManifest: prompts.csv', () => {
  it('maps words through quoting: commas, doubled quotes and line breaks inside quotes (CRLF file)', () => {
    const text =
      '\uFEFFid,prompt,file\r\n1,"A chef, in a ""tall"" hat,\r\nslices a tomato",clips/a.mp4\r\n\r\n2,plain words here,b.mp4\r\n3,"",c.mp4\r\n';
    const [a, b, c] = locate(text, 'prompts.csv');
    assert.equal(a!.prompt, 'A chef, in a "tall" hat,\nslices a tomato');
    assert.equal(marked(text, a!, 'chef'), 'chef');
    assert.equal(marked(text, a!, '"tall"'), '""tall""');
    assert.equal(marked(text, a!, 'hat,\nslices'), 'hat,\r\nslices');
    assert.equal(marked(text, a!, 'tomato'), 'tomato');
    assert.equal(a!.line, 2);
    assert.equal(text.slice(a!.entrySpan.start, a!.entrySpan.end), '1,"A chef, in a ""tall"" hat,\r\nslices a tomato",clips/a.mp4');
    assert.equal(marked(text, b!, 'words'), 'words');
    assert.equal(b!.line, 5);
    assert.equal(c!.prompt, '');
    assert.equal(text.slice(c!.entrySpan.start, c!.entrySpan.end), '3,"",c.mp4');
  });

  it('handles LF and lone-CR files, a last line without a line break, and unicode', () => {
    const lf = 'video,caption\na.mp4,"naïve 🐱 cat\nsits"\nb.mp4,dog';
    const [a, b] = locate(lf, 'prompts.csv');
    assert.equal(marked(lf, a!, 'cat\nsits'), 'cat\nsits');
    assert.equal(marked(lf, a!, 'naïve'), 'naïve');
    assert.equal(marked(lf, b!, 'dog'), 'dog');
    const cr = 'video,prompt\ra.mp4,"one\rtwo"\rb.mp4,three';
    const [c, d] = locate(cr, 'prompts.csv');
    assert.equal(marked(cr, c!, 'two'), 'two');
    assert.equal(marked(cr, d!, 'three'), 'three');
    assert.equal(d!.line, 4);
  });

  it('refuses duplicates and broken quoting as the parser does', () => {
    assert.throws(() => locatePromptManifest('file,prompt\na.mp4,x\n./a.mp4,y\n', 'prompts.csv'), /listed twice \(lines 2 and 3\)/);
    assert.throws(() => locatePromptManifest('file,prompt\na.mp4,"x\n', 'prompts.csv'), FingerError);
  });
});

describe('manifestEntryLookup', () => {
  it('picks what findManifestEntry picks: exact paths beat bare names, outside-workspace keys ignored', () => {
    const root = '/ws';
    const manifest = '/ws/set/prompts.json';
    const entries = parsePromptManifest(
      JSON.stringify({
        'a.mp4': 'bare a',
        'sub/a.mp4': 'exact sub a',
        'b.mp4': 'bare b',
        '../../etc/c.mp4': 'outside',
        'c.mp4': 'bare c',
        '/ws/set/d.mp4': 'absolute d',
      }),
      manifest,
    );
    const lookup = manifestEntryLookup(entries, manifest, root);
    for (const video of [
      '/ws/set/a.mp4',
      '/ws/set/sub/a.mp4',
      '/ws/set/deep/er/b.mp4',
      '/ws/set/c.mp4',
      '/etc/c.mp4',
      '/ws/set/d.mp4',
      '/ws/other/a.mp4',
      '/ws/a.mp4',
      '/ws/set/e.mp4',
    ]) {
      assert.equal(lookup(video)?.prompt, findManifestEntry(entries, manifest, video, root)?.prompt, video);
    }
    assert.equal(lookup('/ws/set/sub/a.mp4')?.prompt, 'exact sub a');
    assert.equal(lookup('/ws/set/deep/er/b.mp4')?.prompt, 'bare b');
    assert.equal(lookup('/ws/other/a.mp4'), undefined);
  });
});

describe('manifestIsReachedFor', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'finger-manifest-src-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is false when a sidecar or a manifest earlier in the lookup order lists the video', async () => {
    const ws = join(root, 'ws');
    const files: Record<string, string> = {
      'prompts.csv': 'file,prompt\nset/a.mp4,x\nset/b.mp4,y\nset/c.mp4,z\nset/d.mp4,w\n',
      'set/prompts.json': JSON.stringify({ 'b.mp4': 'nearer' }),
      'set/prompts.jsonl': '{"video":"c.mp4","prompt":"jsonl"}\n',
      'set/d.txt': 'sidecar',
      'set/a.mp4': '',
      'set/b.mp4': '',
      'set/c.mp4': '',
      'set/d.mp4': '',
    };
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(join(ws, rel, '..'), { recursive: true });
      await writeFile(join(ws, rel), content);
    }
    const csv = join(ws, 'prompts.csv');
    assert.equal(await manifestIsReachedFor(csv, join(ws, 'set/a.mp4'), ws), true);
    assert.equal(await manifestIsReachedFor(csv, join(ws, 'set/b.mp4'), ws), false, 'set/prompts.json is nearer');
    assert.equal(await manifestIsReachedFor(csv, join(ws, 'set/c.mp4'), ws), false, 'set/prompts.jsonl is nearer');
    assert.equal(await manifestIsReachedFor(csv, join(ws, 'set/d.mp4'), ws), false, 'the sidecar wins');
    assert.equal(await manifestIsReachedFor(join(ws, 'set/prompts.jsonl'), join(ws, 'set/c.mp4'), ws), true);
    assert.equal(
      await manifestIsReachedFor(join(ws, 'set/prompts.jsonl'), join(ws, 'set/b.mp4'), ws),
      false,
      'prompts.json comes first in a folder',
    );
    assert.equal(await manifestIsReachedFor(join(ws, 'set/prompts.json'), join(ws, 'a.mp4'), ws), false, 'not an ancestor of the video');
  });
});
