#!/usr/bin/env bash
# A private two-host network for the bad-network suite, and a command run on its client host.
#
#   server namespace  veth  <---->  veth  client namespace
#   SERVER_ADDR                     CLIENT_ADDR, iptables: TCP to/from the server port -> NFQUEUE UP/DOWN
#
# The addresses exist only on this veth pair, inside the two namespaces; nothing touches the host's own
# interfaces or rules. The injector (tests/netfault/injector.c, built here with gcc) reads both queues;
# the command decides when to start it and what faults to apply (tests/netfault/run.js does).
#
# Usage: tests/netfault/netns.sh check        prints why the suite cannot run here and exits 1, or exits 0
#        tests/netfault/netns.sh CMD [ARG...] sets up, runs CMD in the client namespace, tears down
# CMD sees NETFAULT_SERVER_NS, NETFAULT_SERVER_ADDR, NETFAULT_PORT, NETFAULT_UP_QUEUE, NETFAULT_DOWN_QUEUE
# and NETFAULT_INJECTOR (the built binary). Everything is removed on exit, also on failure or a signal.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVER_ADDR=10.231.0.1
CLIENT_ADDR=10.231.0.2
PREFIX_LEN=30
PORT=8765
UP_QUEUE=1
DOWN_QUEUE=2
INJECTOR=target/netfault/injector
HEADER=/usr/include/libnetfilter_queue/libnetfilter_queue.h

# Why this machine cannot run the suite, or nothing.
missing() {
  [ "$(id -u)" = 0 ] || { echo "not root (network namespaces and iptables need root)"; return; }
  for tool in ip iptables gcc node; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool is not installed (bash scripts/setup.sh --netfault)"; return; }
  done
  [ -f "$HEADER" ] || { echo "libnetfilter-queue-dev is not installed (bash scripts/setup.sh --netfault)"; return; }
  [ -e /proc/net/netfilter/nfnetlink_queue ] || modprobe nfnetlink_queue 2>/dev/null ||
    { echo "the kernel has no NFQUEUE (nfnetlink_queue)"; return; }
  local probe="netfault-probe-$$"
  if ! ip netns add "$probe" 2>/dev/null; then echo "cannot create a network namespace"; return; fi
  ip netns del "$probe"
}

if [ "${1:-}" = check ]; then
  reason="$(missing)"
  [ -z "$reason" ] && exit 0
  echo "$reason"
  exit 1
fi
[ $# -gt 0 ] || { echo "usage: $0 check | CMD [ARG...]" >&2; exit 2; }
reason="$(missing)"
if [ -n "$reason" ]; then echo "netfault: cannot run: $reason" >&2; exit 3; fi

if [ ! -x "$INJECTOR" ] || [ tests/netfault/injector.c -nt "$INJECTOR" ]; then
  mkdir -p "$(dirname "$INJECTOR")"
  gcc -O2 -Wall -Wextra -Werror -o "$INJECTOR" tests/netfault/injector.c -lnetfilter_queue -lnfnetlink
fi

SERVER_NS="netfault-server-$$"
CLIENT_NS="netfault-client-$$"
VETH_SERVER="nfs$$"
VETH_CLIENT="nfc$$"

cleanup() {
  for ns in "$CLIENT_NS" "$SERVER_NS"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      sleep 0.2
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  ip link del "$VETH_SERVER" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$SERVER_NS"
ip netns add "$CLIENT_NS"
ip link add "$VETH_SERVER" type veth peer name "$VETH_CLIENT"
ip link set "$VETH_SERVER" netns "$SERVER_NS"
ip link set "$VETH_CLIENT" netns "$CLIENT_NS"
ip -n "$SERVER_NS" addr add "$SERVER_ADDR/$PREFIX_LEN" dev "$VETH_SERVER"
ip -n "$CLIENT_NS" addr add "$CLIENT_ADDR/$PREFIX_LEN" dev "$VETH_CLIENT"
for ns in "$SERVER_NS" "$CLIENT_NS"; do ip -n "$ns" link set lo up; done
ip -n "$SERVER_NS" link set "$VETH_SERVER" up
ip -n "$CLIENT_NS" link set "$VETH_CLIENT" up
# --queue-bypass: while no injector listens, packets pass untouched.
ip netns exec "$CLIENT_NS" iptables -A OUTPUT -p tcp -d "$SERVER_ADDR" --dport "$PORT" -j NFQUEUE --queue-num "$UP_QUEUE" --queue-bypass
ip netns exec "$CLIENT_NS" iptables -A INPUT -p tcp -s "$SERVER_ADDR" --sport "$PORT" -j NFQUEUE --queue-num "$DOWN_QUEUE" --queue-bypass

export NETFAULT_SERVER_NS="$SERVER_NS" NETFAULT_SERVER_ADDR="$SERVER_ADDR" NETFAULT_PORT="$PORT"
export NETFAULT_UP_QUEUE="$UP_QUEUE" NETFAULT_DOWN_QUEUE="$DOWN_QUEUE" NETFAULT_INJECTOR="$PWD/$INJECTOR"
rc=0
ip netns exec "$CLIENT_NS" "$@" || rc=$?
exit "$rc"
