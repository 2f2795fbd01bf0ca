// Tests for wxOverWebSocket (tests/support/wx_over_websocket.js) with the npm `ws` constructor against the
// real test server (tests/server/server.js). Covers:
// - text echo, ping/pong, request replies; binary echo arriving as an ArrayBuffer;
// - handshake headers and subprotocols reaching the server (and headers dropped in browser mode);
// - send before open, send type rules, close code and reason rules, no off* and no readyState;
// - closes from the client, the server (code and reason) and a killed connection (1006);
// - connection refused and the `timeout` option against a hanging server;
// - the 5-task limit with real sockets; app lifecycle and network controller functions.

import test from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import serverModule from '../server/server.js';
import { wxOverWebSocket } from './wx_over_websocket.js';

const { startServer } = serverModule;

let server;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server.stop();
});
test.beforeEach(async () => {
  await server.reset({ kill: true });
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Connect and collect events; `opened` resolves with onOpen's payload. */
function connect(wx, options) {
  const events = [];
  const waiters = [];
  const task = wx.connectSocket(options);
  const push = (e) => {
    events.push(e);
    for (const w of waiters.slice()) {
      if (w.test(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  task.onOpen((r) => push({ kind: 'open', ...r }));
  task.onMessage((r) => push({ kind: 'message', data: r.data }));
  task.onError((r) => push({ kind: 'error', errMsg: r.errMsg }));
  task.onClose((r) => push({ kind: 'close', code: r.code, reason: r.reason }));
  const next = (kind, ms = 2000) => {
    const seen = events.find((e) => e.kind === kind && !e.taken);
    if (seen) {
      seen.taken = true;
      return Promise.resolve(seen);
    }
    return within(new Promise((resolve) => {
      waiters.push({ test: (e) => e.kind === kind && !e.taken, resolve: (e) => { e.taken = true; resolve(e); } });
    }), ms, kind);
  };
  return { task, events, next };
}

function send(task, data) {
  return new Promise((resolve) => {
    task.send({ data, success: (r) => resolve(['success', r.errMsg]), fail: (r) => resolve(['fail', r.errMsg]) });
  });
}

function close(task, options) {
  return new Promise((resolve) => {
    task.close({ ...options, success: (r) => resolve(['success', r.errMsg]), fail: (r) => resolve(['fail', r.errMsg]) });
  });
}

test('text is echoed, ping gets pong, a request gets its reply', async () => {
  const { wx } = wxOverWebSocket(WebSocket);
  const c = connect(wx, { url: server.url });
  await c.next('open');
  assert.deepEqual(await send(c.task, 'hello 世界'), ['success', 'sendSocketMessage:ok']);
  assert.equal((await c.next('message')).data, 'hello 世界');
  await send(c.task, 'ping');
  assert.equal((await c.next('message')).data, 'pong');
  await send(c.task, JSON.stringify({ id: 42, method: 'echo', params: { a: 1 } }));
  assert.deepEqual(JSON.parse((await c.next('message')).data), { id: 42, result: { method: 'echo', params: { a: 1 } } });
  await close(c.task, { code: 1000 });
  await c.next('close');
});

test('binary is echoed and arrives as an ArrayBuffer', async () => {
  const { wx } = wxOverWebSocket(WebSocket);
  const c = connect(wx, { url: server.url });
  await c.next('open');
  const bytes = new Uint8Array([0, 1, 127, 128, 255]);
  await send(c.task, bytes.buffer);
  const m = await c.next('message');
  assert.ok(m.data instanceof ArrayBuffer, 'binary data is an ArrayBuffer');
  assert.deepEqual([...new Uint8Array(m.data)], [...bytes]);
  const frame = server.log().connections[0].frames[0];
  assert.equal(frame.kind, 'binary');
  assert.equal(frame.data, Buffer.from(bytes).toString('base64'));
  await close(c.task, { code: 1000 });
});

test('header and protocols reach the server; onOpen carries the response headers', async () => {
  const { wx } = wxOverWebSocket(WebSocket);
  const c = connect(wx, { url: server.url + '/path', header: { 'X-Auth': 'tok' }, protocols: ['chat.v2', 'chat.v1'] });
  const open = await c.next('open');
  assert.equal(open.header['sec-websocket-protocol'], 'chat.v2');
  assert.equal(open.header.upgrade.toLowerCase(), 'websocket');
  const conn = server.log().connections[0];
  assert.equal(conn.headers['x-auth'], 'tok');
  assert.equal(conn.protocol, 'chat.v2');
  assert.equal(conn.path, '/path');
  assert.equal(conn.headers['sec-websocket-extensions'], undefined, 'no permessage-deflate unless asked');
  await close(c.task, { code: 1000 });

  // Browser mode: headers cannot be set and are dropped.
  const browserLike = wxOverWebSocket(WebSocket, { nodeWs: false });
  const b = connect(browserLike.wx, { url: server.url, header: { 'X-Auth': 'tok' } });
  const bopen = await b.next('open');
  assert.deepEqual(bopen.header, {});
  assert.equal(server.log().connections[1].headers['x-auth'], undefined);
  await close(b.task, { code: 1000 });
});

test('the task has no off* methods and no readyState; send before open fails', async () => {
  const { wx } = wxOverWebSocket(WebSocket);
  const c = connect(wx, { url: server.url });
  assert.deepEqual(Object.keys(c.task).sort(), ['close', 'onClose', 'onError', 'onMessage', 'onOpen', 'send']);
  assert.equal('readyState' in c.task, false);
  assert.equal('offMessage' in c.task, false);
  assert.deepEqual(await send(c.task, 'early'), ['fail', 'sendSocketMessage:fail WebSocket is not connected']);
  await c.next('open');
  const typed = await send(c.task, new Uint8Array([1, 2]));
  assert.equal(typed[0], 'fail');
  assert.match(typed[1], /parameter\.data should be String or ArrayBuffer instead of Uint8Array/);
  await tick();
  assert.equal(server.log().connections[0].frames.length, 0, 'nothing reached the server');
  await close(c.task, { code: 1000 });
});

test('close checks code and reason; the server sees the code and reason', async () => {
  const { wx, liveCount } = wxOverWebSocket(WebSocket);
  const c = connect(wx, { url: server.url });
  await c.next('open');
  for (const code of [undefined, 1001, 1006, 2999, 5000]) {
    const r = await close(c.task, { code });
    assert.equal(r[0], 'fail');
    assert.match(r[1], /^closeSocket:fail The code must be either 1000, or between 3000 and 4999/);
  }
  const long = await close(c.task, { code: 1000, reason: 'ü'.repeat(62) });
  assert.deepEqual(long, ['fail', 'closeSocket:fail The message must not be greater than 123 bytes.']);
  await send(c.task, 'still open');
  assert.equal((await c.next('message')).data, 'still open');

  assert.deepEqual(await close(c.task, { code: 4000, reason: 'bye' }), ['success', 'closeSocket:ok']);
  const closed = await c.next('close');
  assert.deepEqual([closed.code, closed.reason], [4000, 'bye']);
  assert.equal(liveCount(), 0);
  const deadline = Date.now() + 2000;
  while (server.log().connections[0].closeCode === null && Date.now() < deadline) await tick();
  assert.equal(server.log().connections[0].closeCode, 4000);
  assert.equal(server.log().connections[0].closeReason, 'bye');
  assert.deepEqual(await send(c.task, 'after'), ['fail', 'sendSocketMessage:fail WebSocket is not connected']);
});

test('server close codes and a killed connection reach onClose', async () => {
  const { wx } = wxOverWebSocket(WebSocket);
  const a = connect(wx, { url: server.url });
  await a.next('open');
  server.closeAll(4321, 'server bye');
  const ca = await a.next('close');
  assert.deepEqual([ca.code, ca.reason], [4321, 'server bye']);

  const b = connect(wx, { url: server.url });
  await b.next('open');
  server.kill();
  assert.equal((await b.next('close')).code, 1006);
});

test('a refused connection errors then closes with 1006', async () => {
  const { wx, liveCount } = wxOverWebSocket(WebSocket);
  await server.refuse();
  try {
    const failed = [];
    const c = connect(wx, { url: server.url, fail: (r) => failed.push(r.errMsg) });
    const err = await c.next('error');
    assert.match(err.errMsg, /^connectSocket:fail .*ECONNREFUSED/);
    assert.equal((await c.next('close')).code, 1006);
    assert.equal(liveCount(), 0);
    assert.deepEqual(failed, [], 'the call itself succeeded; the socket failed later');
    assert.equal(c.events.some((e) => e.kind === 'open'), false);
  } finally {
    await server.accept();
  }
});

test('the timeout option abandons a hanging handshake', async () => {
  const { wx, liveCount } = wxOverWebSocket(WebSocket);
  server.hang(true);
  const t0 = Date.now();
  const c = connect(wx, { url: server.url, timeout: 200 });
  const err = await c.next('error');
  assert.equal(err.errMsg, 'connectSocket:fail timeout');
  assert.ok(Date.now() - t0 >= 180);
  await c.next('close');
  assert.equal(liveCount(), 0);
  assert.equal(server.stats().accepted, 0);
});

test('at most 5 live tasks; the 6th fails with the max-count errMsg until one closes', async () => {
  const { wx, liveCount } = wxOverWebSocket(WebSocket);
  const conns = [];
  for (let i = 0; i < 5; i++) conns.push(connect(wx, { url: server.url }));
  assert.equal(liveCount(), 5);
  await Promise.all(conns.map((c) => c.next('open')));

  const fails = [];
  const sixth = connect(wx, { url: server.url, fail: (r) => fails.push(r.errMsg) });
  const msg = 'connectSocket:fail fail reach max websocket connect count 5';
  assert.equal((await sixth.next('error')).errMsg, msg);
  assert.equal((await sixth.next('close')).code, 1006);
  await tick();
  assert.deepEqual(fails, [msg]);
  assert.deepEqual(sixth.events.map((e) => e.kind), ['error', 'close']);
  assert.equal(server.stats().accepted, 5, 'the 6th never reached the server');

  await close(conns[0].task, { code: 1000 });
  await conns[0].next('close');
  assert.equal(liveCount(), 4);
  const seventh = connect(wx, { url: server.url });
  await seventh.next('open');
  assert.equal(liveCount(), 5);
  for (const c of [...conns.slice(1), seventh]) c.task.close({ code: 1000 });
  await Promise.all([...conns.slice(1), seventh].map((c) => c.next('close')));
  assert.equal(liveCount(), 0);
});

test('hide, show and setNetwork reach the app-level listeners; off* removes them', async () => {
  const ctl = wxOverWebSocket(WebSocket);
  const seen = [];
  const hide = () => seen.push('hide');
  ctl.wx.onAppHide(hide);
  ctl.wx.onAppShow(() => seen.push('show'));
  ctl.wx.onNetworkStatusChange((r) => seen.push(['net', r.isConnected, r.networkType]));
  ctl.hide();
  ctl.show();
  ctl.setNetwork(false);
  ctl.setNetwork(true, 'wifi');
  assert.deepEqual(seen, ['hide', 'show', ['net', false, 'none'], ['net', true, 'wifi']]);
  assert.deepEqual(ctl.listenerCounts(), { appHide: 1, appShow: 1, networkStatusChange: 1 });
  ctl.wx.offAppHide(hide);
  ctl.wx.offAppShow();
  ctl.wx.offNetworkStatusChange();
  assert.deepEqual(ctl.listenerCounts(), { appHide: 0, appShow: 0, networkStatusChange: 0 });
  ctl.hide();
  assert.equal(seen.length, 4);
  const nt = await ctl.wx.getNetworkType();
  assert.equal(nt.networkType, 'wifi');
});

test('a throwing listener does not break delivery and is reported', async () => {
  const reported = [];
  const { wx } = wxOverWebSocket(WebSocket, { onListenerError: (e) => reported.push(e.message) });
  const c = connect(wx, { url: server.url });
  c.task.onMessage(() => {
    throw new Error('listener bug');
  });
  const after = [];
  c.task.onMessage((m) => after.push(m.data));
  await c.next('open');
  await send(c.task, 'x');
  await c.next('message');
  await tick();
  assert.deepEqual(after, ['x']);
  assert.deepEqual(reported, ['listener bug']);
  await close(c.task, { code: 1000 });
});
