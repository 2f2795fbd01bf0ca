#!/usr/bin/env bash
# Builds the npm package `wxsocket` into pkg/ and its tarball into dist/ (npm pack; nothing is published).
#
#   bash scripts/build-pkg.sh
#
# Steps: cargo +nightly (wasm32, release, std rebuilt with -Zbuild-std for target-cpu=mvp and
# panic=immediate-abort) → wasm-bindgen --target bundler → wasm-opt -Oz --mvp-features (npm binaryen) →
# scripts/build-pkg.js (esbuild entries from js-shim/, pkg/ from pkg-template/, .wasm.br, a smoke test) →
# npm pack. Idempotent: pkg/ and target/wxsocket-pkg/ are rebuilt from scratch every time. Any failure stops
# the build with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[build-pkg] %s\n' "$*"; }
die() { printf '[build-pkg] error: %s\n' "$*" >&2; exit 1; }

WORK=target/wxsocket-pkg
# One build ships everywhere (Node, browsers, mini-programs). Its own target dir: std is rebuilt.
PKG_TARGET_DIR=target/pkg-build
WASM_IN=$PKG_TARGET_DIR/wasm32-unknown-unknown/release/wxsocket.wasm
BIN=node_modules/.bin

command -v cargo >/dev/null || die "cargo not found (run scripts/setup.sh)"
command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found (run scripts/setup.sh)"
[ -x "$BIN/esbuild" ] || die "$BIN/esbuild missing (npm ci)"
[ -x "$BIN/wasm-opt" ] || die "$BIN/wasm-opt missing (npm ci: the binaryen package)"
"$BIN/esbuild" --version >/dev/null 2>&1 || die "esbuild does not run: its platform binary is missing (npm ci with install scripts enabled)"

want_bindgen="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
have_bindgen="$(wasm-bindgen --version | awk '{ print $2 }')"
[ -n "$want_bindgen" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
[ "$want_bindgen" = "$have_bindgen" ] || die "wasm-bindgen CLI $have_bindgen != crate $want_bindgen in Cargo.lock (run scripts/setup.sh)"

# Why nightly, and which flags:
# - target-cpu=mvp: no WebAssembly feature after the 2017 MVP. WXWebAssembly on iOS runs on the system
#   JavaScriptCore, which has reference types, bulk memory and non-trapping float-to-int only from iOS 15.1;
#   an MVP module runs on every engine, so one module serves all. The stable std is prebuilt with newer
#   features, hence -Zbuild-std. wasm-bindgen then keeps JS values in a JS array (no externref table).
# - panic=immediate-abort: no panic machinery (messages, formatting, locations) in the module. The code
#   does not panic on any input (the fuzz targets and property tests check that); were it to, the module
#   traps instead of printing a message first. About 9 KB brotli less.
# - --remap-path-prefix: no build machine's paths in the module.
cargo +nightly --version >/dev/null 2>&1 || die "the package build needs the nightly toolchain (rustup toolchain install nightly)"
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  say "rustup component add rust-src --toolchain nightly"
  rustup component add rust-src --toolchain nightly >/dev/null || die "cannot add rust-src to the nightly toolchain (needed by -Zbuild-std)"
fi
sysroot="$(rustc +nightly --print sysroot)"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
flags="-C target-cpu=mvp -Zunstable-options -Cpanic=immediate-abort"
flags="$flags --remap-path-prefix=$sysroot=/rustc --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$PWD=/wxsocket"
say "cargo +nightly build --release -Zbuild-std=std,panic_abort (target-cpu=mvp, panic=immediate-abort)"
RUSTFLAGS="$flags" cargo +nightly build --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_abort --target-dir "$PKG_TARGET_DIR"
[ -f "$WASM_IN" ] || die "$WASM_IN was not produced"

rm -rf "$WORK"
mkdir -p "$WORK"
say "wasm-bindgen $have_bindgen --target bundler"
wasm-bindgen --target bundler --out-dir "$WORK/bindgen" "$WASM_IN"
if grep -q '__wbindgen_externrefs' "$WORK/bindgen/wxsocket_bg.js"; then
  die "wasm-bindgen used an externref table (reference types): the module would not run on iOS below 15.1"
fi
say "wasm-opt -Oz --mvp-features ($("$BIN/wasm-opt" --version | awk '{ print $3 }'))"
"$BIN/wasm-opt" -Oz --mvp-features --strip-debug --strip-producers \
  "$WORK/bindgen/wxsocket_bg.wasm" -o "$WORK/wxsocket_bg.wasm" \
  || die "wasm-opt --mvp-features failed: the build uses a WebAssembly feature beyond the MVP"
if grep -aq -e "$HOME" -e "$PWD" "$WORK/wxsocket_bg.wasm"; then
  die "the module contains a path of this machine (see --remap-path-prefix above)"
fi

say "assembling pkg/"
node scripts/build-pkg.js "$WORK"

say "npm pack"
mkdir -p dist
rm -f dist/wxsocket-*.tgz
(cd pkg && npm pack --silent --pack-destination ../dist >/dev/null)
tarball="$(ls dist/wxsocket-*.tgz)"
[ -f "$tarball" ] || die "npm pack produced nothing"
say "tarball: $tarball ($(wc -c < "$tarball") bytes)"
node scripts/sizes.js
