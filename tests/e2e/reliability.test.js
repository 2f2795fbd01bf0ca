'use strict';
// End-to-end reliability: the built package (pkg/) against the real fault-injecting server.
//   node --test tests/e2e/
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const {
  loadPackage, loadServer, loadWxFactory, sleep, waitEvent, waitUntil, recorder, readLog, checkMessages,
} = require('./helpers.js');

const { SocketClient } = loadPackage();
const { startServer } = loadServer();

const FAST = { minDelayMs: 50, maxDelayMs: 400, factor: 2, jitter: 0 };

let server;
const clients = [];
function client(options) {
  const cl = new SocketClient({ url: server.url, platform: WebSocket, reconnect: FAST, ...options });
  clients.push(cl);
  return cl;
}
function openClient(options) {
  const cl = client(options);
  return waitEvent(cl, 'open').then(() => cl);
}

test.before(async () => {
  server = await startServer({ port: 0 });
});
test.afterEach(async () => {
  for (const cl of clients.splice(0)) {
    try {
      cl.close();
    } catch (_) { /* already closed */ }
  }
  await server.reset({ kill: true });
});
test.after(async () => {
  await server.stop();
});

test('reconnects after kill (no close frame)', async () => {
  const cl = await openClient();
  const closed = waitEvent(cl, 'close');
  const reopened = waitEvent(cl, 'open', (e) => e.reconnected === true);
  server.kill();
  const ev = await closed;
  assert.equal(ev.code, 1006);
  assert.equal(ev.willReconnect, true);
  assert.equal(ev.delayMs, 50);
  await reopened;
  assert.equal(cl.state, 'open');
  assert.equal(cl.send({ after: 'kill' }), true);
});

test('reconnects after a server close (4000 "bye"), close event carries code and reason', async () => {
  const cl = await openClient();
  const closed = waitEvent(cl, 'close');
  const reopened = waitEvent(cl, 'open', (e) => e.reconnected);
  server.closeAll(4000, 'bye');
  const ev = await closed;
  assert.equal(ev.code, 4000);
  assert.equal(ev.reason, 'bye');
  assert.equal(ev.willReconnect, true);
  await reopened;
});

// A retry after a refused attempt waits its backoff delay counted from that attempt's start: the formula's
// value less the time the refusal took on loopback (a few ms; this allows REFUSAL_MS).
const REFUSAL_MS = 50;
function assertDelays(delays, formula) {
  assert.equal(delays.length, formula.length, `delays ${delays}`);
  delays.forEach((d, i) => assert.ok(d <= formula[i] && d >= formula[i] - REFUSAL_MS, `retry ${i + 1}: ${d} for ${formula[i]} (delays ${delays})`));
}

test('reconnects after a restart with 600 ms down, retrying with the configured backoff', async () => {
  const cl = await openClient();
  const rec = recorder(cl);
  const reopened = waitEvent(cl, 'open', (e) => e.reconnected, 5000);
  await server.restart(600);
  await reopened;
  const delays = rec.of('reconnecting').map((e) => e.delayMs);
  // retries while down: 50, 100, 200, 400 (max), ... until the port listens again; each counted from the
  // start of the refused attempt (docs/contract.md, Reconnecting), so less the few ms a refusal takes
  assert.ok(delays.length >= 2, `retries: ${delays}`);
  const expected = [50, 100, 200, 400, 400, 400];
  assertDelays(delays, expected.slice(0, delays.length));
  assert.ok(rec.of('error').some((e) => e.code === 'CONNECT_FAILED'));
});

test('backoff with jitter 0 is exact: min 100, max 1000, factor 2 → 100 200 400 800 1000 1000; measured gaps agree', async () => {
  await server.refuse(0);
  const cl = client({ reconnect: { minDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0 } });
  const rec = recorder(cl);
  await waitUntil(() => rec.of('reconnecting').length >= 6, 8000, '6 retries');
  await server.accept();
  await waitEvent(cl, 'open', () => true, 3000);
  const delays = rec.of('reconnecting').slice(0, 6).map((e) => e.delayMs);
  assertDelays(delays, [100, 200, 400, 800, 1000, 1000]);
  assert.deepEqual(rec.of('reconnecting').slice(0, 6).map((e) => e.attempt), [1, 2, 3, 4, 5, 6]);
  // the time from each 'reconnecting' to the next 'connecting' state is the delay (timer slack ≤ 100 ms)
  const ev = rec.events;
  for (let i = 0, n = 0; i < ev.length && n < 6; i++) {
    if (ev[i].name !== 'reconnecting') continue;
    const next = ev.slice(i).find((e) => e.name === 'state' && e.payload.to === 'connecting');
    const gap = next.t - ev[i].t;
    assert.ok(gap >= ev[i].payload.delayMs - 20 && gap <= ev[i].payload.delayMs + 100, `retry ${n + 1}: gap ${gap} for ${ev[i].payload.delayMs}`);
    n += 1;
  }
});

