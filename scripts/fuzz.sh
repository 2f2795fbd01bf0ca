#!/usr/bin/env bash
# Fuzzing: runs each cargo-fuzz target in fuzz/ for a while (default 20 s each, 4 targets) on nightly Rust:
#   engine        the engine fed arbitrary input sequences, with the invariants of tests/engine_properties.rs
#   url           check_url, is_loopback and redact_url, and check_url against a WHATWG URL parser
#   header_close  check_header and check_close
#   backoff       Backoff::delay with arbitrary numbers
# Usage: scripts/fuzz.sh [seconds per target] [target...]
#   bash scripts/fuzz.sh                 the short run of the test command (about 2 minutes with the build)
#   bash scripts/fuzz.sh 1800            the longer run (30 min per target), e.g. before a release
# Each target starts from its corpus in fuzz/corpus/<target> (kept between runs, not committed), the engine
# target also from the committed inputs in fuzz/regressions/engine/. A crash stops the run with the input's
# path; `cargo +nightly fuzz run -O -a -s none <target> <file>` replays it. A crash of the engine target
# becomes a native regression test by copying the file into fuzz/regressions/engine/ (tests/fuzz_regressions.rs
# replays every file there); for the other targets, add its input to tests/fuzz_regressions.rs.
# Prints "N passed, N failed" (a target that ran clean passes) and each target's executions.
#
#   bash scripts/fuzz.sh --reentry [sequences]
# runs the re-entrancy fuzzer (tests/reentry/fuzzer.js) on the built package instead: page code calling the
# client from every listener and callback, default 200,000 sequences on the fake wx and 1 in 100 of that over
# real sockets, from a random first seed (printed; a failing sequence prints the command that replays it).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${1:-}" = "--reentry" ]; then
  sequences="${2:-200000}"
  first=$(( (RANDOM << 15 | RANDOM) + 1 ))
  [ -f pkg/index.cjs ] || bash scripts/build-pkg.sh
  echo "fuzz: re-entrancy fuzzer, $sequences sequences from seed $first"
  rc=0
  node tests/reentry/fuzzer.js --sequences "$sequences" --real $(( sequences / 100 )) --first-seed "$first" || rc=$?
  if [ "$rc" -eq 0 ]; then echo "# pass 1"; echo "# fail 0"; else echo "# pass 0"; echo "# fail 1"; fi
  exit "$rc"
fi

seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(engine url header_close backoff)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain (cargo-fuzz needs it: rustup toolchain install nightly); nothing fuzzed" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz >/dev/null
fi

cd fuzz
# Release build with debug assertions (overflow checks on); no sanitizer: the code fuzzed has no unsafe.
flags=(-O -a -s none)
start=$(date +%s)
if ! out="$(cargo +nightly fuzz build "${flags[@]}" 2>&1)"; then
  echo "$out" | tail -40
  echo "fuzz: build failed"
  exit 1
fi
echo "fuzz: built in $(( $(date +%s) - start )) s; ${seconds} s per target"

passed=0
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  seeds=()
  [ -d "regressions/$t" ] && seeds=("regressions/$t")
  dict=()
  [ -f "dict/$t.dict" ] && dict=("-dict=dict/$t.dict")
  log="$(mktemp)"
  rc=0
  cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 "${dict[@]}" >"$log" 2>&1 || rc=$?
  runs="$(grep -Eo '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)"
  corpus="$(ls "corpus/$t" | wc -l)"
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "fuzz: $t ok: ${runs:-?} executions in ${seconds} s, no crash (corpus: $corpus inputs)"
  else
    failed=$((failed + 1))
    echo "fuzz: $t FAILED after ${runs:-?} executions:"
    grep -E -A4 'panicked at|ERROR: libFuzzer|SUMMARY' "$log" | head -30
    grep -E 'Test unit written to|artifact_prefix' "$log" | tail -2
  fi
  rm -f "$log"
done
echo "fuzz: $(( $(date +%s) - start )) s in all"
# The node-style counts are what scripts/test.sh adds up; the plain line is for readers and CI.
echo "# pass $passed"
echo "# fail $failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
