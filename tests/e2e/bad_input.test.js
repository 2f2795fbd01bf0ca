'use strict';
// Bad input at every public entry, against the real server: each case gets its typed error
// (name 'WxSocketError' and the code docs/contract.md names) or its error event, nothing throws anything else, nothing
// panics the WebAssembly module, and the client keeps working afterwards where that makes sense.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { loadPackage, withServer, sleep, waitEvent, thrown } = require('./helpers.js');

const { SocketClient } = loadPackage();

let server;
withServer((s) => {
  server = s;
});

function assertTyped(err, codes, label) {
  assert.ok(err, `${label}: nothing was thrown`);
  assert.ok(err instanceof Error, `${label}: threw a non-Error ${String(err)}`);
  assert.equal(err.name, 'WxSocketError', `${label}: name ${err.name}: ${err.message}`);
  const want = Array.isArray(codes) ? codes : [codes];
  assert.ok(want.includes(err.code), `${label}: code ${err.code}, expected ${want.join(' or ')} (${err.message})`);
  assert.ok(typeof err.message === 'string' && err.message.length > 10, `${label}: message too short`);
}

// ---- the constructor ----
const base = () => ({ url: server.url, platform: WebSocket, startClosed: true });
const BIG_N = 10n;
const CTOR = [
  ['no options', () => undefined, ['INVALID_OPTION']],
  ['null options', () => null, ['INVALID_OPTION']],
  ['url missing', () => ({ platform: WebSocket }), ['INVALID_OPTION', 'INVALID_URL']],
  ['url empty', () => ({ ...base(), url: '' }), ['INVALID_URL']],
  ['url a number', () => ({ ...base(), url: 42 }), ['INVALID_OPTION', 'INVALID_URL']],
  ['url http://', () => ({ ...base(), url: 'http://127.0.0.1/' }), ['INVALID_URL']],
  ['url not a url', () => ({ ...base(), url: 'not a url' }), ['INVALID_URL']],
  ['url without host', () => ({ ...base(), url: 'wss://' }), ['INVALID_URL']],
  ['url port out of range', () => ({ ...base(), url: 'ws://127.0.0.1:99999/' }), ['INVALID_URL']],
  ['url with a space in the host', () => ({ ...base(), url: 'wss://exa mple.com/' }), ['INVALID_URL']],
  ['ws:// to a public host', () => ({ ...base(), url: 'ws://example.com/' }), ['INSECURE_URL']],
  ['ws:// to a private address', () => ({ ...base(), url: 'ws://10.0.0.1/' }), ['INSECURE_URL']],
  ['ws://localhost.evil.com', () => ({ ...base(), url: 'ws://localhost.evil.com/' }), ['INSECURE_URL']],
  ['ws://127.0.0.1.nip.io', () => ({ ...base(), url: 'ws://127.0.0.1.nip.io/' }), ['INSECURE_URL']],
  ['header value with CR LF', () => ({ ...base(), header: { 'X-A': 'a\r\nInjected: 1' } }), ['INVALID_OPTION']],
  ['header name with LF', () => ({ ...base(), header: { 'X\nB': 'v' } }), ['INVALID_OPTION']],
  ['header value with NUL', () => ({ ...base(), header: { 'X-A': 'a\0b' } }), ['INVALID_OPTION']],
  ['header Referer', () => ({ ...base(), header: { Referer: 'https://a.example/' } }), ['INVALID_OPTION']],
  ['header referer (lower case)', () => ({ ...base(), header: { referer: 'https://a.example/' } }), ['INVALID_OPTION']],
  ['header value a number', () => ({ ...base(), header: { 'X-A': 5 } }), ['INVALID_OPTION']],
  ['header a string', () => ({ ...base(), header: 'X-A: 1' }), ['INVALID_OPTION']],
  ['protocols a string', () => ({ ...base(), protocols: 'chat' }), ['INVALID_OPTION']],
  ['codec xml', () => ({ ...base(), codec: 'xml' }), ['INVALID_OPTION']],
  ['connectTimeoutMs negative', () => ({ ...base(), connectTimeoutMs: -1 }), ['INVALID_OPTION']],
  ['connectTimeoutMs a string', () => ({ ...base(), connectTimeoutMs: 'fast' }), ['INVALID_OPTION']],
  ['reconnect factor < 1', () => ({ ...base(), reconnect: { factor: 0.5 } }), ['INVALID_OPTION']],
  ['reconnect jitter > 1', () => ({ ...base(), reconnect: { jitter: 2 } }), ['INVALID_OPTION']],
  ['reconnect minDelayMs NaN', () => ({ ...base(), reconnect: { minDelayMs: NaN } }), ['INVALID_OPTION']],
  ['reconnect a string', () => ({ ...base(), reconnect: 'yes' }), ['INVALID_OPTION']],
  ['shouldReconnect a number', () => ({ ...base(), reconnect: { shouldReconnect: 5 } }), ['INVALID_OPTION']],
  ['heartbeat intervalMs 0', () => ({ ...base(), heartbeat: { intervalMs: 0 } }), ['INVALID_OPTION']],
  ['heartbeat a string', () => ({ ...base(), heartbeat: 'on' }), ['INVALID_OPTION']],
  ['heartbeat message BigInt', () => ({ ...base(), heartbeat: { message: BIG_N } }), ['INVALID_OPTION', 'SERIALIZE']],
  ['queue overflow unknown', () => ({ ...base(), queue: { overflow: 'explode' } }), ['INVALID_OPTION']],
  ['queue maxMessages negative', () => ({ ...base(), queue: { maxMessages: -5 } }), ['INVALID_OPTION']],
  ['maxMessageBytes a string', () => ({ ...base(), maxMessageBytes: 'big' }), ['INVALID_OPTION']],
  ['requestIdField empty', () => ({ ...base(), requestIdField: '' }), ['INVALID_OPTION']],
  ['platform without connectSocket', () => ({ ...base(), platform: {} }), ['NO_PLATFORM', 'INVALID_OPTION']],
  ['logger a string', () => ({ ...base(), logger: 'console' }), ['INVALID_OPTION']],
];