const detections = [];
for (const hb of [{ intervalMs: 500, timeoutMs: 500 }, { intervalMs: 1000, timeoutMs: 1000 }, { intervalMs: 1000, timeoutMs: 300 }]) {
  test(`heartbeat ${hb.intervalMs}/${hb.timeoutMs}: a stalled server is detected within interval + timeout (+1000 ms), 3 times`, async () => {
    const cl = await openClient({ heartbeat: hb });
    for (let round = 0; round < 3; round++) {
      await sleep(150 + round * 170); // stall at different phases of the ping cycle
      const err = waitEvent(cl, 'error', (e) => e.code === 'HEARTBEAT_TIMEOUT', hb.intervalMs + hb.timeoutMs + 3000);
      const at = Date.now();
      server.stall();
      await err;
      const took = Date.now() - at;
      detections.push({ ...hb, took });
      assert.ok(took <= hb.intervalMs + hb.timeoutMs + 1000, `detected after ${took} ms`);
      await waitEvent(cl, 'open', (e) => e.reconnected, 3000);
    }
  });
}
test('heartbeat figures', () => {
  const lines = detections.map((d) => `${d.intervalMs}/${d.timeoutMs}: ${d.took} ms`);
  console.log(`# heartbeat detection times (interval/timeout: measured): ${lines.join(', ')}`);
  assert.ok(detections.length >= 9);
});

test('connect timeout against a server that never upgrades (hang, wx platform), then it connects when the server answers', async () => {
  const wxOverWebSocket = await loadWxFactory();
  const h = wxOverWebSocket(WebSocket);
  server.hang(true);
  const cl = client({ platform: h.wx, connectTimeoutMs: 400 });
  const t = Date.now();
  const err = await waitEvent(cl, 'error', (e) => e.code === 'CONNECT_TIMEOUT', 3000);
  const took = Date.now() - t;
  assert.ok(took >= 380 && took <= 900, `timeout after ${took} ms`);
  assert.equal(typeof err.message, 'string');
  await waitEvent(cl, 'reconnecting', () => true, 2000);
  server.hang(false);
  await waitEvent(cl, 'open', () => true, 5000);
});

// Client bug (js-shim WsConn.close): it clears ws.onerror before calling ws.close(); npm `ws` emits 'error'
// when a CONNECTING socket is closed, and with no listener left Node throws it as an uncaught exception.
// Run in a child process so the crash cannot take the test runner down.
const CRASH_CASES = {
  'connect timeout': `s.hang(true); const c = new SocketClient({ url: s.url, platform: WebSocket, connectTimeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 800)); c.close();`,
  'close() while connecting': `const c = new SocketClient({ url: s.url, platform: WebSocket }); c.close();
    await new Promise((r) => setTimeout(r, 300));`,
};
for (const [name, body] of Object.entries(CRASH_CASES)) {
  test(`platform = npm ws constructor: ${name} does not crash the process`, {
  }, () => {
    const { spawnSync } = require('node:child_process');
    const path = require('node:path');
    const root = path.resolve(__dirname, '..', '..');
    const script = `const { SocketClient } = require(${JSON.stringify(path.join(root, 'pkg'))});
      const { startServer } = require(${JSON.stringify(path.join(root, 'tests/server/server.js'))});
      const WebSocket = require('ws');
      (async () => { const s = await startServer({ port: 0 }); ${body} await s.stop(); console.log('survived'); })();`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 0, r.stderr.split('\n').slice(0, 6).join('\n'));
    assert.match(r.stdout, /survived/);
  });
}

test('shouldReconnect stops on 4001 and the client stays closed', async () => {
  const seen = [];
  const cl = await openClient({
    reconnect: { ...FAST, shouldReconnect: (c) => { seen.push(c); return c.code !== 4001; } },
  });
  const rec = recorder(cl);
  server.closeAll(4001, 'unauthorised');
  const ev = await waitEvent(cl, 'close');
  assert.equal(ev.code, 4001);
  assert.equal(ev.willReconnect, false);
  await sleep(800);
  assert.equal(cl.state, 'closed');
  assert.equal(rec.of('reconnecting').length, 0);
  assert.equal(server.stats().open, 0);
  assert.ok(seen.some((c) => c.code === 4001 && c.reason === 'unauthorised'));
  // reconnect() revives it
  cl.reconnect();
  await waitEvent(cl, 'open', () => true, 2000);
});

