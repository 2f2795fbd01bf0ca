'use strict';
// Issue 15 end to end, in Node with the npm `ws` platform: reply errors against a real JSON-RPC 2.0 server
// from npm (rpc-websockets) and with the `isError` option against the test server; `send(data, { ttlMs })`
// and `queue.ttlMs` (an EXPIRED event with the count, stats.dropped); volatile sends; `messageIdField`
// stamping; the durable outbox on `localStorage` (the browser path; a Storage-like stand-in with a quota,
// since Node has none); the options' checks.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { Server: RpcServer } = require('rpc-websockets');
const { loadPackage, loadServer, waitEvent, sleep, rejection } = require('./helpers.js');

const { SocketClient } = loadPackage();
const { startServer } = loadServer();

let server;
let rpc;
let rpcUrl;
test.before(async () => {
  server = await startServer({ port: 0 });
  rpc = new RpcServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => rpc.on('listening', resolve));
  rpc.register('sum', (params) => params.reduce((a, b) => a + b, 0));
  rpc.register('fail', () => {
    throw new Error('the method failed');
  });
  rpcUrl = `ws://127.0.0.1:${rpc.wss.address().port}`;
});
test.after(async () => {
  await rpc.close();
  await server.stop();
});
test.beforeEach(async () => {
  await server.reset({ kill: true });
});

function framesReceived() {
  return server.log().connections.flatMap((c) => c.frames.map((f) => f.data));
}

test('rpc-websockets: a result resolves; an unknown method and a throwing one reject REMOTE_ERROR with the server error', async () => {
  const c = new SocketClient({ url: rpcUrl, platform: WebSocket });
  await waitEvent(c, 'open');
  const ok = await c.request({ jsonrpc: '2.0', method: 'sum', params: [1, 2, 3] }, { timeoutMs: 2000 });
  assert.equal(ok.result, 6);
  const unknown = await rejection(c.request({ jsonrpc: '2.0', method: 'nope', params: [] }, { timeoutMs: 2000 }));
  assert.equal(unknown.code, 'REMOTE_ERROR');
  assert.equal(unknown.remote.code, -32601);
  assert.equal(unknown.reply.jsonrpc, '2.0');
  const failed = await rejection(c.request({ jsonrpc: '2.0', method: 'fail', params: [] }, { timeoutMs: 2000 }));
  assert.equal(failed.code, 'REMOTE_ERROR');
  assert.equal(typeof failed.remote.code, 'number');
  assert.equal((await c.request({ jsonrpc: '2.0', method: 'sum', params: [4] }, { timeoutMs: 2000 })).result, 4, 'still working');
  c.close();
  c.free();
});

test('isError(reply) replaces the JSON-RPC test: its errors reject REMOTE_ERROR, JSON-RPC errors then resolve; one that throws rejects', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket, isError: (r) => r.status === 'error' });
  await waitEvent(c, 'open');
  const e = await rejection(c.request({ status: 'error', error: { why: 'no' } }, { timeoutMs: 2000 }));
  assert.equal(e.code, 'REMOTE_ERROR');
  assert.deepEqual(e.remote, { why: 'no' });
  assert.equal(e.reply.status, 'error');
  assert.equal((await c.request({ status: 'ok' }, { timeoutMs: 2000 })).status, 'ok');
  const rpcStyle = await c.request({ jsonrpc: '2.0', error: { code: 1 } }, { timeoutMs: 2000 });
  assert.deepEqual(rpcStyle.error, { code: 1 }, 'the default test no longer applies');
  c.close();
  c.free();
  const t = new SocketClient({ url: server.url, platform: WebSocket, isError: () => { throw new Error('bad test'); } });
  await waitEvent(t, 'open');
  assert.equal((await rejection(t.request({ a: 1 }, { timeoutMs: 2000 }))).code, 'REMOTE_ERROR');
  t.close();
  t.free();
});

