'use strict';
// The mini-program loader (miniprogram_npm/wxsocket/index.js) in the harness: which file it instantiates on
// which base library, the overrides, the WebAssembly fallback, init() idempotence and errors, the
// NOT_INITIALIZED guard, and the text stand-ins inside the glue.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { prepareExample } = require('./setup.js');
const { MiniProgram, waitFor } = require('./harness.js');
const { startServer } = require('../server/server.js');

const DEFAULT = '/miniprogram_npm/wxsocket/wxsocket_bg.wasm';

let server;
let ex;
const open = [];

test.before(async () => {
  server = await startServer({ port: 0 });
  ex = await prepareExample({ serverUrl: server.url });
  const from = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket', 'wxsocket_bg.wasm');
  fs.mkdirSync(path.join(ex.miniprogramRoot, 'lib'), { recursive: true });
  fs.copyFileSync(from, path.join(ex.miniprogramRoot, 'lib', 'socket.wasm'));
  fs.copyFileSync(from + '.br', path.join(ex.miniprogramRoot, 'lib', 'socket.wasm.br'));
  fs.mkdirSync(path.join(ex.miniprogramRoot, 'plain'), { recursive: true });
  fs.copyFileSync(from, path.join(ex.miniprogramRoot, 'plain', 'socket.wasm'));
});

test.after(async () => {
  for (const mp of open) mp.close();
  if (server) await server.stop();
  if (ex) ex.cleanup();
});

async function runtime(options) {
  const mp = await MiniProgram.create(ex.miniprogramRoot, options);
  open.push(mp);
  return mp;
}

// The whole client path inside the runtime: connect, JSON echo with non-ASCII text, close.
async function echoes(mp, w) {
  const client = await w.connect({ url: server.url, reconnect: false });
  const got = [];
  client.on('message', (m) => got.push(m));
  await waitFor(() => client.state === 'open', 'open');
  const text = 'Grüße 你好 😀 \u{10FFFF} end';
  client.send({ text });
  await waitFor(() => got.length === 1, 'echo');
  client.close();
  client.free();
  assert.deepEqual(JSON.parse(JSON.stringify(got[0])), { text });
  assert.deepEqual(mp.errors.map(String), []);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

for (const [sdk, expected, note] of [
  ['2.13.0', DEFAULT, 'plain .wasm below 2.14.0 (getSystemInfoSync only)'],
  ['2.14.0', DEFAULT + '.br', '.br from 2.14.0'],
  ['2.24.0', DEFAULT + '.br', '.br, version from getSystemInfoSync'],
  ['3.7.0', DEFAULT + '.br', '.br, version from getAppBaseInfo'],
]) {
  test(`base library ${sdk}: ${note}`, async () => {
    const mp = await runtime({ sdkVersion: sdk });
    const w = mp.require('wxsocket');
    await w.init();
    assert.deepEqual(mp.attempts, [expected]);
    assert.deepEqual(mp.instantiated.map((i) => i.path), [expected]);
    await echoes(mp, w);
  });
}

test('new SocketClient before init() has finished throws WxSocketError NOT_INITIALIZED', async () => {
  const mp = await runtime();
  const w = mp.require('wxsocket');
  const make = () => new w.SocketClient({ url: server.url });
  const check = (err) => err.name === 'WxSocketError' && err.code === 'NOT_INITIALIZED' && /init\(\)/.test(err.message);
  assert.throws(make, check);
  const pending = w.init();
  assert.throws(make, check, 'still refused while init() is pending');
  await pending;
  const c = make();
  assert.ok(c instanceof w.SocketClient);
  c.close();
  c.free();
  assert.equal(mp.liveSockets() <= 1, true);
});

test('init() is idempotent: one instantiation, the same promise while pending', async () => {
  const mp = await runtime();
  const w = mp.require('wxsocket');
  const a = w.init();
  const b = w.init({ wasmPath: '/elsewhere.wasm' });
  assert.equal(a, b, 'a pending init() is shared (later options are ignored)');
  await a;
  await w.init();
  await w.connect({ url: server.url, startClosed: true }).then((c) => c.free());
  assert.equal(mp.attempts.length, 1);
  assert.equal(typeof w.version, 'string');
  assert.match(w.version, /^\d+\.\d+\.\d+/);
});

test('init({ wasmPath }) loads from another path in the package, .br first', async () => {
  const mp = await runtime();
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm' });
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/lib/socket.wasm.br']);
  await echoes(mp, w);
});

test('init({ brotli: false }) takes the plain file even on a new base library', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm', brotli: false });
  assert.deepEqual(mp.attempts, ['/lib/socket.wasm']);
});

