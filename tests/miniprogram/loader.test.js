'use strict';
// The mini-program loader (miniprogram_npm/wxsocket/index.js) in the harness: which file it instantiates on
// which base library, the overrides, the WebAssembly fallback, init() idempotence and errors, the
// NOT_INITIALIZED guard, and the text stand-ins inside the glue. One module ships, built for the
// WebAssembly MVP, as `wxsocket_bg.wasm.br` only: every device loads that file from base library 2.14.0
// (the device plays no part), including on a simulated old engine that refuses every feature after the
// MVP (as JavaScriptCore before iOS 15.1 lacks reference types and bulk memory), end to end against the
// test server. Below 2.14.0, and where only the standard WebAssembly exists, the developer copies the
// package's plain `wxsocket_bg.wasm` into the project and passes its path: without one, init() says so.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { prepareExample } = require('./setup.js');
const { MiniProgram, waitFor, mvpRefusal } = require('./harness.js');
const { startServer } = require('../server/server.js');
const { rejection } = require('../e2e/helpers.js');

// The one file of the module that miniprogram_dist/ ships.
const SHIPPED = '/miniprogram_npm/wxsocket/wxsocket_bg.wasm.br';

let server;
let ex;
const open = [];

test.before(async () => {
  server = await startServer({ port: 0 });
  ex = await prepareExample({ serverUrl: server.url });
  // What the README tells a developer to do for base libraries below 2.14.0: copy the package's plain
  // wxsocket_bg.wasm (from node_modules/wxsocket/) into the project.
  const plain = path.join(ex.dir, 'node_modules', 'wxsocket', 'wxsocket_bg.wasm');
  const br = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket', 'wxsocket_bg.wasm.br');
  assert.ok(zlib.brotliDecompressSync(fs.readFileSync(br)).equals(fs.readFileSync(plain)), 'the plain file is the shipped module');
  fs.mkdirSync(path.join(ex.miniprogramRoot, 'lib'), { recursive: true });
  fs.copyFileSync(plain, path.join(ex.miniprogramRoot, 'lib', 'socket.wasm'));
  fs.copyFileSync(br, path.join(ex.miniprogramRoot, 'lib', 'socket.wasm.br'));
  fs.mkdirSync(path.join(ex.miniprogramRoot, 'plain'), { recursive: true });
  fs.copyFileSync(plain, path.join(ex.miniprogramRoot, 'plain', 'socket.wasm'));
  // A module that uses bulk memory (memory.copy), assembled by hand: () -> i32.
  fs.writeFileSync(path.join(ex.miniprogramRoot, 'lib', 'bulk.wasm'), Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type () -> i32
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // one memory, one page
    0x0a, 0x10, 0x01, 0x0e, 0x00, // code: one body of 14 bytes, no locals
    0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00, // memory.copy 0 0 0
    0x41, 0x01, 0x0b, // i32.const 1, end
  ]));
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

for (const [sdk, note] of [
  ['2.14.0', 'the .br from 2.14.0'],
  ['2.24.0', 'the .br, version from getSystemInfoSync'],
  ['3.7.0', 'the .br, version from getAppBaseInfo'],
]) {
  test(`base library ${sdk}: ${note}`, async () => {
    const mp = await runtime({ sdkVersion: sdk });
    const w = mp.require('wxsocket');
    await w.init();
    assert.deepEqual(mp.attempts, [SHIPPED]);
    assert.deepEqual(mp.instantiated.map((i) => i.file), ['miniprogram_npm/wxsocket/wxsocket_bg.wasm.br']);
    await echoes(mp, w);
  });
}

test('base library 2.13.0 without a wasmPath: init() rejects, telling to copy the plain file and pass wasmPath', async () => {
  const mp = await runtime({ sdkVersion: '2.13.0' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init());
  assert.equal(err.name, 'WxSocketError');
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /2\.13\.0/, 'names the base library');
  assert.match(err.message, /2\.14\.0/, 'names the version brotli needs');
  assert.match(err.message, /wxsocket_bg\.wasm\b(?!\.br)/, 'names the plain file to copy');
  assert.match(err.message, /init\(\{ wasmPath \}\)/, 'names the option');
  assert.deepEqual(mp.attempts, [], 'nothing was tried: the .br cannot be read there');
  // Done as the message says: the copied plain file.
  await w.init({ wasmPath: '/plain/socket.wasm' });
  assert.deepEqual(mp.attempts, ['/plain/socket.wasm']);
  await echoes(mp, w);
});

