#!/usr/bin/env bash
# Builds the npm package `wxsocket` into pkg/ and its tarball into dist/ (npm pack; nothing is published).
#
#   bash scripts/build-pkg.sh
#
# Steps: cargo (wasm32, release) → wasm-bindgen --target bundler → wasm-opt -Oz (npm binaryen); the same
# again for the MVP variant (nightly, -Zbuild-std, target-cpu=mvp: no WebAssembly feature after the 2017 MVP,
# for iOS below 15) → scripts/build-pkg.js (esbuild entries from js-shim/, pkg/ from pkg-template/, .wasm.br,
# a smoke test) → npm pack. Idempotent: pkg/ and target/wxsocket-pkg/ are rebuilt from scratch every time. Any failure stops
# the build with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[build-pkg] %s\n' "$*"; }
die() { printf '[build-pkg] error: %s\n' "$*" >&2; exit 1; }

WORK=target/wxsocket-pkg
WASM_IN=target/wasm32-unknown-unknown/release/wxsocket.wasm
# The MVP variant is built apart (its own target dir: std is rebuilt with target-cpu=mvp).
MVP_TARGET_DIR=target/mvp
MVP_IN=$MVP_TARGET_DIR/wasm32-unknown-unknown/release/wxsocket.wasm
BIN=node_modules/.bin

# Features the module uses (Rust 1.95's wasm32 defaults, as far as the code really uses them). wasm-opt is
# given exactly these, so it cannot introduce others. If rustc starts using another one, wasm-opt fails on
# validation ("all used features should be allowed") and this list must grow: check which engines that
# rules out first (see the package README, "Requirements").
WASM_FEATURES=(--mvp-features --enable-reference-types --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int)

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

say "cargo build --release --target wasm32-unknown-unknown"
cargo build --release --target wasm32-unknown-unknown
[ -f "$WASM_IN" ] || die "$WASM_IN was not produced"

rm -rf "$WORK"
mkdir -p "$WORK"
say "wasm-bindgen $have_bindgen --target bundler"
# The "target_features section is missing" warning comes from `strip = true` in Cargo.toml; the features
# are given to wasm-opt explicitly below instead.
wasm-bindgen --target bundler --out-dir "$WORK/bindgen" "$WASM_IN"

say "wasm-opt -Oz ($("$BIN/wasm-opt" --version | awk '{ print $3 }'))"
"$BIN/wasm-opt" -Oz "${WASM_FEATURES[@]}" --strip-debug --strip-producers \
  "$WORK/bindgen/wxsocket_bg.wasm" -o "$WORK/wxsocket_bg.wasm" \
  || die "wasm-opt failed: if it reports a feature that is not allowed, see WASM_FEATURES in this script"

# The MVP variant: WXWebAssembly on iOS runs on the system JavaScriptCore, which has reference types,
# bulk memory and non-trapping float-to-int only from iOS 15 (sign extension from 14.1). The stable std is
# prebuilt with Rust's default wasm32 features, so std is rebuilt (nightly -Zbuild-std) with
# target-cpu=mvp; wasm-bindgen then keeps JS values in a JS array instead of an externref table (its
# glue differs, so it ships as a second glue file), and wasm-opt with --mvp-features fails if any feature
# beyond the MVP is left.
cargo +nightly --version >/dev/null 2>&1 || die "the MVP variant needs the nightly toolchain (rustup toolchain install nightly)"
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  say "rustup component add rust-src --toolchain nightly"
  rustup component add rust-src --toolchain nightly >/dev/null || die "cannot add rust-src to the nightly toolchain (needed by -Zbuild-std)"
fi
say "cargo +nightly build --release -Zbuild-std=std,panic_abort (target-cpu=mvp)"
RUSTFLAGS="${RUSTFLAGS:-} -C target-cpu=mvp" cargo +nightly build --release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_abort --target-dir "$MVP_TARGET_DIR"
[ -f "$MVP_IN" ] || die "$MVP_IN was not produced"
say "wasm-bindgen $have_bindgen --target bundler (MVP)"
wasm-bindgen --target bundler --out-dir "$WORK/bindgen-mvp" "$MVP_IN"
if grep -q '__wbindgen_externrefs' "$WORK/bindgen-mvp/wxsocket_bg.js"; then
  die "wasm-bindgen used an externref table for the MVP module (reference types): the MVP variant would not run on iOS below 15"
fi
say "wasm-opt -Oz --mvp-features (MVP)"
"$BIN/wasm-opt" -Oz --mvp-features --strip-debug --strip-producers \
  "$WORK/bindgen-mvp/wxsocket_bg.wasm" -o "$WORK/wxsocket_bg.mvp.wasm" \
  || die "wasm-opt --mvp-features failed: the MVP build uses a WebAssembly feature beyond the MVP"

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