test('messages sent during an outage arrive after reconnect, in order, exactly once', async () => {
  const cl = await openClient();
  let seq = 0;
  for (; seq < 20; seq++) assert.equal(cl.send({ k: 'm', seq }), true);
  await sleep(100);
  await server.refuse(0);
  server.kill();
  await waitUntil(() => cl.state !== 'open', 2000, 'the client noticing');
  for (; seq < 220; seq++) assert.equal(cl.send({ k: 'm', seq }), false);
  assert.equal(cl.queuedCount, 200);
  await sleep(300);
  await server.accept();
  await waitEvent(cl, 'open', () => true, 3000);
  assert.equal(cl.queuedCount, 0);
  for (; seq < 240; seq++) cl.send({ k: 'm', seq });
  await waitUntil(() => readLog(server).messages.length >= 240, 3000, 'all messages logged');
  const check = checkMessages(readLog(server).messages, 240);
  assert.deepEqual(check.missing, []);
  assert.deepEqual(check.duplicated, []);
  assert.equal(check.outOfOrder, 0);
});

test('requests in flight when the connection dies are answered after reconnect (at-least-once), none lost', async () => {
  const cl = await openClient({ heartbeat: { intervalMs: 300, timeoutMs: 300 }, requestTimeoutMs: 10000 });
  server.stall(); // the server stops answering: requests sent now are in flight on a dead connection
  const replies = [];
  for (let r = 0; r < 30; r++) replies.push(cl.request({ method: 'r', params: { rseq: r } }));
  await waitEvent(cl, 'error', (e) => e.code === 'HEARTBEAT_TIMEOUT', 3000);
  const results = await Promise.all(replies);
  results.forEach((res, r) => assert.equal(res.result.params.rseq, r));
  const seen = new Set(readLog(server).requests.map((q) => q.rseq));
  assert.equal(seen.size, 30);
  // and a kill with requests in flight (the server may or may not have answered them before dying)
  const more = [];
  for (let r = 30; r < 60; r++) more.push(cl.request({ method: 'r', params: { rseq: r } }));
  server.kill();
  const res2 = await Promise.all(more);
  res2.forEach((res, i) => assert.equal(res.result.params.rseq, 30 + i));
});

test('the 6th simultaneous client on the 5-socket wx platform gets CONNECT_FAILED; the other 5 keep working', async () => {
  const wxOverWebSocket = await loadWxFactory();
  const h = wxOverWebSocket(WebSocket);
  const five = [];
  for (let i = 0; i < 5; i++) five.push(await openClient({ platform: h.wx, reconnect: { ...FAST, maxRetries: 0 } }));
  assert.equal(h.liveCount(), 5);
  const sixth = client({ platform: h.wx, reconnect: { ...FAST, maxRetries: 1 } });
  const rec = recorder(sixth);
  const err = await waitEvent(sixth, 'error', (e) => e.code === 'CONNECT_FAILED', 3000);
  assert.match(err.errMsg || err.message, /max websocket connect count 5|connect/);
  await waitUntil(() => sixth.state === 'closed', 3000, 'the 6th client giving up');
  assert.ok(rec.of('error').some((e) => e.code === 'RETRIES_EXHAUSTED'));
  for (const [i, cl] of five.entries()) {
    assert.equal(cl.state, 'open');
    const reply = await cl.request({ method: 'r', params: { rseq: i } }, { timeoutMs: 2000 });
    assert.equal(reply.result.params.rseq, i);
  }
  // closing one frees a slot for the 6th
  five[0].close();
  await waitUntil(() => h.liveCount() === 4, 2000, 'a free slot');
  sixth.reconnect();
  await waitEvent(sixth, 'open', () => true, 3000);
  assert.equal(h.liveCount(), 5);
});

test('network off: no attempts are spent; network on: connects at once', async () => {
  const wxOverWebSocket = await loadWxFactory();
  const h = wxOverWebSocket(WebSocket);
  const cl = await openClient({ platform: h.wx });
  h.setNetwork(false);
  await server.refuse(0);
  server.kill();
  await waitUntil(() => cl.state !== 'open', 2000, 'the drop');
  const connects = server.stats().tcpConnections;
  const rec = recorder(cl);
  await sleep(1000);
  assert.equal(rec.of('state').filter((e) => e.to === 'connecting').length, 0, 'no attempt while offline');
  assert.equal(server.stats().tcpConnections, connects);
  await server.accept();
  const t = Date.now();
  h.setNetwork(true);
  await waitEvent(cl, 'open', () => true, 2000);
  assert.ok(Date.now() - t < 300, `reconnected ${Date.now() - t} ms after the network came back`);
});

test('app show: a heartbeat client pings at once', async () => {
  const wxOverWebSocket = await loadWxFactory();
  const h = wxOverWebSocket(WebSocket);
  await openClient({ platform: h.wx, heartbeat: { intervalMs: 10000, timeoutMs: 500 } });
  h.hide();
  await sleep(200);
  const t = Date.now();
  h.show();
  await waitUntil(() => readLog(server).pings.some((p) => p.t >= t), 1000, 'a ping after show');
});