test('base library 2.13.0 with a wasmPath: the plain file only (no .br tried)', async () => {
  const mp = await runtime({ sdkVersion: '2.13.0' });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm' });
  assert.deepEqual(mp.attempts, ['/lib/socket.wasm']);
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/lib/socket.wasm']);
  await echoes(mp, w);
});

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
  assert.deepEqual(mp.attempts, ['/lib/socket.wasm.br']);
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/lib/socket.wasm.br']);
  await echoes(mp, w);
});

test('a wasmPath ending in .br is used as given', async () => {
  const mp = await runtime({ sdkVersion: '2.14.0' });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm.br', brotli: false });
  assert.deepEqual(mp.attempts, ['/lib/socket.wasm.br']);
  await echoes(mp, w);
});

test('init({ brotli: false }) takes the plain file even on a new base library', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm', brotli: false });
  assert.deepEqual(mp.attempts, ['/lib/socket.wasm']);
  await echoes(mp, w);
});

test('init({ brotli: false }) without a wasmPath rejects: the package ships only the .br', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init({ brotli: false }));
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /brotli: false/, 'names the option that asked for the plain file');
  assert.match(err.message, /init\(\{ wasmPath \}\)/);
  assert.deepEqual(mp.attempts, []);
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
  assert.deepEqual(mp.attempts, ['/nowhere/socket.wasm']);
  assert.throws(() => new w.SocketClient({ url: server.url }), (e) => e.code === 'NOT_INITIALIZED');
  await w.init({ wasmPath: '/plain/socket.wasm' });
  await echoes(mp, w);
});

test('WXWebAssembly resolving { instance, module } works too', async () => {
  const mp = await runtime({ instantiateResult: 'pair' });
  const w = mp.require('wxsocket');
  await w.init();
  await echoes(mp, w);
});

test('only the standard WebAssembly without a path: init() rejects, telling to pass wasmPath or the bytes', async () => {
  const mp = await runtime({ wasm: 'webassembly' });
  assert.equal(mp.evaluate('typeof WXWebAssembly'), 'undefined');
  assert.equal(mp.evaluate('typeof WebAssembly'), 'object');
  const w = mp.require('wxsocket');
  const err = await rejection(w.init());
  assert.equal(err.name, 'WxSocketError');
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /only WebAssembly/);
  assert.match(err.message, /wxsocket_bg\.wasm\.br/, 'names the file it cannot read');
  assert.match(err.message, /init\(\{ wasmPath \}\)/);
  assert.match(err.message, /init\(\{ wasm: bytes \}\)/);
  assert.deepEqual(mp.filesRead, [], 'nothing read');
  // A .br path is no better: only WXWebAssembly reads brotli.
  const br = await rejection(w.init({ wasmPath: '/lib/socket.wasm.br' }));
  assert.match(br.message, /\/lib\/socket\.wasm\.br/);
  assert.deepEqual(mp.filesRead, []);
});

test('only the standard WebAssembly: a plain wasmPath is read with the file system manager', async () => {
  const mp = await runtime({ wasm: 'webassembly' });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/plain/socket.wasm' });
  assert.deepEqual(mp.filesRead, ['/plain/socket.wasm']);
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
  assert.match(err.message, /WeChat/, 'names the runtime');
  assert.match(err.message, /WXWebAssembly \(base library 2\.13\.0\+\)/, 'names the object missing and the base library that has it');
  assert.match(err.message, /nor WebAssembly/, 'and that the standard one is missing too');
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
  // stats counts text frames by their length in UTF-16 units (the README says why); the queue's
  // bufferedAmount is exact UTF-8, measured by the module's own counting, no TextEncoder involved.
  assert.equal(client.stats.bytesSent, samples.reduce((n, s) => n + s.length, 0), 'UTF-16 units counted');
  const idle = new w.SocketClient({ url: server.url, codec: 'text', startClosed: true });
  for (const s of samples) idle.sendRaw(s);
  assert.equal(idle.bufferedAmount, samples.reduce((n, s) => n + Buffer.byteLength(s), 0), 'UTF-8 bytes queued');
  idle.close();
  idle.free();
  client.close();
  client.free();
});

// ------------------------------------------------------------------------------------------------
// One module for every device, built for the WebAssembly MVP
// ------------------------------------------------------------------------------------------------

// The device the runtime reports: getDeviceInfo (when `deviceInfo`) and getSystemInfoSync.
function device(mp, { system, platform, deviceInfo = true }) {
  const base = mp.wx.getSystemInfoSync;
  mp.wx.getSystemInfoSync = () => Object.assign(base(), { system, platform });
  if (deviceInfo) mp.wx.getDeviceInfo = () => ({ brand: 'Apple', model: 'iPhone', system, platform });
  else delete mp.wx.getDeviceInfo;
}

