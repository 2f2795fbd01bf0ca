#!/usr/bin/env bash
# The benchmark: sizes, send/receive overhead (Node and headless Chromium), end-to-end echo rate, memory,
# boundary crossings, a CPU profile and the herd simulation, us next to the peers, measured in one run.
#
#   bash scripts/bench.sh                # writes bench/results.json, bench/results.md, bench/chart.svg; prints the table
#   bash scripts/bench.sh --rebuild      # rebuild the package even if its sources did not change
#   bash scripts/bench.sh --no-browser   # skip the headless Chromium part
#
# The package is rebuilt (scripts/build-pkg.sh) when pkg/ is missing or any of its sources changed since the
# last build this script made (a hash of src/, js-shim/, pkg-template/, the build scripts and Cargo files,
# committed or not), so the figures are always those of the current tree. About 2 minutes plus any build.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[bench] %s\n' "$*" >&2; }

rebuild=0
run_args=()
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=1 ;;
    --no-browser) run_args+=(--no-browser) ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) printf 'unknown argument %s (try --help)\n' "$a" >&2; exit 2 ;;
  esac
done

if [ "${#run_args[@]}" -gt 0 ]; then bash scripts/setup.sh --no-browser >&2; else bash scripts/setup.sh >&2; fi

inputs_hash() {
  {
    git ls-files -z --cached --others --exclude-standard -- \
      src js-shim pkg-template scripts/build-pkg.sh scripts/build-pkg.js Cargo.toml Cargo.lock 2>/dev/null \
      || find src js-shim pkg-template scripts/build-pkg.sh scripts/build-pkg.js Cargo.toml Cargo.lock -type f -print0
  } | sort -z | while IFS= read -r -d '' f; do
    [ -f "$f" ] && sha256sum "$f"
  done | sha256sum | cut -d' ' -f1
}

stamp=target/bench/pkg-inputs.sha256
want="$(inputs_hash)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$rebuild" = 1 ] || [ ! -f pkg/miniprogram_dist/wxsocket_bg.wasm ] || [ ! -f pkg/index.cjs ] || [ "$want" != "$have" ]; then
  say "building the package (sources changed since the last benchmark build)"
  bash scripts/build-pkg.sh >&2
  mkdir -p target/bench
  # Hash again: an edit made during the build must not be marked as built.
  [ "$(inputs_hash)" = "$want" ] && printf '%s\n' "$want" > "$stamp"
else
  say "package is current (sources unchanged since the last benchmark build)"
fi

exec node bench/run.mjs "${run_args[@]}"
