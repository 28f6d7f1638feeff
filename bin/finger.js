#!/usr/bin/env node
// The `finger` command: the bundled CLI (built by `npm run build`).
require('../dist/cli.js').runCli();
