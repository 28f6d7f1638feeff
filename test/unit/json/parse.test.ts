import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { locateJsonPath, parseJsonTolerant, positionToLineColumn, removeTrailingCommas } from '../../../src/core/json';

/** JSON's own view of a value (drops -0, undefined, prototypes), the oracle for round trips. */
const viaJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Prose without brackets, so the value is the first balanced {…} or […] in the text. */
const prose = fc.string({ maxLength: 60 }).map((s) => s.replace(/[[\]{}`]/g, ''));
const container = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
);
const layout = fc.constantFrom<(j: string, v: unknown) => string>(
  (j) => j,
  (j, v) => JSON.stringify(v, null, 2),
  (j) => `\`\`\`json\n${j}\n\`\`\``,
  (j) => `\`\`\`\n${j}\n\`\`\``,
  (j) => `<think>maybe {"not": "this"} or [1,2</think>\n${j}`,
);

/** JSON with a trailing comma after the last member of every non-empty array and object. */
function withTrailingCommas(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map(withTrailingCommas).join(',')},]`;
  if (v !== null && typeof v === 'object') {
    const members = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${withTrailingCommas(x)}`);
    return members.length === 0 ? '{}' : `{${members.join(', ')}, }`;
  }
  return JSON.stringify(v);
}

describe('parseJsonTolerant', () => {
  it('recovers any object or array from prose, fences and thinking', () => {
    fc.assert(
      fc.property(prose, container, layout, prose, (before, value, wrap, afterText) => {
        const text = `${before}${wrap(JSON.stringify(value), value)}${afterText}`;
        assert.deepStrictEqual(parseJsonTolerant(text), viaJson(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('returns any JSON value given alone or in a fence', () => {
    // Decided on purpose: a bare JSON *string* that quotes an object or array ("{…}") yields that
    // object, because replies are objects and models do quote them; so such strings are excluded.
    const quotesContainer = (v: unknown) => typeof v === 'string' && /[[{]/.test(v);
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !quotesContainer(v)),
        fc.boolean(),
        (value, fenced) => {
          const json = JSON.stringify(value);
          const text = fenced ? `Here you go:\n\`\`\`json\n${json}\n\`\`\`\nDone.` : ` ${json}\n`;
          assert.deepStrictEqual(parseJsonTolerant(text), viaJson(value));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('looks inside a JSON string that quotes an object', () => {
    assert.deepEqual(parseJsonTolerant('"{\\"entities\\": []}"'), { entities: [] });
    assert.deepEqual(parseJsonTolerant('"{}"'), {});
    assert.equal(parseJsonTolerant('"just words"'), 'just words');
  });

  it('skips bracketed prose that is not JSON, and repairs trailing commas', () => {
    assert.deepEqual(parseJsonTolerant('Sure [see below]: {"a": [1, 2,], "b": {"c": "x,]"},}'), { a: [1, 2], b: { c: 'x,]' } });
    assert.deepEqual(parseJsonTolerant('{broken {"ok": true}'), { ok: true });
    fc.assert(
      fc.property(container, (value) => {
        const withCommas = withTrailingCommas(value);
        assert.deepStrictEqual(parseJsonTolerant(`Result: ${withCommas}`), viaJson(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('fails clearly when there is no JSON', () => {
    assert.throws(() => parseJsonTolerant(''), /empty/);
    assert.throws(() => parseJsonTolerant('I cannot help with that {'), /no JSON object or array found.*I cannot help/);
    fc.assert(
      fc.property(prose, (text) => {
        if (text.trim() === '' || /^\s*(-?\d|"|true|false|null)/.test(text)) return;
        try {
          parseJsonTolerant(text);
        } catch (e) {
          assert.match((e as Error).message, /JSON/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('removeTrailingCommas leaves strings alone', () => {
    assert.equal(removeTrailingCommas('{"a": "b,}", "c": [1,],}'), '{"a": "b,}", "c": [1]}');
  });
});

describe('locateJsonPath', () => {
  it('finds where a nested value is written', () => {
    const text = '{\n  "questions": [\n    {"id": "q1"},\n    {\n      "id": "q2",\n      "dimension": "beauty"\n    }\n  ]\n}';
    assert.equal(positionToLineColumn(text, locateJsonPath(text, ['questions', 1, 'dimension'])).line, 6);
    assert.equal(positionToLineColumn(text, locateJsonPath(text, ['questions', 0])).line, 3);
    assert.equal(positionToLineColumn(text, locateJsonPath(text, ['questions', 7, 'x'])).line, 2);
  });
});
