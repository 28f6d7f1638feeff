// Preloaded into the CLI by the benchmark (`node --require`): on exit, writes the process's own
// peak resident set size (getrusage maxrss, bytes) to FINGER_BENCH_RSS_FILE.
'use strict';
const fs = require('node:fs');

const file = process.env.FINGER_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
    } catch {
      /* nothing to report to */
    }
  });
}
