// The code cites the repository's own docs, never a page a user cannot open: no reference to the
// design notes outside the repository, and every citation of a section of docs/ARCHITECTURE.md
// names one that exists (a renamed heading would leave comments pointing nowhere).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const SEARCHED = [
  'src',
  'test',
  'webview',
  'media',
  'bin',
  'docs',
  'package.json',
  'README.md',
  'esbuild.config.mjs',
  'eslint.config.mjs',
  '.dependency-cruiser.cjs',
];
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|json|md|sh|liquid|css|html)$/;
// Spelled in pieces so that this file does not match itself.
const OUTSIDE_PAGES = [['DESIGN', 'md'].join('.'), ['E2E-NOTES', 'md'].join('.'), ['shared', 'E2E-NOTES'].join('/')];

function files(): string[] {
  const out: string[] = [];
  for (const entry of SEARCHED) {
    const full = path.join(root, entry);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isFile()) out.push(full);
    else for (const f of readdirSync(full, { recursive: true, encoding: 'utf8' })) if (TEXT.test(f)) out.push(path.join(full, f));
  }
  return out.filter((f) => statSync(f).isFile());
}

function lines(file: string): [number, string][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l, i): [number, string] => [i + 1, l]);
}

describe('references to documentation', () => {
  it('nothing cites a design page outside the repository', () => {
    const found: string[] = [];
    for (const file of files()) {
      for (const [n, line] of lines(file)) {
        if (OUTSIDE_PAGES.some((p) => line.includes(p))) found.push(`${path.relative(root, file)}:${n}: ${line.trim()}`);
      }
    }
    assert.deepEqual(found, [], 'cite docs/ARCHITECTURE.md (by section) or the README instead');
  });

  it('every docs/ARCHITECTURE.md section that the code cites exists', () => {
    const doc = readFileSync(path.join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
    const headings = new Set([...doc.matchAll(/^#+\s+(.+?)\s*$/gm)].map((m) => m[1]!));
    const cited = /docs\/ARCHITECTURE\.md(?:,\s*|\s*\(|:\s*)"([^"]+)"/g;
    const missing: string[] = [];
    let citations = 0;
    for (const file of files()) {
      for (const [n, line] of lines(file)) {
        for (const m of line.matchAll(cited)) {
          citations++;
          if (!headings.has(m[1]!)) missing.push(`${path.relative(root, file)}:${n}: "${m[1]}"`);
        }
      }
    }
    assert.ok(citations >= 15, `only ${citations} citations found: is the pattern still right?`);
    assert.deepEqual(missing, [], `sections of docs/ARCHITECTURE.md: ${[...headings].join(' | ')}`);
  });
});
