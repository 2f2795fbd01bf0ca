'use strict';
// The shipped package's SocketClient (pkg/, the MVP build, through the class every entry exports) in Node on
// a scripted fake `wx` (tests/support/wx_sockets.js) that behaves like the phone's SocketTask: synchronous
// return, no off*, errMsg strings, close-code rules, the 5-task limit, late callbacks. Each test names the
// docs/contract.md clause it checks.
//
// Covers: options and thrown errors; connect at once; queue flushed in order before `open`; JSON, text and
// binary frames; SERIALIZE; DECODE; MESSAGE_TOO_LARGE; request/response, timeouts and at-least-once resend;
// close() and its errors; reconnect() and backoff after a server close; shouldReconnect; maxRetries;
// heartbeat timeout, pongs swallowed, ping on app show; network off/on; lifecycle listeners removed on
// close(); late callbacks from old tasks; the 5-task limit; throwing listeners; the logger never seeing
// secrets; the url function; exact UTF-8 byte bounds. (These were the wasm-bindgen suite tests/wasm_node.rs,
// which ran a test build and Rust-only methods instead of this surface.)
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { ROOT, loadPackage, importQuietly, sleep, thrown, assertCode } = require('./helpers.js');

const { SocketClient } = loadPackage();

let createFakeWx;
test.before(async () => {
  ({ createFakeWx } = await importQuietly(path.join(ROOT, 'tests', 'support', 'wx_sockets.js')));
});

const EVENTS = ['open', 'message', 'close', 'reconnecting', 'error', 'state'];

// Every client made here, closed when the tests are done (a retrying client's timer would keep Node running).
const made = [];
function makeClient(opts) {
  const c = new SocketClient(opts);
  made.push(c);
  return c;
}
test.after(() => {
  for (const c of made) c.close();
});

/** Options for the fake: `url` defaults to a loopback address, `platform` is the fake's `wx`. */
function options(ctrl, extra) {
  return { url: 'ws://127.0.0.1:9/ws', platform: ctrl.wx, ...extra };
}

/** A fake wx and a client on it, every event recorded. */
function rig(extra, ctrl = createFakeWx()) {
  const client = makeClient(options(ctrl, extra));
  const log = [];
  for (const name of EVENTS) client.on(name, (payload) => log.push({ name, payload }));
  const r = {
    ctrl,
    client,
    log,
    task: () => ctrl.lastTask(),
    open: () => ctrl.lastTask().serverOpen({ 'x-server': 'fake' }),
    sentJson: () => JSON.stringify(ctrl.lastTask().sent),
    of: (name) => log.filter((e) => e.name === name).map((e) => e.payload),
    last: (name) => r.of(name).at(-1),
    names: () => log.map((e) => e.name).join(','),
  };
  return r;
}

function codeOf(f) {
  const e = thrown(f);
  if (e === null) return 'no error';
  assert.equal(e.name, 'WxSocketError', `thrown errors are WxSocketError: ${e.message}`);
  return e.code;
}

/** Settles a promise into { ok, value } or { ok: false, code, name }. */
function settle(p) {
  return p.then(
    (value) => ({ ok: true, value }),
    (e) => ({ ok: false, code: e && e.code, name: e && e.name })
  );
}

/** Waits until `pred` holds, checking every 5 ms, for at most `ms`: whether it came to hold. For what a
 * timer brings about, so that a loaded machine's late timers make a test slower, never wrong. */
async function eventually(pred, ms) {
  for (let waited = 0; !pred(); waited += 5) {
    if (waited >= ms) return false;
    await sleep(5);
  }
  return true;
}

// ---------- new SocketClient(options) ----------

test('"Starts connecting at once unless startClosed: true": url, header and protocols reach connectSocket', () => {
  const r = rig({ url: 'ws://127.0.0.1:8080/chat?token=abc', header: { 'X-Token': 't1' }, protocols: ['chat.v1'] });
  assert.equal(r.ctrl.tasks.length, 1);
  const o = r.task().options;
  assert.equal(o.url, 'ws://127.0.0.1:8080/chat?token=abc');
  assert.equal(JSON.stringify(o.header), '{"X-Token":"t1"}');
  assert.equal(JSON.stringify(o.protocols), '["chat.v1"]');
  assert.equal(r.client.state, 'connecting');
  assert.equal(r.client.url, 'ws://127.0.0.1:8080/chat?token=abc');
});