test('ttlMs and queue.ttlMs: frames that waited too long are dropped at the flush, one EXPIRED event with the count', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true, queue: { ttlMs: 60 } });
  const errors = [];
  c.on('error', (e) => errors.push(e));
  assert.equal(c.send({ n: 'default ttl' }), false);
  assert.equal(c.send({ n: 'short' }, { ttlMs: 30 }), false);
  assert.equal(c.send({ n: 'long' }, { ttlMs: 60000 }), false);
  await sleep(120);
  c.reconnect();
  await waitEvent(c, 'open');
  await sleep(100);
  assert.deepEqual(framesReceived().map((d) => JSON.parse(d).n), ['long']);
  assert.deepEqual(errors.map((e) => e.code), ['EXPIRED']);
  assert.match(errors[0].message, / 2 /);
  assert.equal(errors[0].count, 2);
  assert.equal(c.stats.dropped, 2);
  c.close();
  c.free();
});

test('volatile: sent only when open, otherwise dropped (false, stats.dropped), never queued', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true });
  assert.equal(c.send({ typing: 1 }, { volatile: true }), false);
  assert.equal(c.queuedCount, 0);
  assert.equal(c.stats.dropped, 1);
  c.reconnect();
  await waitEvent(c, 'open');
  assert.equal(c.send({ typing: 2 }, { volatile: true }), true);
  await sleep(100);
  assert.deepEqual(framesReceived().map((d) => JSON.parse(d).typing), [2]);
  c.close();
  c.free();
});

test('messageIdField stamps sent objects (a copy) and requests, 1, 2, 3…; arrays, binary and text-codec frames are left alone', async () => {
  const c = new SocketClient({ url: server.url + '/?dedup=mid&client=ids', platform: WebSocket, messageIdField: 'mid' });
  await waitEvent(c, 'open');
  const mine = { text: 'a' };
  c.send(mine);
  assert.deepEqual(mine, { text: 'a' }, 'the caller object is not changed');
  c.send({ text: 'own id', mid: 'given' });
  c.send([1, 2]);
  c.send(new Uint8Array([7]).buffer);
  const reply = await c.request({ method: 'm' }, { timeoutMs: 2000 });
  assert.equal(reply.result.method, 'm');
  c.send({ text: 'b' });
  await sleep(100);
  const sent = server.log().connections[0].frames;
  const texts = sent.filter((f) => f.kind === 'text').map((f) => JSON.parse(f.data));
  assert.deepEqual(texts, [{ text: 'a', mid: 1 }, { text: 'own id', mid: 'given' }, [1, 2], { method: 'm', mid: 2, id: texts[3].id }, { text: 'b', mid: 3 }]);
  assert.equal(sent.filter((f) => f.kind === 'binary').length, 1);
  c.close();
  c.free();
});

/** A Storage-like localStorage with a quota in UTF-16 units, throwing as browsers do when it is exceeded. */
function fakeLocalStorage(quota) {
  const items = new Map();
  return {
    items,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem(k, v) {
      let used = 0;
      for (const [key, value] of items) if (key !== k) used += key.length + value.length;
      if (used + k.length + String(v).length > quota) {
        const e = new Error("Failed to execute 'setItem' on 'Storage': Setting the value of '" + k + "' exceeded the quota.");
        e.name = 'QuotaExceededError';
        throw e;
      }
      items.set(k, String(v));
    },
  };
}

