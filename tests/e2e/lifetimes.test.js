'use strict';
// Page code re-entering the client (docs: the contract's "Re-entrancy and lifetimes" and request-id
// rules), against the built package and the real test server: each case here failed on the package
// before the fix that goes with it (listener snapshot, free() inside a method, Symbol.dispose, request ids,
// data that cannot carry an id, Blob, duplicate subprotocols).
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { loadPackage, withServer, waitEvent, thrown, assertCode, rejection } = require('./helpers.js');

const { SocketClient } = loadPackage();

let server;
withServer((s) => {
  server = s;
});

const closedClient = (extra) => new SocketClient({ url: server.url, platform: WebSocket, startClosed: true, ...extra });

test('a listener added during an emit hears the next event, not the one being emitted', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  const heard = [];
  c.on('state', function again(e) {
    heard.push(e.from + '>' + e.to);
    // Re-adding itself must not make this emit loop.
    if (heard.length < 50) c.on('state', again);
  });
  await waitEvent(c, 'open');
  // One listener when connecting -> open was emitted: heard once, though it added a copy while running.
  assert.equal(heard.filter((h) => h === 'connecting>open').length, 1, heard.join(' '));
  // Every call so far added one copy: that many listeners (and the first) hear the next emit, exactly.
  const listeners = 1 + heard.length;
  const before = heard.length;
  c.close();
  const next = heard[before];
  assert.equal(heard.slice(before, before + listeners).every((h) => h === next), true, heard.join(' '));
  assert.notEqual(heard[before + listeners], next, 'a copy added during the emit did not hear it: ' + heard.join(' '));
  c.free();
});

test('free() from a close listener while close() runs: no throw, later calls are typed CLOSED errors', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  let closes = 0;
  c.on('close', () => {
    closes += 1;
    c.free();
  });
  assert.equal(thrown(() => c.close()), null);
  assert.equal(closes, 1);
  assertCode(thrown(() => c.send({ a: 1 })), 'CLOSED', 'send after free');
  assertCode(thrown(() => c.reconnect()), 'CLOSED', 'reconnect after free');
  assert.equal(c.state, 'closed');
  c.free(); // idempotent
});

test('free() rejects pending requests with CLOSED', async () => {
  const c = closedClient();
  const p = c.request({ method: 'never' });
  c.free();
  assertCode(await rejection(p), 'CLOSED', 'pending request after free');
  assertCode(await rejection(c.request({ method: 'x' })), 'CLOSED', 'request after free');
});

test('Symbol.dispose goes through free(): later calls are typed CLOSED errors', { skip: typeof Symbol.dispose !== 'symbol' && 'this Node has no Symbol.dispose' }, () => {
  const c = closedClient();
  c[Symbol.dispose]();
  assertCode(thrown(() => c.send('x')), 'CLOSED', 'send after dispose');
  assertCode(thrown(() => c.on('open', () => {})), 'CLOSED', 'on after dispose');
});

test('automatic request ids never equal a pending id; a second pending request with the same id is refused', async () => {
  const c = closedClient();
  const mine = c.request({ id: 1, method: 'mine' });
  const auto = { method: 'auto' };
  const autoP = c.request(auto);
  assert.notEqual(auto.id, 1, 'the fresh id skipped the pending user id 1');
  assert.equal(typeof auto.id, 'number');
  assertCode(await rejection(c.request({ id: 1, method: 'again' })), 'INVALID_OPTION', 'a second pending id 1');
  assertCode(await rejection(c.request({ id: auto.id, method: 'again' })), 'INVALID_OPTION', 'a second pending automatic id');
  // A string id '1' is another id than the number 1.
  const s = c.request({ id: '1', method: 'string' });
  c.close();
  for (const p of [mine, autoP, s]) assertCode(await rejection(p), 'CLOSED', 'pending at close()');
  c.free();
});

test('request() on data that cannot carry its id rejects at once with INVALID_OPTION, and sends nothing', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  const cases = [
    ['null', null],
    ['a string', 'text'],
    ['an array', [1, 2]],
    ['a frozen object', Object.freeze({ method: 'f' })],
    ['a sealed object', Object.seal({ method: 'f' })],
    ['a Date', new Date(0)],
    ['a Uint8Array', new Uint8Array(4)],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['an object with toJSON', { toJSON: () => 'x' }],
  ];
  const sentBefore = c.stats.messagesSent;
  for (const [label, data] of cases) {
    const started = Date.now();
    const err = await rejection(c.request(data, { timeoutMs: 60000 }));
    assertCode(err, 'INVALID_OPTION', label);
    assert.ok(Date.now() - started < 30000, `${label}: rejected at once, not at its timeout`);
  }
  assert.equal(c.stats.messagesSent, sentBefore, 'nothing was sent');
  // The client still answers requests.
  const reply = await c.request({ method: 'time', params: { n: 1 } });
  assert.equal(reply.result.method, 'time');
  c.close();
  c.free();
});

test('send(Blob) is a typed SERIALIZE error, not the frame {}', { skip: typeof Blob !== 'function' && 'no Blob in this Node' }, () => {
  const c = closedClient();
  assertCode(thrown(() => c.send(new Blob(['abc']))), 'SERIALIZE', 'send(Blob)');
  assert.equal(c.queuedCount, 0, 'nothing queued');
  c.free();
});

test('duplicate subprotocols are refused at construction', () => {
  assertCode(thrown(() => closedClient({ protocols: ['chat', 'chat'] })), 'INVALID_OPTION', 'protocols twice');
  const ok = closedClient({ protocols: ['chat', 'json'] });
  ok.free();
});

test('shouldReconnect may read the client and call close(): no trap, its answer holds', async () => {
  const seen = [];
  const c = new SocketClient({
    url: server.url,
    platform: WebSocket,
    reconnect: {
      minDelayMs: 50,
      jitter: 0,
      shouldReconnect: ({ code }) => {
        seen.push({ code, state: c.state, retryCount: c.retryCount, queued: c.queuedCount });
        return code !== 4001;
      },
    },
  });
  await waitEvent(c, 'open');
  const closed = waitEvent(c, 'close');
  server.closeAll(4001, 'go away');
  const ev = await closed;
  assert.equal(ev.willReconnect, false, 'a predicate answering false stops the retries');
  assert.equal(c.state, 'closed');
  assert.equal(seen.length, 1);
  assert.equal(seen[0].code, 4001);
  assert.equal(typeof seen[0].state, 'string');
  assert.equal(seen[0].retryCount, 0);
  c.free();

  // close() from inside the predicate: the client ends closed, with one close event.
  const d = new SocketClient({
    url: server.url,
    platform: WebSocket,
    reconnect: { minDelayMs: 50, jitter: 0, shouldReconnect: () => { d.close(); return true; } },
  });
  await waitEvent(d, 'open');
  let closes = 0;
  d.on('close', () => { closes += 1; });
  server.closeAll(4002, 'bye');
  await waitEvent(d, 'state', (e) => e.to === 'closed');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(d.state, 'closed', 'no retry after close() in the predicate');
  assert.equal(closes, 1, 'one close event');
  d.free();
});
