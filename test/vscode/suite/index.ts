// Mocha entry that runs INSIDE the VS Code extension host (shaped like the `yo code` template).
// runExtensionTests.ts bundles this file and every test/vscode/suite/**/*.test.ts next to it under
// out/test/vscode/suite/, and the smoke-test driver calls `run()`.
//
// Tests use mocha's TDD interface (suite/test/suiteSetup) and `import * as vscode from 'vscode'`.
// FINGER_TEST_GREP (environment of code-server) filters tests by title.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(dir, f));
}

export function run(): Promise<void> {
  // Retries: these tests wait on VS Code's file watcher, whose events arrive late or, on a loaded
  // machine, occasionally not at all; a test that fails three times in a row is a real failure.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec', retries: process.env.FINGER_TEST_GREP ? 0 : 2 });
  if (process.env.FINGER_TEST_GREP) mocha.grep(process.env.FINGER_TEST_GREP);
  for (const f of testFiles(__dirname)) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        const summary = {
          passes: stats?.passes ?? 0,
          failures,
          pending: stats?.pending ?? 0,
          tests: stats?.tests ?? 0,
          durationMs: stats?.duration ?? 0,
        };
        // The runner reads this line to report; the file is a second channel for CI.
        console.log(`FINGER_MOCHA_SUMMARY ${JSON.stringify(summary)}`);
        if (process.env.FINGER_TEST_RESULTS) writeFileSync(process.env.FINGER_TEST_RESULTS, JSON.stringify(summary));
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
