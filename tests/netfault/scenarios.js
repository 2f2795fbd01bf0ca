'use strict';
// The bad-network scenarios. Each names the link (injector settings, see injector.c), the traffic the
// client offers and, for an outage, when it starts and ends. `long` runs take 60 s each
// (scripts/netfault.sh); `short` ones are the step in scripts/test.sh (all of them in well under 90 s).
//
// One heartbeat for every scenario, the one the issue measured with: a ping after 2 s of silence,
// 1 s to answer it. The baseline gets a hand-written heartbeat of the same timing.

const HEARTBEAT = { intervalMs: 2000, timeoutMs: 1000 };
const SMALL = 200;
const LARGE = 2048;

// link: injector `set both|up|down ...` lines applied at the start; outage: blackhole both ways from
// `at` for `ms` (ms from the start of sending); traffic: messages per second and their size, for
// `sendMs`; the run lasts `ms`. `atLeastOnce`: also run our client with at-least-once sends (peers.js,
// ours-alo) on this link.
const SCENARIOS = [
  {
    name: 'clean',
    what: 'a perfect link (the control)',
    link: [],
    traffic: { perSecond: 20, bytes: SMALL },
    long: { ms: 60000, sendMs: 60000 },
    short: { ms: 4000, sendMs: 4000 },
  },
  {
    name: 'delay-400',
    what: '400 ms ± 100 each way (RTT up to 1 s, the heartbeat timeout)',
    link: ['set both delay=400 jitter=100'],
    traffic: { perSecond: 20, bytes: SMALL },
    long: { ms: 60000, sendMs: 60000 },
    short: { ms: 8000, sendMs: 8000 },
  },
  {
    name: 'delay-800',
    what: '800 ms ± 200 each way (RTT 1.2–2 s, above the heartbeat timeout)',
    link: ['set both delay=800 jitter=200'],
    traffic: { perSecond: 20, bytes: SMALL },
    long: { ms: 60000, sendMs: 60000 },
    short: null,
  },
  {
    name: 'loss-30',
    what: '30% of packets lost each way',
    link: ['set both loss=30'],
    atLeastOnce: true,
    traffic: { perSecond: 20, bytes: SMALL },
    long: { ms: 60000, sendMs: 60000 },
    short: { ms: 12000, sendMs: 12000 },
  },
  {
    name: 'uplink-64k',
    what: 'a 64 kbit/s uplink (50-packet buffer), 2 KiB messages at 10/s for half the run',
    link: ['set up rate=64 limit=50'],
    atLeastOnce: true,
    traffic: { perSecond: 10, bytes: LARGE },
    long: { ms: 60000, sendMs: 30000 },
    short: { ms: 12000, sendMs: 8000 },
  },
  {
    name: 'blackhole-10s',
    what: 'every packet dropped both ways for 10 s, then a perfect link',
    link: [],
    outage: { at: 5000, ms: 10000 },
    traffic: { perSecond: 10, bytes: SMALL },
    long: { ms: 60000, sendMs: 60000 },
    short: { ms: 22000, sendMs: 22000 },
  },
];

module.exports = { SCENARIOS, HEARTBEAT };
