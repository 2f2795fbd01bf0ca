'use strict';
// The short bad-network run (scripts/test.sh): the built package in Node against the peer server across a
// faulty veth link in two network namespaces (tests/netfault/netns.sh, injector.c). Covers, per scenario
// of scenarios.js (their `short` lengths, under 90 s together):
// - clean link: nothing lost, no heartbeat timeout, no duplicate;
// - every scenario: the client is open again once the link is good, and no message is lost without being
//   counted (stats.dropped, UNCONFIRMED_LOST) — docs/contract.md, Frames lost with a connection;
// - 400 ms ± 100 each way (RTT up to 1 s, the heartbeat timeout): no heartbeat timeout (the adaptive timeout);
// - a dead socket is terminated: the client side never holds more than one established socket;
// - 10 s blackhole: messages arrive again within 3 s of the link coming back;
// - 30% loss and the 64 kbit/s uplink with at-least-once sends (messageIdField): none lost at all.
// - the 64 kbit/s uplink: no heartbeat timeout (every pong comes back; a ping waits behind the backlog).
// Where this machine cannot run it (not root, no iptables, no NFQUEUE), every test is skipped with the
// reason: a skip, never a pass.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NETNS = path.join(__dirname, 'netns.sh');
const RUN_BUDGET_MS = 240000;

function cannotRun() {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'package.json'))) return 'the package is not built (bash scripts/build-pkg.sh)';
  const check = spawnSync('bash', [NETNS, 'check'], { encoding: 'utf8' });
  return check.status === 0 ? null : check.stdout.trim() || check.stderr.trim() || `netns.sh check exited ${check.status}`;
}

const reason = cannotRun();
if (reason) console.log(`# netfault: skipped: ${reason}`);

let results = null;
let runFailure = null;
function resultsOf(scenario, peer = 'ours') {
  // One run for every test: a failed run fails them all, it is not run again for the next test.
  if (runFailure) throw runFailure;
  if (!results) {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netfault-')), 'short.json');
    const run = spawnSync('bash', [NETNS, process.execPath, path.join(__dirname, 'run.js'), '--short', '--peers', 'ours,ours-alo', '--json', out],
      { encoding: 'utf8', timeout: RUN_BUDGET_MS, stdio: ['ignore', 'pipe', 'pipe'] });
    process.stdout.write(run.stdout.replace(/\t/g, '  '));
    if (run.status !== 0) {
      runFailure = new Error(`the short run failed (exit ${run.status}, ${run.signal || 'no signal'}):\n${run.stderr}`);
      throw runFailure;
    }
    results = JSON.parse(fs.readFileSync(out, 'utf8')).results;
  }
  const r = results.find((x) => x.scenario === scenario && x.peer === peer);
  assert.ok(r, `no result for ${scenario} (${peer})`);
  return r;
}

const opts = reason ? { skip: reason } : {};

test('clean link: every message arrives once, no heartbeat timeout', opts, () => {
  const r = resultsOf('clean');
  assert.ok(r.sent > 0);
  assert.equal(r.received, r.sent);
  assert.equal(r.duplicates, 0);
  assert.equal(r.hbTimeouts, 0);
});

for (const scenario of ['delay-400', 'loss-30', 'uplink-64k', 'blackhole-10s']) {
  test(`${scenario}: open again once the link is good; nothing lost without being counted; one socket at a time`, opts, () => {
    const r = resultsOf(scenario);
    assert.equal(r.stateAtEnd, 'open');
    assert.ok(r.received > 0, `nothing arrived of ${r.sent}`);
    assert.equal(r.silent, 0, `${r.lost} lost, ${r.counted} counted`);
    assert.ok(r.lostFramesReported <= r.dropped, 'every UNCONFIRMED_LOST frame is in stats.dropped');
    assert.ok(r.clientPeak <= 1, `${r.clientPeak} established sockets at once`);
  });
}

test('delay-400: no heartbeat timeout while every pong comes back within the measured round trip', opts, () => {
  assert.equal(resultsOf('delay-400').hbTimeouts, 0);
});

test('blackhole-10s: messages arrive again within 3 s of the link coming back', opts, () => {
  const r = resultsOf('blackhole-10s');
  assert.notEqual(r.recoveryMs, null, 'nothing arrived after the outage');
  assert.ok(r.recoveryMs < 3000, `${r.recoveryMs} ms`);
});

for (const scenario of ['loss-30', 'uplink-64k']) {
  test(`${scenario} with at-least-once sends (messageIdField): every message arrives`, opts, () => {
    const r = resultsOf(scenario, 'ours-alo');
    assert.ok(r.sent > 0);
    assert.equal(r.lost, 0, `${r.lost} of ${r.sent} lost (${r.duplicates} duplicates)`);
    assert.equal(r.stateAtEnd, 'open');
  });
}

test('uplink-64k: no heartbeat timeout while every ping waits behind the client\'s own backlog', opts, () => {
  const r = resultsOf('uplink-64k');
  assert.equal(r.hbTimeouts, 0, JSON.stringify(r.verdicts));
});