test('browser storage (localStorage): a client created again with the same key sends the stored frames first; a full quota is a STORAGE error', async (t) => {
  const saved = global.localStorage;
  t.after(() => {
    if (saved === undefined) delete global.localStorage;
    else global.localStorage = saved;
  });
  global.localStorage = fakeLocalStorage(1e6);
  const a = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true, queue: { persist: 'web-outbox' }, messageIdField: 'mid' });
  a.send({ text: 'queued-1' });
  a.send({ text: 'queued-2' }, { ttlMs: 60000 });
  await sleep(1100);
  const stored = JSON.parse(global.localStorage.getItem('web-outbox'));
  assert.equal(stored.version, 1);
  assert.equal(stored.nextMessageId, 3);
  assert.deepEqual(stored.frames.map((f) => JSON.parse(f.text).text), ['queued-1', 'queued-2']);
  assert.equal(typeof stored.frames[1].expiresAt, 'number');
  a.free(); // the page goes away

  const b = new SocketClient({ url: server.url, platform: WebSocket, queue: { persist: 'web-outbox' }, messageIdField: 'mid' });
  assert.equal(b.queuedCount, 2);
  b.send({ text: 'new' });
  await waitEvent(b, 'open');
  await sleep(100);
  assert.deepEqual(framesReceived().map((d) => [JSON.parse(d).text, JSON.parse(d).mid]), [['queued-1', 1], ['queued-2', 2], ['new', 3]]);
  b.close();
  b.free();

  global.localStorage = fakeLocalStorage(100);
  const full = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true, queue: { persist: 'web-outbox' } });
  const errors = [];
  full.on('error', (e) => errors.push(e));
  full.send({ text: 'x'.repeat(200) });
  await sleep(1100);
  assert.deepEqual(errors.map((e) => e.code), ['STORAGE']);
  assert.match(errors[0].errMsg, /quota/);
  assert.equal(full.queuedCount, 1, 'still queued in memory');
  full.free();

  global.localStorage = fakeLocalStorage(1e6);
  global.localStorage.setItem('web-outbox', 'not an outbox');
  const corrupt = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true, queue: { persist: 'web-outbox' } });
  const seen = [];
  corrupt.on('error', (e) => seen.push(e.code));
  await sleep(10);
  assert.deepEqual(seen, ['STORAGE'], 'an unreadable outbox is reported, after the constructor');
  assert.equal(corrupt.queuedCount, 0);
  corrupt.free();
});

test('the options are checked: send options, queue.ttlMs, queue.persist, messageIdField, isError', () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true });
  for (const bad of [{ ttlMs: 0 }, { ttlMs: -1 }, { ttlMs: 'soon' }, { volatile: 'yes' }, 5]) {
    assert.throws(() => c.send('x', bad), { name: 'WxSocketError', code: 'INVALID_OPTION' }, JSON.stringify(bad));
  }
  assert.equal(c.queuedCount, 0, 'a refused send queues nothing');
  c.free();
  for (const bad of [{ queue: { ttlMs: 0 } }, { queue: { persist: '' } }, { queue: { persist: 7 } }, { messageIdField: '' }, { messageIdField: 1 }, { isError: 'yes' }]) {
    assert.throws(() => new SocketClient(Object.assign({ url: server.url, platform: WebSocket }, bad)), { name: 'WxSocketError', code: 'INVALID_OPTION' }, JSON.stringify(bad));
  }
});

test('a restored outbox over the queue bounds: what fits is kept in order, the rest reported in one QUEUE_FULL event after the constructor', async (t) => {
  const saved = global.localStorage;
  t.after(() => {
    if (saved === undefined) delete global.localStorage;
    else global.localStorage = saved;
  });
  global.localStorage = fakeLocalStorage(1e6);
  const frames = ['a', 'b', 'c'].map((text) => ({ text: JSON.stringify({ text }) }));
  global.localStorage.setItem('small', JSON.stringify({ version: 1, nextMessageId: 4, frames }));
  const c = new SocketClient({ url: server.url, platform: WebSocket, queue: { persist: 'small', maxMessages: 2, overflow: 'drop-newest' } });
  const errors = [];
  c.on('error', (e) => errors.push(e));
  assert.equal(c.queuedCount, 2);
  await waitEvent(c, 'open');
  await sleep(100);
  assert.deepEqual(errors.map((e) => e.code), ['QUEUE_FULL']);
  assert.match(errors[0].message, /^1 /);
  assert.deepEqual(framesReceived().map((d) => JSON.parse(d).text), ['a', 'b']);
  assert.equal(c.stats.dropped, 1);
  c.close();
  c.free();
});
