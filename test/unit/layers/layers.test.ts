// The layer rules of eslint.config.mjs (docs/ARCHITECTURE.md, "Layers") hold: the project's own
// ESLint config, run on code placed in each layer, fails on an import that crosses a layer the
// wrong way and passes the imports each layer may make. Part of `npm test` (the unit layer), so a
// rule that silently stops matching fails the suite.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const REPO = resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: REPO });

/** The no-restricted-imports messages ESLint reports for `code` as if it were the file at `file`. */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(REPO, file) });
  assert.ok(result, 'ESLint linted the text');
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer lint', () => {
  it('fails when webview/ imports src/core, src/extension, vscode or Node', async () => {
    for (const line of [
      "import { DIMENSIONS } from '../../src/core/types';",
      "import { ResultsIndex } from '../../src/extension/resultsIndex';",
      "import * as vscode from 'vscode';",
      "import { readFile } from 'node:fs/promises';",
    ]) {
      const errors = await layerErrors('webview/results/offending.ts', `${line}\nexport const x = 1;\n`);
      assert.equal(errors.length, 1, `${line} → ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, /webview\/ imports only src\/shared/);
    }
  });

  it('lets webview/ import src/shared and browser packages', async () => {
    const code =
      "import { DIMENSIONS } from '../../src/shared/model';\nimport { Chart } from 'chart.js';\nimport { el } from '../common/dom';\nexport const x = [DIMENSIONS, Chart, el];\n";
    assert.deepEqual(await layerErrors('webview/results/fine.ts', code), []);
  });

  it('fails when src/core imports vscode, src/extension or src/cli', async () => {
    for (const [file, line] of [
      ['src/core/offending.ts', "import * as vscode from 'vscode';"],
      ['src/core/store/offending.ts', "import { Host } from '../../extension/host';"],
      ['src/core/offending.ts', "import { main } from '../cli/main';"],
    ] as const) {
      const errors = await layerErrors(file, `${line}\nexport const x = 1;\n`);
      assert.equal(errors.length, 1, `${file}: ${line} → ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, /src\/core never imports/);
    }
    assert.deepEqual(
      await layerErrors('src/core/store/fine.ts', "import { FINGER_PATHS } from '../../shared/model';\nexport const x = FINGER_PATHS;\n"),
      [],
    );
  });

  it('fails when src/shared imports anything of ours outside src/shared', async () => {
    for (const [file, line] of [
      ['src/shared/offending.ts', "import { DIMENSIONS } from '../core/types';"],
      ['src/shared/protocols/offending.ts', "import { Host } from '../../extension/host';"],
      ['src/shared/offending.ts', "import * as vscode from 'vscode';"],
    ] as const) {
      const errors = await layerErrors(file, `${line}\nexport const x = 1;\n`);
      assert.equal(errors.length, 1, `${file}: ${line} → ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, /src\/shared imports nothing of ours/);
    }
    assert.deepEqual(
      await layerErrors('src/shared/protocols/fine.ts', "import { ResultSchema } from '../schemas';\nexport const x = ResultSchema;\n"),
      [],
    );
  });

  it('fails when src/cli imports vscode or src/extension', async () => {
    const errors = await layerErrors('src/cli/offending.ts', "import { Features } from '../extension/features';\nexport const x = 1;\n");
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /src\/cli never imports/);
  });
});
