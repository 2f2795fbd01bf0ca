'use strict';
// The defects of issue 13, one test each, against the built package (pkg/): page code (listeners,
// shouldReconnect, free(), a url function) running while the client is in the middle of something.
// The rules they check are the contract's "Re-entrancy and lifetimes" (docs/contract.md). The garbage
// collector's part (an unreferenced live client) is tests/leak/gc.test.js.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { loadPackage, loadServer, waitEvent, thrown, sleep } = require('../e2e/helpers.js');
const { loadFakeWx, recordEvents, assertCode, rejection, nextTick } = require('./support.js');

const { SocketClient } = loadPackage();
const { startServer } = loadServer();

let server;
let createFakeWx;
test.before(async () => {
  server = await startServer({ port: 0 });
  createFakeWx = await loadFakeWx();
});
test.after(async () => {
  await server.stop();
});

// ---- 2. shouldReconnect reading the client or closing it ----

test('2: shouldReconnect that reads state/retryCount and calls close() on 4001: no trap, no reconnect, free() works', async () => {
  const fake = createFakeWx();
  const seen = [];
  const c = new SocketClient({
    url: 'wss://example.test/s',
    platform: fake.wx,
    reconnect: {
      minDelayMs: 10,
      jitter: 0,
      shouldReconnect: ({ code }) => {
        seen.push([c.state, c.retryCount, c.queuedCount, c.bufferedAmount, typeof c.stats]);
        if (code === 4001) c.close();
        return code !== 4001;
      },
    },
  });
  fake.lastTask().serverOpen();
  // Many times over: thousands of traps corrupted the module's memory.
  for (let i = 0; i < 200; i++) {
    fake.lastTask().serverClose(4002, 'again');
    c.reconnect();
    fake.lastTask().serverOpen();
  }
  fake.lastTask().serverClose(4001, 'go away');
  assert.equal(c.state, 'closed');
  await sleep(30);
  assert.equal(c.state, 'closed', 'no retry after the predicate closed on 4001');
  assert.equal(seen.length, 201);
  assert.equal(thrown(() => c.free()), null);
});

test('4: free() in a close listener while close() runs: no plain Error, the object is released, later calls are CLOSED', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  fake.lastTask().serverOpen();
  c.on('close', () => c.free());
  assert.equal(thrown(() => c.close()), null);
  assertCode(thrown(() => c.send('x')), 'CLOSED', 'send after free');
  assert.equal(c.state, 'closed');
});

test('4: free() on an open client settles its pending requests (CLOSED)', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  fake.lastTask().serverOpen();
  const p = c.request({ method: 'never' }, { timeoutMs: 60000 });
  c.free();
  assertCode(await rejection(p), 'CLOSED', 'pending request after free()');
});

test('4: Symbol.dispose goes through the package: later calls are typed CLOSED errors', { skip: typeof Symbol.dispose !== 'symbol' && 'no Symbol.dispose' }, () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  c[Symbol.dispose]();
  for (const [label, f] of [['send', () => c.send(1)], ['close', () => c.close()], ['reconnect', () => c.reconnect()], ['retryCount', () => c.retryCount]]) {
    const e = thrown(f);
    assertCode(e, 'CLOSED', label);
    assert.doesNotMatch(e.message, /null pointer/);
  }
});

// ---- 5. request ids ----

test('5: an automatic id never equals a pending user id, so one reply settles one promise', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  fake.lastTask().serverOpen();
  const mine = c.request({ id: 1, method: 'mine' });
  const auto = {};
  const other = c.request(auto);
  assert.notEqual(auto.id, 1);
  fake.lastTask().serverMessage(JSON.stringify({ id: 1, result: 'for mine' }));
  assert.equal((await mine).result, 'for mine');
  fake.lastTask().serverMessage(JSON.stringify({ id: auto.id, result: 'for auto' }));
  assert.equal((await other).result, 'for auto');
  c.free();
});

// ---- 6. emit order ----

test('6: every listener hears the events in the order they happened, even when one calls close()', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  const heard = { first: [], second: [] };
  c.on('state', (e) => {
    heard.first.push(e.to);
    if (e.to === 'open') c.close();
  });
  c.on('state', (e) => heard.second.push(e.to));
  fake.lastTask().serverOpen();
  await sleep(10);
  assert.deepEqual(heard.second, heard.first);
  for (const list of [heard.first, heard.second]) assert.equal(list[list.length - 1], 'closed', list.join(' '));
  assert.equal(heard.second[0], 'open', heard.second.join(' '));
  c.free();
});

test('6: a listener that re-adds itself during an emit does not loop', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  let calls = 0;
  c.on('open', function again() {
    calls += 1;
    if (calls < 1000) c.on('open', again);
  });
  fake.lastTask().serverOpen();
  assert.equal(calls, 1);
  c.free();
});

// ---- 7. the smaller ones ----

test('7: request() on a frozen object, binary data or a Date rejects at once (INVALID_OPTION), nothing sent', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  fake.lastTask().serverOpen();
  for (const [label, data] of [['frozen', Object.freeze({ m: 1 })], ['Uint8Array', new Uint8Array(2)], ['Date', new Date(0)], ['DataView', new DataView(new ArrayBuffer(2))]]) {
    assertCode(await rejection(c.request(data, { timeoutMs: 60000 })), 'INVALID_OPTION', label);
  }
  await sleep(5);
  assert.equal(fake.lastTask().sent.length, 0);
  c.free();
});

test('7: send(Blob) is a typed SERIALIZE error and sends nothing', { skip: typeof Blob !== 'function' && 'no Blob' }, async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  fake.lastTask().serverOpen();
  assertCode(thrown(() => c.send(new Blob(['abc']))), 'SERIALIZE', 'send(Blob)');
  await sleep(5);
  assert.deepEqual(fake.lastTask().sent, []);
  c.free();
});

test('7: duplicate subprotocols are refused at construction (INVALID_OPTION), before any socket', () => {
  const fake = createFakeWx();
  assertCode(thrown(() => new SocketClient({ url: 'wss://example.test/s', platform: fake.wx, protocols: ['a', 'b', 'a'] })), 'INVALID_OPTION', 'protocols');
  assert.equal(fake.tasks.length, 0);
});
