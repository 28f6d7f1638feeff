#!/usr/bin/env bash
# Every test layer, in order (this is `npm test`, and what CI runs through .ci/run):
#   tools      apt packages, Node 24, node_modules, code-server (cached under .cache/)
#   build      npm run build
#   typecheck  tsc --noEmit (the project, then webview/ alone as browser code)   lint  eslint . + prettier --check
#   unit       node:test  test/unit/**/*.test.ts
#   integration node:test test/integration/**/*.test.ts (real ffmpeg, the endpoint double over HTTP, the CLI)
#   reliability node:test test/reliability/**/*.test.ts (bad inputs, endpoint faults, crashes, security)
#   browser    node:test  test/browser/**/*.test.ts
#   package    npm run package  → finger-video-eval.vsix
#   exthost    mocha inside the real VS Code extension host (test/vscode/suite/**/*.test.ts)
#   vscode-ui  node:test + Playwright against code-server with the .vsix (test/vscode/*.test.ts)
# Every step runs even when an earlier one failed; the exit status is non-zero if any failed.
# Logs and screenshots: test-output/. FINGER_ONLY="unit exthost" runs just those steps.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
t_start=$SECONDS

export FINGER_NEED_CODE_SERVER=1
# shellcheck source=tools/ensure-tools.sh
source test/tools/ensure-tools.sh
set +e # ensure-tools sets -e; from here on every step's failure is recorded, not fatal
t_tools=$((SECONDS - t_start))

mkdir -p test-output
shopt -s globstar nullglob
export FORCE_COLOR=0 NO_COLOR=1
bin=node_modules/.bin

declare -a names=() results=() times=()
failed=0

# step <name> <timeout seconds> <command...>
step() {
  local name=$1 limit=$2 t0=$SECONDS rc
  shift 2
  if [ -n "${FINGER_ONLY:-}" ] && [[ " $FINGER_ONLY " != *" $name "* ]]; then return 0; fi
  printf '\n\033[1m━━ %s ━━\033[0m  %s\n' "$name" "$*"
  timeout --kill-after=30 "$limit" "$@"
  rc=$?
  [ $rc -eq 124 ] && echo "[run-all] $name ran past ${limit}s and was stopped"
  names+=("$name"); times+=("$((SECONDS - t0))")
  if [ $rc -eq 0 ]; then results+=(pass); else results+=("FAIL ($rc)"); failed=1; fi
}

# node:test over the files that match; no file is not a failure.
node_tests() {
  local name=$1 limit=$2; shift 2
  local files=() f
  for f in "$@"; do files+=("$f"); done
  if [ ${#files[@]} -eq 0 ]; then
    names+=("$name"); times+=(0); results+=("skipped (no test files)")
    printf '\n━━ %s ━━  no test files\n' "$name"
    return 0
  fi
  step "$name" "$limit" node --import tsx --test --test-reporter=spec --test-timeout=300000 "${files[@]}"
}

step build 300 npm run --silent build
step typecheck 300 npm run --silent typecheck
step lint 300 npm run --silent lint
node_tests unit 900 test/unit/**/*.test.ts
node_tests integration 1200 test/integration/**/*.test.ts
node_tests reliability 900 test/reliability/**/*.test.ts
node_tests browser 900 test/browser/**/*.test.ts

# VS Code: package once, then the extension-host suite and the UI tests use that .vsix.
rm -f finger-video-eval.vsix
step package 300 npm run --silent package
export FINGER_VSIX="$root/finger-video-eval.vsix"
[ -f "$FINGER_VSIX" ] && echo "[run-all] vsix: $(du -k "$FINGER_VSIX" | cut -f1) KiB"
step exthost 600 node --import tsx test/vscode/runExtensionTests.ts
# The workbench with the .vsix (test/vscode/*.test.ts), then the features driven like a person
# against the endpoint double (test/vscode/e2e/**: right-click → Score Video, overrides, untrusted).
ui_files=(test/vscode/*.test.ts test/vscode/e2e/*.test.ts)
if [ ${#ui_files[@]} -gt 0 ]; then
  step vscode-ui 1200 node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=600000 "${ui_files[@]}"
fi

printf '\n━━ summary ━━\n'
printf '  %-12s %5ss  %s\n' tools "$t_tools" "ready"
for i in "${!names[@]}"; do
  printf '  %-12s %5ss  %s\n' "${names[$i]}" "${times[$i]}" "${results[$i]}"
done
printf '  total %ss; screenshots and logs in test-output/\n' "$((SECONDS - t_start))"
if [ $failed -ne 0 ]; then
  echo "FAILED:$(for i in "${!names[@]}"; do [[ ${results[$i]} == FAIL* ]] && printf ' %s' "${names[$i]}"; done)"
  exit 1
fi
echo "all steps passed"
