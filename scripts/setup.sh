#!/usr/bin/env bash
# Installs what the demo, the tests and the package build need, only where it is missing.
# Idempotent: a second run does nothing but checks.
# Usage: scripts/setup.sh [--no-browser] [--frameworks] [--netfault]
# (--frameworks: also the uni-app and Taro build tools for tests/frameworks; --netfault: iptables and
# libnetfilter-queue-dev for the bad-network suite tests/netfault, as root only; scripts/test.sh asks for both)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml | head -n1)"
want_browser=1
want_frameworks=0
want_netfault=0
for arg in "$@"; do
  case "$arg" in
    --no-browser) want_browser=0 ;;
    --frameworks) want_frameworks=1 ;;
    --netfault) want_netfault=1 ;;
    *) echo "usage: scripts/setup.sh [--no-browser] [--frameworks] [--netfault]" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ -n "$WASM_BINDGEN_VERSION" ] && ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (a few minutes)"
  cargo install wasm-pack
fi

if [ "$want_browser" = 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; }; then
  say "installing chromium and chromedriver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ -f package.json ] && { [ ! -d node_modules ] || [ package.json -nt node_modules/.install-stamp ]; }; then
  say "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
  touch node_modules/.install-stamp
fi
# The framework CLIs for tests/frameworks (uni-app, Taro): pinned by their package-lock.json, installed
# once outside the clone and reused while package.json and the lock file are unchanged.
if [ "$want_frameworks" = 1 ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/wxsocket/frameworks"
  for dir in tests/frameworks/*/; do
    name="$(basename "$dir")"
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -c1-16)"
    if [ ! -d "$cache/$name/node_modules" ] || [ "$(cat "$cache/$name/.install-stamp" 2>/dev/null)" != "$stamp" ]; then
      say "installing the $name build tools into $cache/$name (npm install, versions from its package-lock.json)"
      mkdir -p "$cache/$name"
      cp "$dir/package.json" "$dir/package-lock.json" "$cache/$name/"
      # npm install, not npm ci: npm leaves other systems' optional bindings (@tarojs/binding-*) out of the
      # lock file and npm ci then refuses it as out of sync; install keeps the locked versions.
      (cd "$cache/$name" && npm install --no-audit --no-fund --legacy-peer-deps --loglevel=error)
      echo "$stamp" > "$cache/$name/.install-stamp"
    fi
  done
fi
# The bad-network suite needs root anyway (network namespaces, iptables), so its tools are installed only
# as root; otherwise tests/netfault says why it skips.
if [ "$want_netfault" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "not root: the bad-network suite (tests/netfault) will be skipped; its tools are not installed"
  elif ! command -v iptables >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1 ||
    [ ! -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ]; then
    say "installing iptables, gcc and libnetfilter-queue-dev (tests/netfault)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables gcc libc6-dev libnetfilter-queue-dev >/dev/null
  fi
fi
say "ready"
