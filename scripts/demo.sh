#!/usr/bin/env bash
# The demo: a mini-program client (the built npm package over a wx-shaped platform) against the
# fault-injecting test server, with faults injected on a schedule; prints a timeline and a verdict.
# Installs what is missing, rebuilds pkg/ only when it is missing or older than its sources.
# Exit 0 on success. Usage: bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh --no-browser

stamp=pkg/wxsocket_bg.wasm
if [ ! -f pkg/index.cjs ] || [ ! -f "$stamp" ] \
  || [ -n "$(find src js-shim pkg-template Cargo.toml Cargo.lock scripts/build-pkg.sh scripts/build-pkg.js \
              -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
  echo "[demo] building the package (pkg/ is missing or older than its sources)"
  bash scripts/build-pkg.sh
fi

exec node scripts/demo.js
