#!/usr/bin/env bash
# The long bad-network run: every scenario of tests/netfault/scenarios.js for 60 s, for the built package
# and for the baseline (reconnecting-websocket with a hand-written heartbeat of the same timing), across a
# faulty link between two network namespaces (tests/netfault/netns.sh; the injector is tests/netfault/injector.c).
# Prints one row of figures per scenario and client (see tests/netfault/run.js for what each means) and,
# with --runs N, totals and worst cases over the runs; the rows also go to target/netfault/long.json.
#
# Usage: bash scripts/netfault.sh [--runs N] [--only NAME,NAME] [--peers ours,baseline]
# Needs root, iptables and libnetfilter-queue-dev (bash scripts/setup.sh --netfault) and a built package
# (bash scripts/build-pkg.sh). About 2 minutes per scenario and run for both clients.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! reason="$(bash tests/netfault/netns.sh check)"; then
  echo "netfault: cannot run here: $reason"
  exit 1
fi
[ -f pkg/package.json ] || { echo "netfault: the package is not built (bash scripts/build-pkg.sh)"; exit 1; }
mkdir -p target/netfault
exec bash tests/netfault/netns.sh node tests/netfault/run.js --json target/netfault/long.json "$@"
