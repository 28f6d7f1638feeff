// dist/cli.js, what bin/finger.js and `node dist/cli.js` load: turns on Node's compile cache
// (Node >= 22.1; a no-op before), then loads the CLI itself from dist/cli-main.js (src/cli/main.ts;
// esbuild.config.mjs keeps it a separate file). The cache holds V8's compiled code of the bundle
// (in the OS temp folder, or $NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so
// later runs skip most of compiling it: about 10 % of a rescore that sends nothing.
import * as nodeModule from 'node:module';

try {
  nodeModule.enableCompileCache?.();
} catch {
  /* no cache: the CLI only starts a little slower */
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the cache is on
const cli = require('./main') as typeof import('./main');
module.exports = cli;

if (require.main === module) cli.runCli();
