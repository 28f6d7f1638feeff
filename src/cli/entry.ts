// dist/cli.js, what bin/finger.js and `node dist/cli.js` load: turns on Node's compile cache
// (Node >= 22.1; a no-op before), then loads the CLI itself from dist/cli-main.js (src/cli/main.ts;
// esbuild.config.mjs keeps it a separate file). The cache holds V8's compiled code of the bundle,
// so later runs skip most of compiling it: about 10 % of a rescore that sends nothing.
//
// The cache is per user ($XDG_CACHE_HOME or ~/.cache, then finger/node-compile-cache), not Node's
// default in the OS temp folder: on a shared machine (a GPU cluster's login node) another user
// could create that folder first and plant compiled code in it. $NODE_COMPILE_CACHE still wins;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where the CLI keeps Node's compile cache: a folder of the user's own. */
function compileCacheDir(): string {
  const env = process.env;
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'finger', 'node-compile-cache');
}

try {
  nodeModule.enableCompileCache?.(process.env.NODE_COMPILE_CACHE || compileCacheDir());
} catch {
  /* no cache: the CLI only starts a little slower */
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the cache is on
const cli = require('./main') as typeof import('./main');
module.exports = cli;

if (require.main === module) cli.runCli();