test('a missing .br falls back to the plain .wasm', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/plain/socket.wasm' });
  assert.deepEqual(mp.attempts, ['/plain/socket.wasm.br', '/plain/socket.wasm']);
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/plain/socket.wasm']);
  await echoes(mp, w);
});

test('a failed init() rejects with NOT_INITIALIZED naming the path, and a later init() can succeed', async () => {
  const mp = await runtime({ sdkVersion: '2.13.0' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init({ wasmPath: '/nowhere/socket.wasm' }));
  assert.equal(err.name, 'WxSocketError');
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /\/nowhere\/socket\.wasm/);
  assert.throws(() => new w.SocketClient({ url: server.url }), (e) => e.code === 'NOT_INITIALIZED');
  await w.init();
  await echoes(mp, w);
});

test('WXWebAssembly resolving { instance, module } works too', async () => {
  const mp = await runtime({ instantiateResult: 'pair' });
  const w = mp.require('wxsocket');
  await w.init();
  await echoes(mp, w);
});

test('only the standard WebAssembly: the plain file is read with the file system manager', async () => {
  const mp = await runtime({ wasm: 'webassembly' });
  assert.equal(mp.evaluate('typeof WXWebAssembly'), 'undefined');
  assert.equal(mp.evaluate('typeof WebAssembly'), 'object');
  const w = mp.require('wxsocket');
  await w.init();
  assert.deepEqual(mp.filesRead, [DEFAULT]);
  assert.deepEqual(mp.attempts, []);
  await echoes(mp, w);
});

test('only the standard WebAssembly: init({ wasm: bytes }) uses the bytes given', async () => {
  const mp = await runtime({ wasm: 'webassembly' });
  const w = mp.require('wxsocket');
  const bytes = fs.readFileSync(path.join(ex.miniprogramRoot, 'plain', 'socket.wasm'));
  await w.init({ wasm: new Uint8Array(bytes) });
  assert.deepEqual(mp.filesRead, []);
  await echoes(mp, w);
});

test('WXWebAssembly takes no bytes: init({ wasm }) without WebAssembly rejects with a reason', async () => {
  const mp = await runtime();
  const w = mp.require('wxsocket');
  const err = await rejection(w.init({ wasm: new ArrayBuffer(8) }));
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /WXWebAssembly takes only a path/);
  assert.deepEqual(mp.attempts, []);
});

test('neither WXWebAssembly nor WebAssembly: init() rejects NOT_INITIALIZED', async () => {
  const mp = await runtime({ wasm: 'none' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init());
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /neither WXWebAssembly .* nor WebAssembly/);
});

test('text through the glue uses the stand-ins: CJK, emoji, lone surrogates and U+FFFD survive', async () => {
  const mp = await runtime();
  assert.deepEqual(mp.presentGlobals(['TextEncoder', 'TextDecoder']), []);
  const w = mp.require('wxsocket');
  await w.init();
  const client = new w.SocketClient({ url: server.url, codec: 'text', reconnect: false });
  const got = [];
  client.on('message', (m) => got.push(m));
  await waitFor(() => client.state === 'open', 'open');
  const samples = ['ascii', 'é ß ü', '你好，世界', '😀👍🏽👩‍👩‍👧', '\uFFFD', 'a\uD800b', '\uDC00', ''.padEnd(3000, '漢')];
  for (const s of samples) client.send(s);
  await waitFor(() => got.length === samples.length, 'all echoes');
  // A lone surrogate has no UTF-8 form: it goes out as U+FFFD, like TextEncoder does.
  const expected = samples.map((s) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
  assert.deepEqual(got, expected);
  const onWire = server.log().connections.at(-1).frames.map((f) => f.data);
  assert.deepEqual(onWire, expected);
  assert.equal(client.stats.bytesSent, expected.reduce((n, s) => n + Buffer.byteLength(s), 0), 'UTF-8 byte counts');
  client.close();
  client.free();
});
