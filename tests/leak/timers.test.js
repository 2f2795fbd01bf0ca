'use strict';
// An idle client must not keep waking the JS thread. Found while writing the fuzz targets: the driver
// hands the engine's next deadline to setTimeout as is, and setTimeout (Node, browsers, and mini-program
// runtimes built on them) fires at once for any delay above 2^31 − 1 ms (24.8 days). Options accept times
// up to 2^53, so `heartbeat.intervalMs`, `requestTimeoutMs`, `request(.., { timeoutMs })`,
// `reconnect.maxDelayMs`/`minUptimeMs` or `connectTimeoutMs` above 24.8 days turn the one timer into a
// busy loop: it fires every millisecond, finds nothing due, and is armed again (hundreds of wake-ups a
// second for as long as the deadline is pending: battery on a phone). The driver now caps the delay it
// passes to setTimeout (an early firing is harmless: the engine re-arms); these tests keep it so.
// Each scenario counts setTimeout calls over 300 ms of an idle client on the scripted fake `wx`.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { ROOT, ensurePackage, loadFakeWx } = require('../e2e/helpers.js');
const MAX_TIMEOUT = 2147483647;

const realSetTimeout = setTimeout;
const sleep = (ms) => new Promise((r) => realSetTimeout(r, ms));

// Counts the setTimeout calls made while `during` runs; Node's overflow warning is silenced meanwhile.
async function countTimers(during) {
  let calls = 0;
  let overLimit = 0;
  const onWarning = process.emitWarning;
  process.emitWarning = function (w, ...rest) {
    if (/TimeoutOverflowWarning/.test(String(w && (w.name || w)) + rest.join(' '))) return;
    return onWarning.call(process, w, ...rest);
  };
  global.setTimeout = function (fn, ms, ...args) {
    calls += 1;
    if (ms > MAX_TIMEOUT) overLimit += 1;
    return realSetTimeout(fn, ms, ...args);
  };
  try {
    await during();
  } finally {
    global.setTimeout = realSetTimeout;
    process.emitWarning = onWarning;
  }
  return { calls, overLimit };
}

const DAY = 24 * 3600 * 1000;
const scenarios = [
  { name: 'heartbeat.intervalMs of 30 s, open and idle (the control)', options: { heartbeat: { intervalMs: 30000, timeoutMs: 5000 } }, open: true },
  { name: 'heartbeat.intervalMs of 30 days, open and idle', options: { heartbeat: { intervalMs: 30 * DAY, timeoutMs: 5000 } }, open: true },
  { name: 'a request with timeoutMs of 30 days, open, no reply', options: {}, open: true, request: 30 * DAY },
  { name: 'requestTimeoutMs of 2^53 - 1, open, no reply', options: { requestTimeoutMs: Number.MAX_SAFE_INTEGER }, open: true, request: undefined },
  { name: 'reconnect.minDelayMs of 30 days, waiting to retry', options: { reconnect: { minDelayMs: 30 * DAY, maxDelayMs: 30 * DAY, jitter: 0 } }, open: false },
];

for (const s of scenarios) {
  test(`an idle client wakes the JS thread at most twice in 300 ms: ${s.name}`, async () => {
    ensurePackage();
    const { SocketClient } = require(path.join(ROOT, 'pkg'));
    const createFakeWx = await loadFakeWx();
    const ctrl = createFakeWx();
    const client = new SocketClient(Object.assign({ url: 'wss://example.com/ws', platform: ctrl.wx, connectTimeoutMs: 50, lifecycle: false }, s.options));
    let pending = null;
    if (s.open) {
      ctrl.lastTask().serverOpen({});
      if ('request' in s) {
        pending = client.request({ method: 'slow' }, s.request === undefined ? undefined : { timeoutMs: s.request });
        pending.catch(() => {});
      }
    } else {
      ctrl.lastTask().serverClose(1006, 'gone');
    }
    // Past the 50 ms connect timer (armed first), so only the long deadline is left.
    await sleep(120);
    const seen = await countTimers(() => sleep(300));
    const state = client.state;
    client.close();
    client.free();
    await sleep(5);
    console.log(`${s.name}: state ${state}, ${seen.calls} setTimeout calls in 300 ms (${seen.overLimit} with a delay over 2^31 - 1 ms)`);
    assert.strictEqual(state, s.open ? 'open' : 'waiting');
    assert.ok(seen.calls <= 2, `${seen.calls} timer wake-ups in 300 ms of an idle client (${seen.overLimit} asked for more than 2^31 - 1 ms, which setTimeout fires at once)`);
  });
}
