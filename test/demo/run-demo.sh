#!/usr/bin/env bash
# npm run demo: the packaged extension in a real VS Code (code-server) on 127.0.0.1, with a sample
# workspace of generated clips under .cache/demo-workspace. Runs until Ctrl-C.
#
#   FINGER_ENDPOINT=http://127.0.0.1:8000/v1 FINGER_MODEL=Qwen/Qwen2.5-VL-7B-Instruct npm run demo
#   FINGER_DEMO_DOUBLE=1 npm run demo     # the test suite's endpoint double instead of a model
#   FINGER_DEMO_PORT=9000 npm run demo    # another port (default 8080)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export FINGER_NEED_CODE_SERVER=1
# shellcheck source=../tools/ensure-tools.sh
source test/tools/ensure-tools.sh
echo "[demo] building and packaging the extension" >&2
npm run --silent build >/dev/null
npm run --silent package >/dev/null
exec node --import tsx test/demo/demo.ts
