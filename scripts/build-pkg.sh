#!/usr/bin/env bash
# Builds the npm package `wxsocket` into pkg/ and its tarball into dist/ (npm pack; nothing is published).
#
#   bash scripts/build-pkg.sh
#
# Steps: wasm-pack build (cargo on the pinned nightly: wasm32, release, std rebuilt with -Zbuild-std for
# target-cpu=mvp and panic=immediate-abort; then wasm-bindgen --target bundler) → wasm-opt (npm binaryen): exported Globals removed, -Oz --mvp-features,
# short import names →
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
BIN=node_modules/.bin

command -v cargo >/dev/null || die "cargo not found (run scripts/setup.sh)"
command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
command -v wasm-bindgen >/dev/null || die "wasm-bindgen not found (run scripts/setup.sh)"
command -v wasm-pack >/dev/null || die "wasm-pack not found (run scripts/setup.sh)"
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
# - -Zlocation-detail=none: no source file names, lines or columns in the module. With panic=immediate-abort
#   nothing prints a panic's location, yet the `#[track_caller]` checks (RefCell borrows, slice indexing,
#   `expect`) still pass one to their cold path: the file names and the location records stayed in the data.
#   359 B brotli less (bench/README.md, size history).
# - --remap-path-prefix: no build machine's paths in the module.
# The one nightly the package is built with, pinned by its date (no toolchain can be downloaded here, so
# the pin is a check, not a name rustup would fetch). Change it here only.
PINNED_NIGHTLY_DATE=2026-05-19
nightly="$(rustc +nightly --version 2>/dev/null)" || die "the package build needs the nightly toolchain (rustup toolchain install nightly-$PINNED_NIGHTLY_DATE, then make it 'nightly')"
case "$nightly" in
  *" $PINNED_NIGHTLY_DATE)") ;;
  *) die "the installed nightly is '$nightly'; the package is built with the nightly of $PINNED_NIGHTLY_DATE (scripts/build-pkg.sh PINNED_NIGHTLY_DATE): install that one as 'nightly', or change the pin and re-measure" ;;
esac
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  say "rustup component add rust-src --toolchain nightly"
  rustup component add rust-src --toolchain nightly >/dev/null || die "cannot add rust-src to the nightly toolchain (needed by -Zbuild-std)"
fi
sysroot="$(rustc +nightly --print sysroot)"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
flags="-C target-cpu=mvp -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
flags="$flags --remap-path-prefix=$sysroot=/rustc --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$PWD=/wxsocket"
rm -rf "$WORK"
mkdir -p "$WORK"
# wasm-pack builds (cargo, with the flags after `--` passed through) and runs the wasm-bindgen on PATH
# (--mode no-install: it downloads nothing); wasm-opt runs below, on its own terms (--no-opt).
say "wasm-pack build --target bundler (nightly, -Zbuild-std=std,panic_abort, target-cpu=mvp, panic=immediate-abort, location-detail=none; wasm-bindgen $have_bindgen)"
RUSTUP_TOOLCHAIN=nightly RUSTFLAGS="$flags" CARGO_TARGET_DIR="$PKG_TARGET_DIR" \
  wasm-pack --quiet build . --release --target bundler --no-opt --no-pack --mode no-install --out-dir "$WORK/bindgen" \
  -- -Zbuild-std=std,panic_abort || die "wasm-pack build failed"
[ -f "$WORK/bindgen/wxsocket_bg.wasm" ] || die "wasm-pack produced no $WORK/bindgen/wxsocket_bg.wasm"
if grep -q '__wbindgen_externrefs' "$WORK/bindgen/wxsocket_bg.js"; then
  die "wasm-bindgen used an externref table (reference types): the module would not run on iOS below 15.1"
fi
# No exported Globals: WeChat's WXWebAssembly on iOS does not support them, and nothing in JS reads them.
# Their names are read from the module (the linker's and wasm-bindgen's change between versions); each one
# must be unknown to the glue.
stripped="$WORK/bindgen/wxsocket_bg.wasm"
for g in $(node -e 'const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1])); for (const e of WebAssembly.Module.exports(m)) if (e.kind === "global") console.log(e.name)' "$stripped"); do
  if grep -q "wasm\.$g\b" "$WORK/bindgen/wxsocket_bg.js"; then die "the glue reads the exported Global $g: it cannot be removed"; fi
  say "wasm-opt --remove-exports $g (an exported Global)"
  "$BIN/wasm-opt" --mvp-features --remove-exports --pass-arg="remove-exports@$g" "$stripped" -o "$WORK/no-global.wasm" \
    || die "wasm-opt could not remove the exported Global $g"
  stripped="$WORK/no-global.wasm.$g"; mv "$WORK/no-global.wasm" "$stripped"
done
# --low-memory-unused lets wasm-opt assume the first 1 KB of memory is never read or written, so it folds
# constant address offsets into loads and stores (117 B brotli less: bench/README.md, size history). Rust's
# wasm32 link puts the 1 MB stack first, growing down towards address 0, and the data above it: only a
# stack over 1023 KB deep would reach that first 1 KB. Where the data lies is checked here.
low_data="$("$BIN/wasm-dis" "$stripped" | awk '/^ \(data / { if (match($0, /i32\.const [0-9]+/)) { n = substr($0, RSTART + 10, RLENGTH - 10) + 0; if (n < 1024) print n } }')"
[ -z "$low_data" ] && "$BIN/wasm-dis" "$stripped" | grep -q '^ (data ' \
  || die "a data segment starts below 1024 (or none was found): --low-memory-unused would be wrong for this module"
# -Oz for the MVP (fails on any later feature), and short import, export and module names: wasm-opt prints
# its map, from which build-pkg.js builds the import object and renames the glue's calls.
# First -Oz until the module stops shrinking (--converge; on its own run: with the renaming below, wasm-opt
# would print its map once per round), then -Oz once more with the short names.
say "wasm-opt -Oz --converge --mvp-features --low-memory-unused"
"$BIN/wasm-opt" -Oz --converge --mvp-features --low-memory-unused "$stripped" -o "$WORK/converged.wasm" \
  || die "wasm-opt --mvp-features failed: the build uses a WebAssembly feature beyond the MVP"
stripped="$WORK/converged.wasm"
say "wasm-opt -Oz --mvp-features --low-memory-unused --minify-imports-and-exports-and-modules ($("$BIN/wasm-opt" --version | awk '{ print $3 }'))"
"$BIN/wasm-opt" -Oz --mvp-features --low-memory-unused --strip-debug --strip-producers --minify-imports-and-exports-and-modules \
  "$stripped" -o "$WORK/wxsocket_bg.wasm" > "$WORK/wasm-opt-map.json" \
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
