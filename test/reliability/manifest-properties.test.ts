// Property-based tests of the prompt-manifest readers (prompts.json object and array, prompts.jsonl,
// prompts.csv): thousands of generated manifests read back to exactly the prompts written, at the
// right lines; any text at all either reads or fails with a FingerError naming the file; a
// duplicated video is always refused.
//
// [reliability:properties]
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { FingerError } from '../../src/core/errors';
import { normaliseManifestKey, parsePromptManifest, PROMPT_FIELDS, VIDEO_FIELDS } from '../../src/core/prompts';

const RUNS = 2000;

/** File-name-like keys: unicode, spaces, quotes, commas, sub-folders; unique after normalisation. */
const keyArb = fc
  .tuple(
    fc.array(
      fc
        .stringMatching(/^[\p{L}\p{N} _,'"()&<>.-]{1,12}$/u)
        .filter((s) => s.trim() === s && s !== '.' && s !== '..' && !s.startsWith('./')),
      { minLength: 0, maxLength: 2 },
    ),
    fc.stringMatching(/^[\p{L}\p{N} _,'"()&<>-]{1,16}$/u).filter((s) => s.trim() === s),
    fc.constantFrom('.mp4', '.webm', '.MOV'),
  )
  .map(([dirs, stem, ext]) => [...dirs, stem + ext].join('/'));
/** Any prompt text: unicode, quotes, commas, newlines, tabs, JSON and CSV specials. */
const promptArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r\n', '\\', '{', '}', 'é', '🎬', '\t'), maxLength: 40 }),
);
const manifestArb = fc.uniqueArray(fc.tuple(keyArb, promptArb), { minLength: 1, maxLength: 8, selector: ([k]) => normaliseManifestKey(k) });
const caseOf = (s: string) => fc.constantFrom(s, s.toUpperCase(), s[0]!.toUpperCase() + s.slice(1));

function assertEntries(actual: { key: string; prompt: string; line: number }[], expected: [string, string][]): void {
  assert.deepEqual(
    actual.map((e) => [e.key, e.prompt]),
    expected,
  );
  for (let i = 1; i < actual.length; i++) assert.ok(actual[i]!.line > actual[i - 1]!.line, 'lines increase');
}

describe('manifest readers, property-based [reliability:properties]', () => {
  it(`prompts.json objects read back exactly (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(manifestArb, fc.constantFrom(0, 2, '\t'), fc.boolean(), (pairs, indent, bom) => {
        const text = (bom ? '\uFEFF' : '') + JSON.stringify(Object.fromEntries(pairs), null, indent);
        const entries = parsePromptManifest(text, '/ws/prompts.json');
        // JSON.parse orders integer-like keys first; compare as sets, lines per key.
        assert.deepEqual(new Map(entries.map((e) => [e.key, e.prompt])), new Map(pairs));
        if (indent !== 0) {
          const lines = text.replace(/^\uFEFF/, '').split('\n');
          for (const e of entries) assert.ok(lines[e.line - 1]!.includes(JSON.stringify(e.key)), `line ${e.line} holds ${e.key}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`prompts.json arrays with any accepted field names read back exactly (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        manifestArb,
        fc.constantFrom(...VIDEO_FIELDS).chain(caseOf),
        fc.constantFrom(...PROMPT_FIELDS).chain(caseOf),
        (pairs, vf, pf) => {
          const text = JSON.stringify(
            pairs.map(([k, p]) => ({ [vf]: k, [pf]: p, extra: 1 })),
            null,
            1,
          );
          assertEntries(parsePromptManifest(text, '/ws/prompts.json'), pairs);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`prompts.jsonl with blank lines and mixed line endings: exact prompts and exact lines (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(manifestArb, fc.array(fc.nat(2), { minLength: 8, maxLength: 8 }), fc.constantFrom('\n', '\r\n'), (pairs, blanks, eol) => {
        const lines: string[] = [];
        const expectedLines: number[] = [];
        pairs.forEach(([k, p], i) => {
          for (let b = 0; b < blanks[i]!; b++) lines.push(b % 2 ? '   ' : '');
          expectedLines.push(lines.length + 1);
          lines.push(JSON.stringify({ video: k, prompt: p }));
        });
        const entries = parsePromptManifest(lines.join(eol) + eol, '/ws/prompts.jsonl');
        assertEntries(entries, pairs);
        assert.deepEqual(
          entries.map((e) => e.line),
          expectedLines,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it(`prompts.csv with quoted commas, quotes and newlines: exact prompts and the line each record starts on (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(manifestArb, fc.boolean(), (pairs, quoteAll) => {
        const text = stringify([['video', 'prompt'], ...pairs], { quoted: quoteAll });
        const entries = parsePromptManifest(text, '/ws/prompts.csv');
        // Line endings inside a quoted prompt are normalised to \n (documented: files edited on several systems).
        assertEntries(
          entries,
          pairs.map(([k, p]) => [k, p.replace(/\r\n?/g, '\n')]),
        );
        // The record of entry i starts after the header and the lines of the records before it.
        let line = 2;
        pairs.forEach(([k, p], i) => {
          assert.equal(entries[i]!.line, line);
          line += stringify([[k, p]], { quoted: quoteAll }).split('\n').length - 1;
        });
      }),
      { numRuns: RUNS },
    );
  });

  it(`a video listed twice (however its path is spelled) is refused with both lines (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(
        manifestArb,
        fc.nat(),
        fc.constantFrom('./', '', './/'),
        fc.constantFrom('json', 'jsonl', 'csv'),
        (pairs, at, prefix, kind) => {
          const [k] = pairs[at % pairs.length]!;
          const withDup: [string, string][] = [...pairs, [prefix + k, 'another prompt']];
          const text =
            kind === 'json'
              ? JSON.stringify(
                  withDup.map(([v, p]) => ({ video: v, prompt: p })),
                  null,
                  1,
                )
              : kind === 'jsonl'
                ? withDup.map(([v, p]) => JSON.stringify({ video: v, prompt: p })).join('\n')
                : stringify([['video', 'prompt'], ...withDup]);
          assert.throws(
            () => parsePromptManifest(text, `/ws/prompts.${kind}`),
            (e: unknown) =>
              e instanceof FingerError && /listed twice \(lines \d+ and \d+\)/.test(e.message) && e.file === `/ws/prompts.${kind}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`any text at all either reads or fails with a FingerError naming the manifest (${RUNS} cases per kind)`, () => {
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({
        unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\n', 'a', '1', ' ', '\\', 'video', 'prompt', 'null'),
        maxLength: 60,
      }),
      manifestArb.map((p) => JSON.stringify(Object.fromEntries(p)).slice(0, -1)),
    );
    for (const name of ['prompts.json', 'prompts.jsonl', 'prompts.csv']) {
      fc.assert(
        fc.property(junk, (text) => {
          try {
            const entries = parsePromptManifest(text, `/ws/${name}`);
            for (const e of entries) {
              assert.equal(typeof e.prompt, 'string');
              assert.ok(e.line >= 1);
            }
          } catch (e) {
            assert.ok(e instanceof FingerError, `${name}: ${String(e)}`);
            assert.equal(e.file, `/ws/${name}`);
            assert.ok(e.hint && e.hint.length > 10, 'says what to do');
          }
        }),
        { numRuns: RUNS },
      );
    }
  });
});