for (const [label, make, codes] of CTOR) {
  test(`new SocketClient: ${label} → ${codes.join('|')}`, () => {
    let created = null;
    const err = thrown(() => {
      created = new SocketClient(make());
    });
    if (created) created.close();
    assertTyped(err, codes, label);
  });
}

// ---- methods on an open client, which must keep working ----
function cycle() {
  const o = { a: 1 };
  o.self = o;
  return o;
}
const SEND = [
  ['send(undefined)', (c) => c.send(undefined), 'SERIALIZE'],
  ['send(function)', (c) => c.send(() => 1), 'SERIALIZE'],
  ['send(Symbol)', (c) => c.send(Symbol('s')), 'SERIALIZE'],
  ['send(BigInt)', (c) => c.send(10n), 'SERIALIZE'],
  ['send({ n: BigInt })', (c) => c.send({ n: 10n }), 'SERIALIZE'],
  ['send(cycle)', (c) => c.send(cycle()), 'SERIALIZE'],
  ['sendRaw(number)', (c) => c.sendRaw(5), 'SERIALIZE'],
  ['sendRaw(object)', (c) => c.sendRaw({}), 'SERIALIZE'],
  ['request(null)', (c) => c.request(null), 'INVALID_OPTION'],
  ['request(string)', (c) => c.request('s'), 'INVALID_OPTION'],
  ['request timeoutMs -1', (c) => c.request({ method: 'r' }, { timeoutMs: -1 }), 'INVALID_OPTION'],
  ['on(unknown event)', (c) => c.on('nope', () => {}), 'INVALID_OPTION'],
  ['on(message, not a function)', (c) => c.on('message', 'x'), 'INVALID_OPTION'],
  ['request(cycle)', (c) => c.request(cycle()), 'SERIALIZE'],
  ['close(999)', (c) => c.close(999), 'INVALID_CLOSE_CODE'],
  ['close(1001)', (c) => c.close(1001), 'INVALID_CLOSE_CODE'],
  ['close(2999)', (c) => c.close(2999), 'INVALID_CLOSE_CODE'],
  ['close(5000)', (c) => c.close(5000), 'INVALID_CLOSE_CODE'],
  ['close(1000.5)', (c) => c.close(1000.5), 'INVALID_CLOSE_CODE'],
  ['close(NaN)', (c) => c.close(NaN), 'INVALID_CLOSE_CODE'],
  ['close(1000, 124 ASCII bytes)', (c) => c.close(1000, 'x'.repeat(124)), 'REASON_TOO_LONG'],
  ['close(1000, 62 × é = 124 bytes)', (c) => c.close(1000, 'é'.repeat(62)), 'REASON_TOO_LONG'],
];

