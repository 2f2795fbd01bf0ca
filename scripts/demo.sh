#!/usr/bin/env bash
# The demo: until the end-to-end demo lands, runs the engine's herd simulation (10,000 real engines
# reconnecting after a server outage) and prints how each reconnect policy loads the server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo run --quiet --release --example herd -- "$@"
