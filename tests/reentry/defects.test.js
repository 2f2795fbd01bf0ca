'use strict';
// The defects of issue 13, one test each, against the built package (pkg/): page code (listeners,
// shouldReconnect, free(), a url function) running while the client is in the middle of something.
// The rules they check are the contract's "Re-entrancy and lifetimes" (docs/contract.md). The garbage
// collector's part (an unreferenced live client) is tests/leak/gc.test.js.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { loadPackage, withServer, loadFakeWx, recorder, waitEvent, thrown, sleep, assertCode, rejection, nextTick } = require('../e2e/helpers.js');

const { SocketClient } = loadPackage();
let server;
withServer((s) => {
  server = s;
});
let createFakeWx;
test.before(async () => {
  createFakeWx = await loadFakeWx();
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

// ---- 3. a first attempt that fails synchronously ----

const syncFailures = [
  ['a url function that throws', () => ({ url: () => { throw new Error('no token'); } })],
  ['a url function that returns a number', () => ({ url: () => 42 })],
  ['a connectSocket that throws', () => ({ url: 'wss://example.test/s', platform: { connectSocket() { throw new Error('bridge down'); } } })],
  ['a connectSocket that returns no task', () => ({ url: 'wss://example.test/s', platform: { connectSocket() { return undefined; } } })],
  // (A SecurityError, as for a blocked port; a SyntaxError is the platform refusing the URL: INVALID_URL,
  // tests/e2e/url_refusal.test.js.)
  ['a WebSocket constructor that throws', () => ({ url: 'wss://example.test/s', platform: function Broken() { const e = new Error('blocked'); e.name = 'SecurityError'; throw e; } })],
];
for (const [label, options] of syncFailures) {
  test(`3: ${label} with maxRetries 0: no event inside the constructor; CONNECT_FAILED, RETRIES_EXHAUSTED and close are heard after it`, async () => {
    const fake = createFakeWx();
    const c = new SocketClient({ platform: fake.wx, reconnect: { maxRetries: 0 }, ...options() });
    // Listeners added right after the constructor returns hear everything.
    const rec = recorder(c);
    assert.deepEqual(rec.names(), [], 'nothing emitted before the listeners could exist');
    await nextTick();
    const codes = rec.of('error').map((e) => e.code);
    assert.ok(codes.includes('CONNECT_FAILED'), `CONNECT_FAILED heard: ${rec.names().join(' ')} ${codes}`);
    assert.ok(codes.includes('RETRIES_EXHAUSTED'), `RETRIES_EXHAUSTED heard: ${codes}`);
    assert.equal(rec.of('close').length, 1, 'one close event');
    assert.equal(c.state, 'closed');
    const states = rec.of('state');
    assert.ok(states.length > 0, 'state events heard');
    assert.equal(states[states.length - 1].to, 'closed', 'the last state event matches state');
    c.free();
  });
}

// ---- 4. free() ----

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

test('6: close() inside an open listener returns after its close event', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  const order = [];
  c.on('open', () => {
    order.push('close() called');
    c.close();
    order.push('close() returned');
  });
  c.on('close', () => order.push('close event'));
  fake.lastTask().serverOpen();
  assert.deepEqual(order, ['close() called', 'close event', 'close() returned']);
  c.free();
});

test('6: close() inside a close listener: no stale reconnecting event, the client ends closed', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx, reconnect: { minDelayMs: 10, jitter: 0 } });
  fake.lastTask().serverOpen();
  const rec = recorder(c);
  c.once('close', () => c.close());
  fake.lastTask().serverClose(4000, 'bye');
  await sleep(40);
  assert.equal(c.state, 'closed');
  assert.deepEqual(rec.of('reconnecting'), [], 'no reconnecting event after close(): ' + rec.names().join(' '));
  const states = rec.of('state');
  for (let i = 1; i < states.length; i++) assert.equal(states[i].from, states[i - 1].to, 'state events chain: ' + rec.names().join(' '));
  assert.equal(states[states.length - 1].to, 'closed');
  assert.equal(fake.tasks.length, 1, 'no new attempt');
  c.free();
});

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

test('7: a binary frame delivered as a typed-array view counts against maxMessageBytes and the byte counters', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx, maxMessageBytes: 8 });
  fake.lastTask().serverOpen();
  const rec = recorder(c);
  const big = new Uint8Array(64).subarray(4, 36); // 32 bytes, a view into a larger buffer
  fake.lastTask().fireLate('message', { data: big });
  assert.equal(rec.of('message').length, 0, 'an oversized view is not delivered');
  assert.ok(rec.of('error').some((e) => e.code === 'MESSAGE_TOO_LARGE'), 'MESSAGE_TOO_LARGE: ' + rec.names().join(' '));
  const small = new Uint8Array(16).subarray(2, 6); // 4 bytes
  const before = c.stats.bytesReceived;
  fake.lastTask().fireLate('message', { data: small });
  const got = rec.of('message');
  assert.equal(got.length, 1);
  assert.ok(got[0] instanceof ArrayBuffer, 'delivered as ArrayBuffer');
  assert.equal(got[0].byteLength, 4, 'its own bytes only');
  assert.equal(c.stats.bytesReceived - before, 4, 'bytesReceived counts the view');
  c.free();
});

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

