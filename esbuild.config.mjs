// One esbuild config for every bundle, like microsoft/vscode-hexeditor:
//   extension  src/extension/extension.ts → dist/extension.js  (node, cjs, `vscode` external), small:
//              what activation needs; src/extension/features.ts → dist/features.js, the engine,
//              zod, openai, liquidjs…, required on first use so activation does not compile it
//   cli        src/cli/entry.ts           → dist/cli.js        (node, cjs): turns on the compile cache, then
//              requires dist/cli-main.js (src/cli/main.ts); openai is dist/cli-openai.js, loaded on first request
//   webviews   webview/<name>/main.ts     → dist/webview/<name>.js (browser, iife)
// Flags: --watch, --production (minify, no source maps), --only=extension|cli|webview, --quiet
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const production = args.has('--production');
const watch = args.has('--watch');
const quiet = args.has('--quiet');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: quiet ? 'error' : 'info',
  legalComments: 'none',
};

const webviewEntries = existsSync('webview')
  ? readdirSync('webview', { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(`webview/${d.name}/main.ts`))
      .map((d) => ({ in: `webview/${d.name}/main.ts`, out: d.name }))
  : [];

/**
 * A plugin that leaves `specifier`, when `importer` (a path pattern) imports it, as a plain
 * `require(output)` of another bundle in dist/, so that bundle is compiled only when first required.
 * @returns {import('esbuild').Plugin}
 */
const lazyRequire = (name, specifier, importer, output) => ({
  name,
  setup(build) {
    build.onResolve({ filter: specifier }, (args) => (importer.test(args.importer) ? { path: output, external: true } : undefined));
  },
});

// extension.ts loads features.ts with `import('./features')`. Left alone, esbuild would inline it
// into dist/extension.js and VS Code would compile all 2 MB on activation; as an external it stays
// a `require('./features.js')` that runs when a feature is first used.
const lazyFeatures = lazyRequire('lazy-features', /^\.\/features$/, /src[\\/]extension[\\/]extension\.ts$/, './features.js');

// The CLI's counterpart: src/core/endpoint/openai-lib.ts loads `openai` (0.9 MB, half the CLI) with a
// lazy require. In the CLI build that require becomes `require('./cli-openai.js')`, a bundle of its
// own (src/cli/openai.ts), so a run that sends no request (a fully cached rescore, `finger report`)
// never compiles it. The extension bundles it into features.js as before.
const lazyOpenAI = lazyRequire('lazy-openai', /^openai$/, /src[\\/]core[\\/]endpoint[\\/]openai-lib\.ts$/, './cli-openai.js');

// dist/cli.js is src/cli/entry.ts, which turns on Node's compile cache before it requires the CLI
// itself: `require('./main')` there becomes `require('./cli-main.js')`, bundled from src/cli/main.ts.
const cliEntry = lazyRequire('cli-entry', /^\.\/main$/, /src[\\/]cli[\\/]entry\.ts$/, './cli-main.js');

/** @type {Record<string, import('esbuild').BuildOptions>} */
const builds = {
  extension: {
    ...common,
    entryPoints: ['src/extension/extension.ts', 'src/extension/features.ts'],
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['vscode'],
    plugins: [lazyFeatures],
  },
  cli: {
    ...common,
    entryPoints: [
      { in: 'src/cli/entry.ts', out: 'cli' },
      { in: 'src/cli/main.ts', out: 'cli-main' },
      { in: 'src/cli/openai.ts', out: 'cli-openai' },
    ],
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    plugins: [cliEntry, lazyOpenAI],
  },
  webview: {
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text', '.ttf': 'file' },
  },
};

const selected = Object.entries(builds).filter(([name, b]) => (!only || only === name) && (name !== 'webview' || b.entryPoints.length > 0));
const entryFile = (e) => (typeof e === 'string' ? e : e.in);
const present = selected.filter(([name, b]) => name === 'webview' || existsSync(entryFile(b.entryPoints[0])));

if (watch) {
  for (const [, b] of present) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(present.map(([, b]) => esbuild.build(b)));
}