// The whole client path on the test server: JSON echo with non-ASCII text, a request and its reply, a
// binary frame, then the server kills the connection and the client reconnects and delivers a queued
// message; close and free. Also checks that no JS value is left behind in the glue.
async function endToEnd(mp, w) {
  const client = await w.connect({ url: server.url, reconnect: { minDelayMs: 20, maxDelayMs: 50 }, heartbeat: { intervalMs: 1000, timeoutMs: 500 } });
  const got = [];
  let closes = 0;
  client.on('message', (m) => got.push(m));
  client.on('close', () => { closes += 1; });
  await waitFor(() => client.state === 'open', 'open');
  const text = 'Grüße 你好 😀 end';
  client.send({ text });
  await waitFor(() => got.length === 1, 'echo');
  assert.deepEqual(JSON.parse(JSON.stringify(got[0])), { text });
  const reply = await client.request({ method: 'sum', params: [1, 2] }, { timeoutMs: 2000 });
  assert.deepEqual(JSON.parse(JSON.stringify(reply.result)), { method: 'sum', params: [1, 2] });
  const bytes = new Uint8Array([0, 1, 2, 254, 255]);
  client.send(bytes.buffer);
  await waitFor(() => got.length === 2, 'binary echo');
  assert.deepEqual([...new Uint8Array(got[1])], [...bytes]);
  const opens = client.stats.connects;
  server.kill();
  await waitFor(() => closes === 1, 'the client sees the connection die');
  client.send({ after: 'reconnect' });
  await waitFor(() => client.state === 'open' && client.stats.connects === opens + 1, 'reconnected', 5000);
  await waitFor(() => got.some((m) => m && m.after === 'reconnect'), 'the queued message after the reconnect');
  client.close();
  client.free();
  assert.deepEqual(mp.errors.map(String), []);
}

for (const [name, dev, old] of [
  ['iOS 12.5 (getSystemInfoSync only)', { system: 'iOS 12.5.7', platform: 'ios', deviceInfo: false }, true],
  ['iOS 14.8 (getDeviceInfo)', { system: 'iOS 14.8', platform: 'ios' }, true],
  ['iPadOS 14 without a platform field', { system: 'iPadOS 14.2', platform: undefined }, true],
  ['iOS 15.0 (no reference types or bulk memory before 15.1)', { system: 'iOS 15.0.2', platform: 'ios' }, true],
  ['iOS 15.1', { system: 'iOS 15.1', platform: 'ios' }, false],
  ['iOS 17.4', { system: 'iOS 17.4.1', platform: 'ios' }, false],
  ['Android 8', { system: 'Android 8.1.0', platform: 'android' }, false],
  ['the developer tools (simulated iOS 10)', { system: 'iOS 10.0.1', platform: 'devtools' }, false],
]) {
  test(`every device loads the one .br module: ${name}${old ? ', on an engine without post-MVP features' : ''}`, async () => {
    const mp = await runtime({ sdkVersion: '3.7.0', engine: old ? 'mvp' : 'current' });
    device(mp, dev);
    const w = mp.require('wxsocket');
    await w.init();
    assert.deepEqual(mp.attempts, [SHIPPED]);
    assert.deepEqual(mp.instantiated.map((i) => i.file), ['miniprogram_npm/wxsocket/wxsocket_bg.wasm.br']);
    assert.deepEqual(mp.refused, []);
    await echoes(mp, w);
  });
}

test('the shipped module is within the WebAssembly MVP (what the old engine checks)', () => {
  const shipped = zlib.brotliDecompressSync(fs.readFileSync(path.join(ex.miniprogramRoot, SHIPPED.slice(1))));
  assert.equal(mvpRefusal(shipped), null);
});

test('iOS 14 on an engine without reference types or bulk memory: works end to end', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0', engine: 'mvp' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  const w = mp.require('wxsocket');
  await w.init();
  assert.deepEqual(mp.refused, []);
  assert.deepEqual(mp.instantiated.map((i) => i.file), ['miniprogram_npm/wxsocket/wxsocket_bg.wasm.br']);
  assert.deepEqual(mp.presentGlobals(['TextEncoder', 'TextDecoder', 'WebAssembly', 'FinalizationRegistry', 'WeakRef']), []);
  await endToEnd(mp, w);
});

test('iOS 12 on the old engine with base library 2.13.0: the copied plain file works end to end', async () => {
  const mp = await runtime({ sdkVersion: '2.13.0', engine: 'mvp' });
  device(mp, { system: 'iOS 12.5.7', platform: 'ios', deviceInfo: false });
  const w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm' });
  assert.deepEqual(mp.attempts, ['/lib/socket.wasm']);
  assert.deepEqual(mp.refused, []);
  await endToEnd(mp, w);
});