test('7: header on a WebSocket-constructor platform is not dropped without a word: a logger warning names it', async () => {
  const logs = [];
  const c = new SocketClient({
    url: server.url,
    platform: WebSocket,
    header: { 'X-Token': 'secret-value' },
    logger: (level, message, fields) => logs.push({ level, message, fields }),
  });
  await waitEvent(c, 'open');
  const warn = logs.find((l) => l.level === 'warn' && /header/i.test(l.message + JSON.stringify(l.fields)));
  assert.ok(warn, 'a warning about header: ' + JSON.stringify(logs));
  assert.doesNotMatch(JSON.stringify(logs), /secret-value/, 'header values are never logged');
  c.close();
  c.free();
});

test('7: a platform errMsg that echoes the URL carries no query string into the logger, error or close events', async () => {
  const secret = 'token=s3cr3t';
  const url = 'wss://example.test/path?' + secret;
  const platforms = {
    'connectSocket fail/onError': {
      connectSocket(o) {
        const l = {};
        const task = { send() {}, close() {}, onOpen(f) { l.open = f; }, onMessage() {}, onClose(f) { l.close = f; }, onError(f) { l.error = f; } };
        setTimeout(() => {
          o.fail({ errMsg: 'connectSocket:fail invalid url "' + o.url + '"' });
          l.error({ errMsg: 'WebSocket connection to ' + o.url + ' failed' });
          l.close({ code: 1006, reason: 'could not reach ' + o.url });
        }, 0);
        return task;
      },
    },
    'connectSocket that throws': { connectSocket(o) { throw new Error('cannot open ' + o.url); } },
    'a WebSocket constructor that throws': function Ws(u) { throw new Error('cannot open ' + u); },
    'a task whose send fails': {
      connectSocket(o) {
        const l = {};
        const task = {
          send(s) { setTimeout(() => s.fail({ errMsg: 'sendSocketMessage:fail ' + o.url }), 0); },
          close() {},
          onOpen(f) { l.open = f; },
          onMessage() {},
          onClose(f) { l.close = f; },
          onError(f) { l.error = f; },
        };
        setTimeout(() => l.open({}), 0);
        return task;
      },
    },
  };
  for (const [label, platform] of Object.entries(platforms)) {
    const logs = [];
    const c = new SocketClient({ url, platform, reconnect: { maxRetries: 0 }, logger: (...a) => logs.push(a) });
    const rec = recorder(c);
    await sleep(10);
    if (label === 'a task whose send fails') {
      c.send('x');
      await sleep(20);
    }
    const everything = JSON.stringify({ logs, events: rec.events });
    assert.ok(rec.events.length > 0, `${label}: events were heard`);
    assert.doesNotMatch(everything, /s3cr3t/, `${label}: ${everything}`);
    c.free();
  }
});

test('5: an id JSON would not send (NaN, Infinity, inherited, not enumerable; also in requestIdField) rejects at once, nothing sent', async () => {
  const fake = createFakeWx();
  const c = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx });
  const d = new SocketClient({ url: 'wss://example.test/s', platform: fake.wx, requestIdField: 'rid' });
  fake.tasks[0].serverOpen();
  fake.tasks[1].serverOpen();
  class Inherited { get id() { return 7; } get rid() { return 8; } }
  const hidden = (field) => Object.defineProperty({ m: 1 }, field, { value: 9, enumerable: false });
  const cases = (field) => [['NaN', { [field]: NaN }], ['Infinity', { [field]: -Infinity }], ['a getter on the prototype', new Inherited()], ['not enumerable', hidden(field)]];
  for (const [client, field, task] of [[c, 'id', fake.tasks[0]], [d, 'rid', fake.tasks[1]]]) {
    for (const [label, data] of cases(field)) {
      assertCode(await rejection(client.request(data, { timeoutMs: 60000 })), 'INVALID_OPTION', `${field}: ${label}`);
    }
    await sleep(5);
    assert.deepEqual(task.sent, [], `${field}: nothing sent`);
    // An id in another field than requestIdField is just data.
    const p = client.request({ other: NaN, [field]: 3 });
    task.serverMessage(JSON.stringify({ [field]: 3, ok: true }));
    assert.equal((await p).ok, true);
  }
  c.free();
  d.free();
});
