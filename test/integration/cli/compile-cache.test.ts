// The CLI's compile cache lives in a folder of the user's own, never in the shared OS temp folder
// (where another user of a shared machine could create it first and plant compiled code).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { buildCli, cleanEnv, runCli } from '../../helpers/cli';
import { useTempRoot } from '../../helpers/temp';

describe('CLI compile cache', () => {
  const temp = useTempRoot('finger-compile-cache');
  before(() => buildCli());

  const env = (extra: Record<string, string | undefined>) => {
    const e = cleanEnv(extra);
    delete e.NODE_COMPILE_CACHE;
    delete e.NODE_DISABLE_COMPILE_CACHE;
    for (const [k, v] of Object.entries(extra)) if (v === undefined) delete e[k];
    return e;
  };
  const nonEmpty = (dir: string) => existsSync(dir) && readdirSync(dir, { recursive: true }).length > 0;

  it('is kept under ~/.cache/finger, per user', async () => {
    const home = await temp.workspace();
    const run = await runCli(['--version'], { cwd: home, env: env({ HOME: home, XDG_CACHE_HOME: undefined }) });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(nonEmpty(path.join(home, '.cache', 'finger', 'node-compile-cache')), 'no compile cache under the home folder');
  });

  it('follows $XDG_CACHE_HOME', async () => {
    const home = await temp.workspace();
    const xdg = path.join(home, 'xdg');
    const run = await runCli(['--version'], { cwd: home, env: env({ HOME: home, XDG_CACHE_HOME: xdg }) });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(nonEmpty(path.join(xdg, 'finger', 'node-compile-cache')), 'no compile cache under $XDG_CACHE_HOME');
    assert.ok(!existsSync(path.join(home, '.cache')), 'nothing under ~/.cache when $XDG_CACHE_HOME is set');
  });
});