test('the old engine really refuses a module that uses bulk memory (the simulation is not a no-op)', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0', engine: 'mvp' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init({ wasmPath: '/lib/bulk.wasm', brotli: false }));
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /\/lib\/bulk\.wasm/);
  assert.match(err.message, /CompileError.*memory\.copy operations require bulk memory/);
  assert.deepEqual(mp.refused, ['/lib/bulk.wasm']);
  assert.deepEqual(mp.instantiated, []);
  // The same runtime then loads the shipped module.
  await w.init();
  assert.deepEqual(mp.instantiated.map((i) => i.path), [SHIPPED]);
  await echoes(mp, w);
});

test('only the standard WebAssembly on the old engine: the copied plain file and the bytes both work', async () => {
  let mp = await runtime({ wasm: 'webassembly', engine: 'mvp' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  let w = mp.require('wxsocket');
  const bulk = await rejection(w.init({ wasmPath: '/lib/bulk.wasm' }));
  assert.match(bulk.message, /bulk memory/);
  await w.init({ wasmPath: '/plain/socket.wasm' });
  assert.deepEqual(mp.filesRead, ['/lib/bulk.wasm', '/plain/socket.wasm']);
  assert.deepEqual(mp.refused, ['WebAssembly.instantiate']);
  await echoes(mp, w);

  mp = await runtime({ wasm: 'webassembly', engine: 'mvp' });
  w = mp.require('wxsocket');
  await w.init({ wasm: new Uint8Array(fs.readFileSync(path.join(ex.miniprogramRoot, 'plain', 'socket.wasm'))) });
  assert.deepEqual(mp.refused, []);
  await echoes(mp, w);
});

test('the entry requires nothing beside itself: the glue is bundled in', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  await w.init();
  const loaded = [...mp.cache.keys()].map((f) => path.relative(mp.root, f).split(path.sep).join('/')).sort();
  assert.deepEqual(loaded, ['miniprogram_npm/wxsocket/index.js']);
  await echoes(mp, w);
});

test('Douyin: TTWebAssembly loads the .br from base library 2.92.0.0 (its own numbering), end to end', async () => {
  const mp = await runtime({ platform: 'douyin', sdkVersion: '2.92.0.0' });
  const w = mp.require('wxsocket');
  await w.init();
  assert.deepEqual(mp.attempts, [SHIPPED]);
  await echoes(mp, w);
});

test('Douyin below 2.92.0.0: the .br is not offered; init() says to copy the plain file (no WeChat threshold used)', async () => {
  const mp = await runtime({ platform: 'douyin', sdkVersion: '2.60.0.0' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init());
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /Douyin/, 'names the runtime');
  assert.match(err.message, /2\.60\.0\.0/, 'names its base library');
  assert.match(err.message, /2\.92\.0\.0\+/, 'names the version brotli needs on Douyin');
  assert.deepEqual(mp.attempts, []);
  await w.init({ wasmPath: '/plain/socket.wasm' });
  assert.deepEqual(mp.attempts, ['/plain/socket.wasm']);
});

for (const [api, name, why] of [['my', 'Alipay', /MYWebAssembly runs only in Worker threads/], ['swan', 'Baidu', /document no WebAssembly for page code/]]) {
  test(`${name} (${api}): init() refuses with NOT_INITIALIZED, naming the platform and why`, async () => {
    const mp = await runtime({ wasm: 'none' });
    mp.evaluate(`delete this.wx; this.${api} = { connectSocket: function () {} };`);
    const w = mp.require('wxsocket');
    const err = await rejection(w.init());
    assert.equal(err.name, 'WxSocketError');
    assert.equal(err.code, 'NOT_INITIALIZED');
    assert.match(err.message, new RegExp(name));
    assert.match(err.message, why);
  });
}

test('a missing module: the error lists the paths tried, the entry that ran and what to do', async () => {
  const mp = await runtime({});
  fs.renameSync(path.join(ex.miniprogramRoot, SHIPPED.slice(1)), path.join(ex.miniprogramRoot, 'moved.br'));
  try {
    const w = mp.require('wxsocket');
    const err = await rejection(w.init());
    assert.equal(err.code, 'NOT_INITIALIZED');
    assert.match(err.message, /\/miniprogram_npm\/wxsocket\/wxsocket_bg\.wasm\.br \(/, 'the path tried, with the reason');
    assert.match(err.message, /wxsocket\/miniprogram_dist\/index\.js/, 'the entry that ran');
    assert.match(err.message, /Build npm/, 'what to do for a native project');
    assert.match(err.message, /init\(\{ wasmPath \}\)/, 'or with a copied file');
    assert.match(err.message, /Loading the WebAssembly module/, 'where the README says more');
  } finally {
    fs.renameSync(path.join(ex.miniprogramRoot, 'moved.br'), path.join(ex.miniprogramRoot, SHIPPED.slice(1)));
  }
});