test('bad arguments to send/request/close on an open client: typed errors, nothing queued, the client keeps working', async (t) => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  for (const [label, call, code] of SEND) {
    await t.test(label, async () => {
      const before = { q: c.queuedCount, sent: c.stats.messagesSent };
      let err = thrown(() => {
        const r = call(c);
        if (r && typeof r.then === 'function') r.catch(() => {});
      });
      if (!err && label.startsWith('request')) {
        err = await call(c).then(() => null, (e) => e);
      }
      assertTyped(err, code, label);
      assert.equal(c.state, 'open', `${label}: state ${c.state}`);
      assert.equal(c.queuedCount, before.q);
      assert.equal(c.stats.messagesSent, before.sent, `${label}: something was sent`);
    });
  }
  // a reason of exactly 123 bytes and 61 × é (122 bytes) are accepted: checked on throwaway clients
  for (const reason of ['x'.repeat(123), 'é'.repeat(61)]) {
    const d = new SocketClient({ url: server.url, platform: WebSocket });
    await waitEvent(d, 'open');
    assert.equal(thrown(() => d.close(1000, reason)), null);
    assert.equal(d.state, 'closed');
  }
  const reply = await c.request({ method: 'r', params: { after: 'bad input' } }, { timeoutMs: 2000 });
  assert.equal(reply.result.params.after, 'bad input');
  c.close();
});

test('server sends invalid JSON: error DECODE with the raw text, the connection stays up', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  const err = waitEvent(c, 'error', (e) => e.code === 'DECODE', 2000);
  let messages = 0;
  c.on('message', () => (messages += 1));
  server.sendRaw('{"not json');
  const e = await err;
  assert.equal(e.raw, '{"not json');
  assert.equal(messages, 0);
  assert.equal(c.state, 'open');
  const reply = await c.request({ method: 'r' }, { timeoutMs: 2000 });
  assert.equal(reply.result.method, 'r');
  c.close();
});

test('a frame over maxMessageBytes: error MESSAGE_TOO_LARGE, never decoded, the connection stays up (text and binary)', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket, maxMessageBytes: 1000 });
  await waitEvent(c, 'open');
  let messages = 0;
  c.on('message', () => (messages += 1));
  for (const binary of [false, true]) {
    const err = waitEvent(c, 'error', (e) => e.code === 'MESSAGE_TOO_LARGE', 2000);
    server.big(200000, { binary });
    await err;
  }
  server.big(900); // under the limit: delivered
  await sleep(200);
  assert.equal(messages, 1);
  assert.equal(c.state, 'open');
  assert.ok(c.stats.dropped >= 2, `dropped ${c.stats.dropped}`);
  const reply = await c.request({ method: 'r' }, { timeoutMs: 2000 });
  assert.equal(reply.result.method, 'r');
  c.close();
});

test('calls after close(): send/sendRaw throw CLOSED, request rejects CLOSED, close() is idempotent, reconnect() revives', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  const pending = c.request({ method: 'slow' }, { timeoutMs: 5000 });
  let closes = 0;
  c.on('close', () => (closes += 1));
  server.stall(); // so the pending request cannot be answered
  c.close();
  assertTyped(await pending.then(() => null, (e) => e), 'CLOSED', 'pending request at close()');
  assertTyped(thrown(() => c.send({ a: 1 })), 'CLOSED', 'send after close');
  assertTyped(thrown(() => c.sendRaw('x')), 'CLOSED', 'sendRaw after close');
  assertTyped(await Promise.resolve().then(() => c.request({ method: 'r' })).then(() => null, (e) => e), 'CLOSED', 'request after close');
  assert.equal(thrown(() => c.close()), null);
  assert.equal(thrown(() => c.close(4000, 'again')), null);
  assert.equal(closes, 1);
  assert.equal(c.state, 'closed');
  server.unstall();
  c.reconnect();
  await waitEvent(c, 'open', () => true, 3000);
  const reply = await c.request({ method: 'r' }, { timeoutMs: 2000 });
  assert.equal(reply.result.method, 'r');
  c.close();
});

test('calls after free(): a typed error (WxSocketError), and free() is idempotent', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket, startClosed: true });
  c.close();
  c.free();
  for (const [name, call] of [
    ['send', () => c.send({ a: 1 })],
    ['sendRaw', () => c.sendRaw('x')],
    ['close', () => c.close()],
    ['reconnect', () => c.reconnect()],
    ['on', () => c.on('open', () => {})],
    ['retryCount', () => c.retryCount],
    ['stats', () => c.stats],
  ]) {
    assertTyped(thrown(call), ['CLOSED'], `${name} after free`);
  }
  assert.equal(c.state, 'closed', 'state after free');
  await assert.rejects(c.request({ a: 1 }), (e) => e.name === 'WxSocketError' && e.code === 'CLOSED');
  assert.equal(thrown(() => c.free()), null, 'a second free()');
});

test('calls after free(): a thrown Error, no crash of later clients', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  c.close();
  c.free();
  for (const call of [() => c.send({ a: 1 }), () => c.close(), () => c.retryCount, () => c.reconnect()]) {
    const err = thrown(call);
    assert.ok(err instanceof Error, 'an Error is thrown after free()');
  }
  const d = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(d, 'open');
  d.close();
});
