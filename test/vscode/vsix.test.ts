// What ships: the packaged .vsix holds the bundles, the manifest and media, and nothing else.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureVsix, listVsix, vsixBytes } from '../harness/vsix';

test('the .vsix contains only what the extension needs, and is small', () => {
  const vsix = ensureVsix();
  const entries = listVsix(vsix);
  const names = entries.map((e) => e.name);
  const bytes = vsixBytes(vsix);
  console.log(`vsix: ${vsix}: ${(bytes / 1024).toFixed(1)} KiB, ${names.length} files`);
  for (const e of entries) console.log(`  ${String(e.size).padStart(9)}  ${e.name}`);

  assert.ok(names.includes('extension/package.json'), 'no extension/package.json');
  // The entry bundle requires the features bundle on first use, and the panels load the webviews.
  for (const f of [
    'dist/extension.js',
    'dist/features.js',
    'dist/webview/results.js',
    'dist/webview/sidebar.js',
    'dist/webview/compare.js',
  ]) {
    assert.ok(names.includes(`extension/${f}`), `no extension/${f}`);
  }
  const forbidden = names.filter(
    (n) =>
      /^extension\/(src|test|webview|out|node_modules|\.cache|\.ci|test-output|\.git|\.vscode)\//.test(n) ||
      /\.(map|ts|vsix|tsbuildinfo)$/.test(n) ||
      /(^|\/)(tsconfig\.json|esbuild\.config\.mjs|eslint\.config\.mjs|package-lock\.json)$/.test(n),
  );
  assert.deepEqual(forbidden, [], `files that must not ship: ${forbidden.join(', ')}`);
  assert.ok(bytes < 8 * 1024 * 1024, `vsix is ${bytes} bytes (limit 8 MiB)`);
});