test('"startClosed: create without connecting; reconnect() starts it"', () => {
  const r = rig({ startClosed: true });
  assert.equal(r.ctrl.tasks.length, 0);
  assert.equal(r.client.state, 'closed');
  assert.equal(r.client.send('early'), false, 'queued while closed');
  r.client.reconnect();
  assert.equal(r.ctrl.tasks.length, 1);
  r.open();
  assert.equal(r.sentJson(), '["\\"early\\""]');
});

test('"Throws (see Errors) on bad options, before any socket exists"', () => {
  const ctrl = createFakeWx();
  const cases = [
    [{ url: 'http://example.com' }, 'INVALID_URL'],
    [{ url: '' }, 'INVALID_URL'],
    [{ url: 'wss://' }, 'INVALID_URL'],
    [{ url: 'wss://host:99999/' }, 'INVALID_URL'],
    [{ url: 'wss://a b/' }, 'INVALID_URL'],
    [{ url: 42 }, 'INVALID_URL'],
    [{ url: 'ws://example.com/' }, 'INSECURE_URL'],
    [{ url: 'ws://10.0.0.1/' }, 'INSECURE_URL'],
    [{ url: 'ws://localhost.example.com/' }, 'INSECURE_URL'],
    [{ url: 'wss://h/', header: { 'X-A': 'a\r\nInjected: 1' } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', header: { 'X-A\n': 'a' } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', header: { 'X-A': 'a\u0000' } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', header: { Referer: 'https://x' } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', header: { 'X-N': 5 } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', protocols: 'chat' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', codec: 'xml' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', connectTimeoutMs: -1 }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', connectTimeoutMs: '10' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', reconnect: { factor: 0.5 } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', reconnect: { jitter: 2 } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', reconnect: { minDelayMs: 500, maxDelayMs: 100 } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', reconnect: 'yes' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', heartbeat: 'yes' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', heartbeat: { intervalMs: 0 } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', queue: { overflow: 'block' } }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', maxMessageBytes: 0 }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', requestIdField: '' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', lifecycle: 'no' }, 'INVALID_OPTION'],
    [{ url: 'wss://h/', logger: 'console' }, 'INVALID_OPTION'],
  ];
  for (const [extra, want] of cases) {
    assert.equal(codeOf(() => new SocketClient(options(ctrl, extra))), want, `options ${JSON.stringify(extra)}`);
  }
  assert.equal(ctrl.tasks.length, 0, 'no socket was created by any of the bad option sets');
  // ws:// to loopback is allowed, and to any host with allowInsecure.
  assert.equal(codeOf(() => new SocketClient(options(ctrl, { url: 'ws://localhost:1/', startClosed: true }))), 'no error');
  assert.equal(codeOf(() => new SocketClient(options(ctrl, { url: 'ws://[::1]:1/', startClosed: true }))), 'no error');
  assert.equal(codeOf(() => new SocketClient(options(ctrl, { url: 'ws://example.com/', allowInsecure: true, startClosed: true }))), 'no error');
  assert.equal(codeOf(() => new SocketClient('wss://h/')), 'INVALID_OPTION', 'not an object at all');
  assert.equal(codeOf(() => new SocketClient({ url: 'wss://h/', platform: 3 })), 'INVALID_OPTION', 'a platform that is neither');
});

test('"platform: default first of global wx, tt, qq, uni, WebSocket": Node has none of them but WebSocket', () => {
  // Node 22 has a global WebSocket; without it (and without wx, tt, qq, uni) there is no platform.
  const saved = globalThis.WebSocket;
  delete globalThis.WebSocket;
  try {
    assert.equal(codeOf(() => new SocketClient({ url: 'wss://h/' })), 'NO_PLATFORM');
  } finally {
    if (saved !== undefined) globalThis.WebSocket = saved;
  }
});

// ---------- send and the queue ----------

test('"send: false when queued (the queue is flushed in order on open, before open listeners run)"', () => {
  const r = rig({});
  assert.equal(r.client.send({ n: 1 }), false);
  assert.equal(r.client.send({ n: 2 }), false);
  assert.equal(r.client.sendRaw('raw3'), false);
  assert.equal(r.client.queuedCount, 3);
  assert.equal(r.client.bufferedAmount, 7 + 7 + 4);
  // An open listener sees the queue already sent.
  const seen = [];
  const task = r.task();
  r.client.on('open', () => seen.push(task.sent.length));
  r.open();
  assert.equal(r.sentJson(), '["{\\"n\\":1}","{\\"n\\":2}","raw3"]');
  assert.deepEqual(seen, [3], 'three frames were sent before the open listener ran');
  assert.equal(r.client.queuedCount, 0);
  assert.equal(r.client.state, 'open');
  // Open: handed over at once.
  assert.equal(r.client.send({ n: 4 }), true);
  assert.equal(r.task().sent.length, 4);
  assert.equal(JSON.stringify(r.last('open')), '{"header":{"x-server":"fake"},"attempt":0,"reconnected":false}');
});

test('"An ArrayBuffer or typed array goes out as a binary frame (typed arrays copied as their own bytes only)"', () => {
  const r = rig({});
  r.open();
  assert.equal(r.client.send(new Uint8Array([1, 2, 3]).buffer), true);
  assert.equal(r.client.send(new Uint8Array([9, 8, 7, 6, 5]).subarray(1, 3)), true);
  const s = r.task().sent;
  const isBuffer = (x) => Object.prototype.toString.call(x) === '[object ArrayBuffer]';
  assert.ok(isBuffer(s[0]) && isBuffer(s[1]), 'the task got ArrayBuffers, not views');
  assert.deepEqual([...new Uint8Array(s[0])], [1, 2, 3]);
  assert.deepEqual([...new Uint8Array(s[1])], [8, 7], "only the view's own bytes");
  assert.equal(r.client.stats.bytesSent, 5);
});

test('"Throws SERIALIZE (undefined, function, symbol, BigInt, cycle); a throw queues nothing"', () => {
  const r = rig({});
  const cycle = { a: 1 };
  cycle.self = cycle;
  for (const v of [undefined, function () {}, Symbol('s'), { n: BigInt(1) }, cycle]) {
    assert.equal(codeOf(() => r.client.send(v)), 'SERIALIZE', String(typeof v));
  }
  assert.equal(r.client.queuedCount, 0);
  // The text codec takes strings only.
  const text = rig({ codec: 'text' });
  assert.equal(codeOf(() => text.client.send({ a: 1 })), 'SERIALIZE');
  assert.equal(text.client.send('plain'), false);
  assert.equal(codeOf(() => r.client.sendRaw({})), 'SERIALIZE');
});

test("\"overflow: 'error' (send throws QUEUE_FULL), 'drop-oldest', 'drop-newest'\"", () => {
  const err = rig({ queue: { maxMessages: 2 } });
  err.client.send(1);
  err.client.send(2);
  assert.equal(codeOf(() => err.client.send(3)), 'QUEUE_FULL');
  assert.equal(err.client.queuedCount, 2);
  const old = rig({ queue: { maxMessages: 2, overflow: 'drop-oldest' } });
  for (const n of [1, 2, 3]) old.client.send(n);
  old.open();
  assert.equal(old.sentJson(), '["2","3"]');
  const fresh = rig({ queue: { maxBytes: 2, overflow: 'drop-newest' } });
  fresh.client.send(1);
  fresh.client.send(2);
  fresh.client.send(33);
  fresh.open();
  assert.equal(fresh.sentJson(), '["1","2"]');
  assert.equal(fresh.client.stats.dropped, 1);
});

// ---------- message ----------

test('"message: decoded data; a text frame that is not valid JSON emits error DECODE with the raw text; the connection stays up"', () => {
  const r = rig({});
  r.open();
  r.task().serverMessage('{"hello":"世界 🌏"}');
  r.task().serverMessage('{not json');
  r.task().serverMessage(new Uint8Array([0, 255]).buffer);
  const messages = r.of('message');
  assert.equal(messages.length, 2, 'the bad frame was not delivered as a message');
  assert.deepEqual(messages[0], { hello: '世界 🌏' });
  assert.ok(Object.prototype.toString.call(messages[1]) === '[object ArrayBuffer]', 'the binary frame arrived as an ArrayBuffer');
  const err = r.last('error');
  assert.equal(err.code, 'DECODE');
  assert.equal(err.raw, '{not json');
  assert.equal(r.client.state, 'open');
  assert.equal(r.client.stats.messagesReceived, 3);
});

test('"maxMessageBytes: larger inbound frames are dropped with error MESSAGE_TOO_LARGE, never decoded"', () => {
  const r = rig({ maxMessageBytes: 8 });
  r.open();
  r.task().serverMessage('"0123456789"');
  r.task().serverMessage('1');
  assert.deepEqual(r.of('message'), [1]);
  assert.equal(r.last('error').code, 'MESSAGE_TOO_LARGE');
  assert.equal(r.client.state, 'open');
});

test('"The text codec: message emits the raw string"', () => {
  const r = rig({ codec: 'text' });
  r.open();
  r.task().serverMessage('{not json');
  assert.deepEqual(r.of('message'), ['{not json']);
  assert.equal(r.of('error').length, 0);
});

test('"bufferedAmount (UTF-8 bytes queued)" and "maxMessageBytes" are exact for non-ASCII text', () => {
  const r = rig({ codec: 'text', maxMessageBytes: 8 });
  r.client.send('世界');
  r.client.send('🌏a');
  assert.equal(r.client.bufferedAmount, 6 + 5);
  r.open();
  r.task().serverMessage('世界世'); // 3 units, 9 bytes: over 8
  r.task().serverMessage('世界'); // 6 bytes: fits
  r.task().serverMessage('123456789'); // 9 bytes: over 8
  assert.deepEqual(r.of('message'), ['世界']);
  assert.equal(r.of('error').length, 2);
});

// ---------- request ----------

test('"request: sets data[requestIdField] to a fresh id unless present, resolves with the reply carrying it (not emitted as message)"', async () => {
  const r = rig({});
  r.open();
  const data = { op: 'sum', args: [1, 2] };
  const p = r.client.request(data);
  assert.equal(typeof data.id, 'number', 'a fresh numeric id was set');
  assert.equal(JSON.parse(r.task().sent[0]).id, data.id);
  r.task().serverMessage('{"id":999,"other":true}');
  r.task().serverMessage(`{"id":${data.id},"result":3}`);
  assert.deepEqual(await settle(p), { ok: true, value: { id: data.id, result: 3 } });
  assert.deepEqual(r.of('message'), [{ id: 999, other: true }]);
  // A custom field and a caller-chosen string id.
  const custom = rig({ requestIdField: 'rid' });
  custom.open();
  const q = custom.client.request({ rid: 'abc' });
  custom.task().serverMessage('{"rid":"abc","ok":1}');
  assert.equal((await settle(q)).ok, true);
});

test('"Request ids are matched in the field requestIdField of replies; numbers and strings are different ids. A reply that comes after its request settled, or whose id no request waits for, is a message"', async () => {
  const r = rig({});
  r.open();
  const number = r.client.request({ id: 7 });
  const text = r.client.request({ id: '7' });
  assert.equal((await settle(r.client.request({ id: 7 }))).code, 'INVALID_OPTION', 'a second pending id 7');
  assert.equal((await settle(r.client.request({ id: '7' }))).code, 'INVALID_OPTION', 'a second pending id "7"');
  r.task().serverMessage('{"id":"7","v":2}');
  r.task().serverMessage('{"id":7,"v":1}');
  assert.deepEqual(await settle(number), { ok: true, value: { id: 7, v: 1 } });
  assert.deepEqual(await settle(text), { ok: true, value: { id: '7', v: 2 } });
  r.task().serverMessage('{"id":7,"v":"settled"}');
  // Settled: the id is free again.
  const again = r.client.request({ id: 7 });
  r.task().serverMessage('{"id":"7","v":"string"}');
  r.task().serverMessage('{"id":70,"v":"unknown"}');
  r.task().serverMessage('{"id":7,"v":3}');
  assert.deepEqual(await settle(again), { ok: true, value: { id: 7, v: 3 } });
  // Timed out: its late reply is a message, and its id is free again.
  assert.equal((await settle(r.client.request({ id: 'late' }, { timeoutMs: 20 }))).code, 'TIMEOUT');
  r.task().serverMessage('{"id":"late","v":"late"}');
  const reused = r.client.request({ id: 'late' });
  r.task().serverMessage('{"jsonrpc":"2.0","id":"late","error":{"code":-1}}');
  const remote = await reused.then(() => null, (e) => e);
  assert.equal(remote && remote.code, 'REMOTE_ERROR');
  assert.deepEqual(remote.remote, { code: -1 });
  assert.deepEqual(r.of('message').map((m) => m.v), ['settled', 'string', 'unknown', 'late']);
  assert.equal(r.task().sent.length, 5, 'the refused requests sent nothing');
});

test('"request ... Rejects TIMEOUT or CLOSED"', async () => {
  const r = rig({});
  r.open();
  const timedOut = await settle(r.client.request({}, { timeoutMs: 30 }));
  assert.equal(timedOut.code, 'TIMEOUT');
  assert.equal(timedOut.name, 'WxSocketError');
  const p2 = r.client.request({});
  r.client.close();
  assert.equal((await settle(p2)).code, 'CLOSED');
  assert.equal((await settle(r.client.request({}))).code, 'CLOSED', 'request after close()');
});

test('"If the connection drops before the reply, the request is sent again once the client is open again (at-least-once)"', async () => {
  const r = rig({ reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
  r.open();
  const p = r.client.request({ q: 1 });
  r.task().serverClose(1006, 'gone');
  assert.ok(await eventually(() => r.ctrl.tasks.length === 2, 3000), 'reconnected');
  r.open();
  const resent = r.task().sent;
  assert.equal(resent.length, 1);
  const frame = JSON.parse(resent[0]);
  r.task().serverMessage(`{"id":${frame.id},"a":2}`);
  assert.equal((await settle(p)).ok, true);
});

// ---------- close ----------

test('"close(code = 1000, reason = \'\'): final and idempotent ... emits exactly one close event before it returns"', () => {
  const r = rig({});
  r.open();
  r.client.close(4000, 'bye');
  assert.equal(r.client.state, 'closed');
  assert.equal(r.of('close').length, 1);
  assert.equal(JSON.stringify(r.last('close')), '{"code":4000,"reason":"bye","willReconnect":false,"delayMs":null}');
  assert.equal(JSON.stringify(r.task().closeCalls), '[{"code":4000,"reason":"bye","ok":true}]');
  r.client.close();
  assert.equal(r.of('close').length, 1, 'idempotent');
  assert.equal(codeOf(() => r.client.send(1)), 'CLOSED');
  assert.equal(r.ctrl.tasks.length, 1, 'no reconnect after close()');
});

test('"Throws INVALID_CLOSE_CODE (only 1000 and 3000–4999) or REASON_TOO_LONG (over 123 UTF-8 bytes)"', () => {
  const r = rig({});
  r.open();
  for (const code of [999, 1001, 1006, 2999, 5000, 3000.5, -1, 70000]) {
    assert.equal(codeOf(() => r.client.close(code)), 'INVALID_CLOSE_CODE', `code ${code}`);
  }
  assert.equal(codeOf(() => r.client.close(undefined, 'é'.repeat(62))), 'REASON_TOO_LONG', '124 bytes');
  assert.equal(r.client.state, 'open', 'a refused close changes nothing');
  r.client.close(1000, 'é'.repeat(61));
  assert.equal(r.client.state, 'closed');
});

// ---------- reconnect and backoff ----------

test('"close event: willReconnect, delayMs, after the next attempt has been scheduled"; backoff retries', async () => {
  const r = rig({ reconnect: { minDelayMs: 10, maxDelayMs: 40, factor: 2, jitter: 0 } });
  r.open();
  r.task().serverClose(1001, 'going away');
  assert.equal(r.client.state, 'waiting');
  assert.equal(JSON.stringify(r.last('close')), '{"code":1001,"reason":"going away","willReconnect":true,"delayMs":10}');
  assert.equal(JSON.stringify(r.last('reconnecting')), '{"attempt":1,"delayMs":10}');
  assert.equal(r.client.retryCount, 1);
  assert.ok(await eventually(() => r.ctrl.tasks.length === 2, 3000), 'the retry');
  const retryStarted = Date.now();
  r.task().serverError('connectSocket:fail refused');
  // Retry 2's delay (20) counts from the start of the attempt that failed (docs/contract.md, Reconnecting):
  // what is left of it, at most 20.
  const reconnecting = r.last('reconnecting');
  assert.equal(reconnecting.attempt, 2);
  assert.ok(reconnecting.delayMs >= 0 && reconnecting.delayMs <= 20, String(reconnecting.delayMs));
  const err = r.last('error');
  assert.equal(err.code, 'CONNECT_FAILED');
  assert.equal(err.errMsg, 'connectSocket:fail refused');
  assert.ok(await eventually(() => r.ctrl.tasks.length === 3, 3000), `the second retry (${Date.now() - retryStarted} ms)`);
  r.open();
  const open = r.last('open');
  assert.equal(open.reconnected, true);
  assert.equal(open.attempt, 2);
  assert.equal(r.client.stats.reconnects, 1);
});

test('"shouldReconnect returning false after a server close stops retrying (the client goes to closed)"', async () => {
  const ctrl = createFakeWx();
  const asked = [];
  const client = makeClient(
    options(ctrl, { reconnect: { minDelayMs: 5, jitter: 0, shouldReconnect: (c) => (asked.push(c.code), c.code !== 4001) } })
  );
  ctrl.lastTask().serverOpen();
  ctrl.lastTask().serverClose(4001, 'unauthorised');
  assert.equal(client.state, 'closed');
  await sleep(30);
  assert.equal(ctrl.tasks.length, 1, 'no further attempt');
  assert.deepEqual(asked, [4001]);
});

test('"maxRetries: N allows N retries after the first attempt; then closed (error RETRIES_EXHAUSTED). reconnect() revives it"', async () => {
  const r = rig({ reconnect: { minDelayMs: 2, maxDelayMs: 2, jitter: 0, maxRetries: 2 } });
  for (let i = 1; i <= 3; i++) {
    r.task().serverError('connectSocket:fail refused');
    if (i < 3) assert.ok(await eventually(() => r.ctrl.tasks.length === i + 1, 3000), `retry ${i}`);
  }
  await sleep(15);
  assert.equal(r.ctrl.tasks.length, 3, 'first attempt + 2 retries');
  assert.equal(r.client.state, 'closed');
  assert.ok(r.of('error').some((e) => e.code === 'RETRIES_EXHAUSTED'));
  r.client.reconnect();
  assert.equal(r.ctrl.tasks.length, 4);
  assert.equal(r.client.retryCount, 0);
  r.open();
  assert.equal(r.client.state, 'open');
});

test('"connectTimeoutMs: an attempt not open by then is abandoned (error CONNECT_TIMEOUT) and retried"', async () => {
  const r = rig({ connectTimeoutMs: 20, reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
  const first = r.task();
  assert.ok(await eventually(() => r.ctrl.tasks.length >= 2, 3000), 'a second attempt');
  assert.ok(r.of('error').some((e) => e.code === 'CONNECT_TIMEOUT'));
  assert.equal(first.closeCalls.length, 1, 'the abandoned task was closed');
  // The abandoned task opening late changes nothing.
  first.fireLate('open', { header: {} });
  assert.notEqual(r.client.state, 'open');
});

test('"reconnect(): closes the current task (1000, \'reconnect\') if any, resets retryCount to 0, and connects now"', () => {
  const r = rig({});
  r.open();
  const first = r.task();
  r.client.reconnect();
  assert.equal(JSON.stringify(first.closeCalls), '[{"code":1000,"reason":"reconnect","ok":true}]');
  assert.equal(r.ctrl.tasks.length, 2);
  assert.equal(r.client.state, 'connecting');
});

test('late callbacks of an old task (SocketTask has no off*) do nothing', () => {
  const r = rig({});
  r.open();
  const first = r.task();
  r.client.reconnect();
  const before = r.names();
  first.fireLate('message', { data: '"late"' });
  first.fireLate('close', { code: 1006, reason: 'late' });
  first.fireLate('error', { errMsg: 'late' });
  first.fireLate('open', { header: {} });
  assert.equal(r.names(), before, 'no event came from the old task');
  assert.equal(r.client.state, 'connecting');
});

// ---------- heartbeat ----------

test('"If no pong arrives within timeoutMs ...: error HEARTBEAT_TIMEOUT, the task is closed and the client reconnects"', async () => {
  const r = rig({ heartbeat: { intervalMs: 20, timeoutMs: 20 }, reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
  r.open();
  const first = r.task();
  assert.ok(await eventually(() => first.sent.length > 0, 3000), 'a ping after intervalMs');
  assert.equal(JSON.stringify(first.sent), '["ping"]');
  assert.ok(await eventually(() => r.of('error').some((e) => e.code === 'HEARTBEAT_TIMEOUT'), 3000), 'HEARTBEAT_TIMEOUT');
  assert.equal(first.closeCalls.length, 1);
  assert.ok(await eventually(() => r.ctrl.tasks.length >= 2, 3000), 'reconnected');
});

test('"A frame is a pong when its text equals pong ... Pongs are not delivered as message"; any frame postpones the next ping', async () => {
  // A frame every 50 ms for 400 ms against a 300 ms interval, and the ping awaited (not expected at a set
  // time); what is checked is that it never came early.
  const r = rig({ heartbeat: { intervalMs: 300, timeoutMs: 2000 } });
  r.open();
  for (let i = 0; i < 8; i++) {
    await sleep(50);
    r.task().serverMessage('1');
  }
  const lastFrame = Date.now();
  assert.equal(r.task().sent.length, 0, 'inbound frames postponed every ping');
  assert.ok(await eventually(() => r.task().sent.length > 0, 3000), 'a ping once the frames stopped');
  const pingedAfter = Date.now() - lastFrame;
  assert.equal(r.sentJson(), '["ping"]');
  assert.ok(pingedAfter >= 290, `the ping came ${pingedAfter} ms after the last frame, before intervalMs`);
  r.task().serverMessage('pong');
  assert.deepEqual(r.of('message'), [1, 1, 1, 1, 1, 1, 1, 1], 'the pong was not delivered');
  assert.equal(typeof r.client.stats.lastRttMs, 'number');
});

test('"When the app returns to the foreground, a heartbeat-enabled client pings at once"', () => {
  const r = rig({ heartbeat: { intervalMs: 60000, message: { type: 'ping' } } });
  r.open();
  r.ctrl.hide();
  r.ctrl.show();
  assert.equal(r.sentJson(), '["{\\"type\\":\\"ping\\"}"]', 'a non-string ping goes out as JSON');
  const plain = rig({});
  plain.open();
  plain.ctrl.show();
  assert.equal(plain.task().sent.length, 0, 'no heartbeat, no ping');
});

// ---------- lifecycle ----------

test('"While the platform reports no network, no attempts are spent; when it reports the network back, the client connects at once"', async () => {
  const r = rig({ reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 } });
  r.open();
  r.ctrl.setNetwork(false);
  r.task().serverClose(1006, 'network lost');
  await sleep(40);
  assert.equal(r.ctrl.tasks.length, 1, 'no attempt while offline');
  assert.equal(r.client.state, 'waiting');
  r.ctrl.setNetwork(true);
  assert.equal(r.ctrl.tasks.length, 2, 'connected at once');
});

test('"lifecycle ... removed again with their off* functions when the client is closed"; reconnect() adds them back', () => {
  const counts = (ctrl) => JSON.stringify(ctrl.listenerCounts());
  const r = rig({});
  assert.equal(counts(r.ctrl), '{"appHide":1,"appShow":1,"networkStatusChange":1}');
  r.client.close();
  assert.equal(counts(r.ctrl), '{"appHide":0,"appShow":0,"networkStatusChange":0}');
  r.client.reconnect();
  assert.equal(counts(r.ctrl), '{"appHide":1,"appShow":1,"networkStatusChange":1}');
  const off = rig({ lifecycle: false });
  assert.equal(counts(off.ctrl), '{"appHide":0,"appShow":0,"networkStatusChange":0}');
});

// ---------- platform limits ----------

test('the 6th simultaneous client on a 5-socket platform gets CONNECT_FAILED with the errMsg; the others keep working', async () => {
  const ctrl = createFakeWx();
  const rigs = [];
  for (let i = 0; i < 5; i++) {
    rigs.push(rig({ reconnect: { minDelayMs: 1000, jitter: 0 } }, ctrl));
    ctrl.lastTask().serverOpen();
  }
  const sixth = rig({ reconnect: { minDelayMs: 1000, jitter: 0 } }, ctrl);
  await sleep(20);
  const err = JSON.stringify(sixth.of('error'));
  assert.ok(err.includes('CONNECT_FAILED') && err.includes('reach max websocket connect count 5'), err);
  assert.equal(sixth.client.state, 'waiting');
  rigs.forEach((r, i) => {
    assert.equal(r.client.state, 'open');
    assert.equal(r.client.send(i), true);
  });
  assert.equal(ctrl.liveCount(), 5);
});

// ---------- listeners, logger ----------

test('"A listener that throws does not break the client or the other listeners"; on() unsubscribes, once() fires once', () => {
  const ctrl = createFakeWx();
  const lines = [];
  const client = makeClient(options(ctrl, { logger: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`) }));
  client.on('message', () => {
    throw new Error('listener failure on purpose');
  });
  const heard = [];
  client.on('message', (m) => heard.push(m));
  ctrl.lastTask().serverOpen();
  ctrl.lastTask().serverMessage('7');
  ctrl.lastTask().serverMessage('8');
  assert.deepEqual(heard, [7, 8]);
  assert.ok(lines.join('\n').includes('a listener threw'), lines.join('\n'));
  assert.equal(client.send(1), true);
  const second = [];
  const unsubscribe = client.on('message', (m) => second.push(m));
  const third = [];
  client.once('message', (m) => third.push(m));
  ctrl.lastTask().serverMessage('9');
  unsubscribe();
  ctrl.lastTask().serverMessage('10');
  assert.deepEqual(second, [9]);
  assert.deepEqual(third, [9]);
  assertCode(thrown(() => client.on('nope', () => {})), 'INVALID_OPTION', 'an unknown event');
});

test('"logger: never receives header values or the URL\'s query string"', async () => {
  const ctrl = createFakeWx();
  const lines = [];
  const client = makeClient(
    options(ctrl, {
      url: 'ws://127.0.0.1:1/ws?token=SECRET-Q',
      header: { Authorization: 'Bearer SECRET-H', Cookie: 'sid=SECRET-C' },
      reconnect: { minDelayMs: 1, jitter: 0 },
      heartbeat: { intervalMs: 5, timeoutMs: 5 },
      logger: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
      typoOption: true,
    })
  );
  const errors = [];
  client.on('error', (e) => errors.push(e));
  ctrl.lastTask().serverOpen({ 'Set-Cookie': 'SECRET-S' });
  ctrl.lastTask().serverMessage('{bad');
  await sleep(30);
  ctrl.lastTask().serverError('connectSocket:fail');
  client.close();
  const log = lines.join('\n');
  assert.ok(log.includes('open') && log.includes('typoOption'), `the logger was used: ${log}`);
  assert.ok(log.includes('ws://127.0.0.1:1/ws?…'), `the URL is shown without its query: ${log}`);
  for (const secret of ['SECRET-Q', 'SECRET-H', 'SECRET-C', 'SECRET-S']) {
    assert.ok(!log.includes(secret), `${secret} leaked into the log: ${log}`);
    assert.ok(!JSON.stringify(errors).includes(secret), `${secret} leaked into an error event`);
  }
});

// ---------- url function ----------

test('"url: a function is called before every attempt (fresh auth tokens)", also returning a promise', async () => {
  const ctrl = createFakeWx();
  let calls = 0;
  const client = makeClient(
    options(ctrl, { url: () => (calls++, 'ws://127.0.0.1:7/a'), reconnect: { minDelayMs: 2, maxDelayMs: 2, jitter: 0 } })
  );
  ctrl.lastTask().serverError('refused');
  assert.ok(await eventually(() => ctrl.tasks.length === 2, 3000), 'the retry');
  assert.equal(calls, 2);
  assert.equal(client.url, 'ws://127.0.0.1:7/a');
  const ctrl2 = createFakeWx();
  makeClient(options(ctrl2, { url: () => Promise.resolve('ws://127.0.0.1:7/b') }));
  assert.ok(await eventually(() => ctrl2.tasks.length === 1, 3000), 'the promised URL is used');
  assert.equal(ctrl2.lastTask().options.url, 'ws://127.0.0.1:7/b');
  // A function returning an insecure URL fails the attempt with the reason, and is retried.
  const ctrl3 = createFakeWx();
  const client3 = makeClient(options(ctrl3, { url: () => 'ws://example.com/', reconnect: { minDelayMs: 1000 } }));
  assert.equal(ctrl3.tasks.length, 0);
  assert.equal(client3.state, 'waiting');
});
