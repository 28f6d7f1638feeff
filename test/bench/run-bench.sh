#!/usr/bin/env bash
# npm run bench: installs what it needs (like npm test), builds the CLI and the webviews, then runs
# every benchmark of issue 5 (test/bench/bench.ts). Figures go to bench-results.json and a table
# to stdout. Pass-through arguments, e.g. `npm run bench -- --only saturation,frames`.
# The .vsix for the activation figure is packaged fresh unless FINGER_VSIX names one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export FINGER_NEED_CODE_SERVER=1
# shellcheck source=../tools/ensure-tools.sh
source test/tools/ensure-tools.sh
set +e
node esbuild.config.mjs --only=cli --quiet || exit 1
node esbuild.config.mjs --only=webview --quiet || exit 1
# The activation figure installs the packaged extension (npm run package, as users build it).
if [ -z "${FINGER_VSIX:-}" ]; then
  npm run --silent package >/dev/null || exit 1
  export FINGER_VSIX="$PWD/finger-video-eval.vsix"
fi
exec timeout --kill-after=30 900 node --import tsx test/bench/bench.ts "$@"
