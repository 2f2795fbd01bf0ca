'use strict';
// The mini-program loader (miniprogram_npm/wxsocket/index.js) in the harness: which file it instantiates on
// which base library, the overrides, the WebAssembly fallback, init() idempotence and errors, the
// NOT_INITIALIZED guard, and the text stand-ins inside the glue. The two builds: which one the loader
// picks by device (iOS below 15.1: MVP; the developer tools, Android, iOS 15.1+: modern), `init({ variant })`,
// the fall back to the MVP build when the modern one cannot be instantiated (on a simulated old engine that
// refuses reference types and bulk memory, as JavaScriptCore before iOS 15 does), and the MVP build end to
// end against the test server.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { prepareExample } = require('./setup.js');
const { MiniProgram, waitFor } = require('./harness.js');
const { startServer } = require('../server/server.js');

const DEFAULT = '/miniprogram_npm/wxsocket/wxsocket_bg.wasm';
const MVP = '/miniprogram_npm/wxsocket/wxsocket_bg.mvp.wasm';

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
  const mvpFrom = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket', 'wxsocket_bg.mvp.wasm');
  fs.copyFileSync(mvpFrom, path.join(ex.miniprogramRoot, 'lib', 'socket.mvp.wasm'));
  fs.copyFileSync(mvpFrom + '.br', path.join(ex.miniprogramRoot, 'lib', 'socket.mvp.wasm.br'));
  fs.copyFileSync(mvpFrom, path.join(ex.miniprogramRoot, 'lib', 'old.wasm'));
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
// The two builds: modern (reference types, bulk memory, ...) and MVP (iOS below 15)
// ------------------------------------------------------------------------------------------------

// Sections of a module: [{ id, start, end }], and a reader of LEB128 numbers.
function sections(bytes) {
  const out = [];
  let i = 8;
  const leb = () => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[i++];
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return n;
    }
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = leb();
    out.push({ id, start: i, end: i + size });
    i += size;
  }
  return out;
}

// What JavaScriptCore before iOS 15 refuses, found in the binary: a table of externref (reference types)
// or a DataCount section (bulk memory). Returns the reason, or null. (Enough to tell the two builds apart;
// the MVP build's features are checked exactly by examples/wasm_features.rs in the test command.)
function oldEngineRefuses(bytes) {
  for (const s of sections(bytes)) {
    if (s.id === 12) return 'bulk memory (DataCount section)';
    if (s.id === 4) {
      // table section: count, then per table a reftype byte and limits
      let i = s.start;
      const count = bytes[i++];
      for (let k = 0; k < count && i < s.end; k++) {
        if (bytes[i] === 0x6f) return 'reference types (a table of externref)';
        i += 1;
        const flags = bytes[i++];
        while (bytes[i++] & 0x80);
        if (flags & 1) while (bytes[i++] & 0x80);
      }
    }
  }
  return null;
}

// Makes the runtime's WXWebAssembly an old one: it refuses modules that use reference types or bulk
// memory, the way instantiate rejects on a device (a CompileError); every refusal is kept in `refused`.
function oldEngine(mp) {
  const wxwa = mp.context.WXWebAssembly;
  const instantiate = wxwa.instantiate;
  mp.refused = [];
  wxwa.instantiate = function (p, imports) {
    let file;
    try {
      file = mp.packagePath(p, 'WXWebAssembly.instantiate');
    } catch (err) {
      return instantiate.call(this, p, imports);
    }
    if (fs.existsSync(file)) {
      let bytes = fs.readFileSync(file);
      if (p.endsWith('.br')) bytes = require('node:zlib').brotliDecompressSync(bytes);
      const why = oldEngineRefuses(bytes);
      if (why) {
        mp.attempts.push(p);
        mp.refused.push(p);
        return Promise.reject(new Error(`CompileError: WebAssembly.Module doesn't parse: ${why} (${p})`));
      }
    }
    return instantiate.call(this, p, imports);
  };
}

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

for (const [name, dev, sdk, expected] of [
  ['iOS 14.8 (getDeviceInfo): the MVP build, .br', { system: 'iOS 14.8', platform: 'ios' }, '3.7.0', [MVP + '.br']],
  ['iOS 12.5 (getSystemInfoSync only, base library 2.13.0): the plain MVP build', { system: 'iOS 12.5.7', platform: 'ios', deviceInfo: false }, '2.13.0', [MVP]],
  ['iPadOS 14 without a platform field: the MVP build', { system: 'iPadOS 14.2', platform: undefined }, '3.7.0', [MVP + '.br']],
  ['iOS 15.0 (reference types and bulk memory came with 15.1): the MVP build', { system: 'iOS 15.0.2', platform: 'ios' }, '3.7.0', [MVP + '.br']],
  ['iOS 15.1: the modern build', { system: 'iOS 15.1', platform: 'ios' }, '3.7.0', [DEFAULT + '.br']],
  ['iOS 17.4: the modern build', { system: 'iOS 17.4.1', platform: 'ios' }, '3.7.0', [DEFAULT + '.br']],
  ['Android 8: the modern build', { system: 'Android 8.1.0', platform: 'android' }, '3.7.0', [DEFAULT + '.br']],
  ['the developer tools (simulated iOS 10): the modern build', { system: 'iOS 10.0.1', platform: 'devtools' }, '3.7.0', [DEFAULT + '.br']],
]) {
  test(`variant by device, ${name}`, async () => {
    const mp = await runtime({ sdkVersion: sdk });
    device(mp, dev);
    const w = mp.require('wxsocket');
    await w.init();
    assert.deepEqual(mp.attempts, expected);
    assert.deepEqual(mp.instantiated.map((i) => i.path), expected);
    await echoes(mp, w);
  });
}

test('iOS 14 on an engine without reference types or bulk memory: the MVP build works end to end', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  oldEngine(mp);
  const w = mp.require('wxsocket');
  await w.init();
  assert.deepEqual(mp.refused, [], 'the modern build was not even tried');
  assert.deepEqual(mp.instantiated.map((i) => i.file), ['miniprogram_npm/wxsocket/wxsocket_bg.mvp.wasm.br']);
  assert.deepEqual(mp.presentGlobals(['TextEncoder', 'TextDecoder', 'WebAssembly', 'FinalizationRegistry', 'WeakRef']), []);
  await endToEnd(mp, w);
});

test('the old engine really refuses the modern build (the simulation is not a no-op)', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  oldEngine(mp);
  const w = mp.require('wxsocket');
  const err = await rejection(w.init({ variant: 'modern' }));
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /reference types|bulk memory/);
  assert.deepEqual(mp.refused, [DEFAULT + '.br', DEFAULT], 'forced: no fall back to the MVP build');
  assert.deepEqual(mp.instantiated, []);
});

test('a device not known to be old whose engine refuses the modern build falls back to the MVP build', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  device(mp, { system: 'Android 7.0', platform: 'android' });
  oldEngine(mp);
  const w = mp.require('wxsocket');
  await w.init();
  assert.deepEqual(mp.refused, [DEFAULT + '.br', DEFAULT]);
  assert.deepEqual(mp.attempts, [DEFAULT + '.br', DEFAULT, MVP + '.br']);
  assert.deepEqual(mp.instantiated.map((i) => i.path), [MVP + '.br']);
  await endToEnd(mp, w);
});

test("init({ variant: 'mvp' }) on a modern device takes the MVP build; 'modern' on iOS 14 the modern one", async () => {
  let mp = await runtime({ sdkVersion: '3.7.0' });
  device(mp, { system: 'Android 14', platform: 'android' });
  let w = mp.require('wxsocket');
  await w.init({ variant: 'mvp' });
  assert.deepEqual(mp.instantiated.map((i) => i.path), [MVP + '.br']);
  await echoes(mp, w);

  mp = await runtime({ sdkVersion: '3.7.0' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  w = mp.require('wxsocket');
  await w.init({ variant: 'modern' });
  assert.deepEqual(mp.instantiated.map((i) => i.path), [DEFAULT + '.br']);
  await echoes(mp, w);
});

test('a forced variant that fails does not fall back; an unknown variant is refused', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  const missing = await rejection(w.init({ variant: 'mvp', wasmPath: '/plain/socket.wasm' }));
  assert.equal(missing.code, 'NOT_INITIALIZED');
  assert.deepEqual(mp.attempts, ['/plain/socket.mvp.wasm.br', '/plain/socket.mvp.wasm']);
  const unknown = await rejection(w.init({ variant: 'legacy' }));
  assert.equal(unknown.code, 'NOT_INITIALIZED');
  assert.match(unknown.message, /'mvp' or 'modern'/);
  await w.init();
  await echoes(mp, w);
});

test('with a wasmPath the MVP file sits beside it (.mvp before .wasm); mvpWasmPath overrides that', async () => {
  let mp = await runtime({ sdkVersion: '3.7.0' });
  device(mp, { system: 'iOS 13.7', platform: 'ios' });
  let w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm' });
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/lib/socket.mvp.wasm.br']);
  await echoes(mp, w);

  mp = await runtime({ sdkVersion: '2.13.0' });
  device(mp, { system: 'iOS 13.7', platform: 'ios' });
  w = mp.require('wxsocket');
  await w.init({ wasmPath: '/lib/socket.wasm', mvpWasmPath: '/lib/old.wasm' });
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/lib/old.wasm']);
  await echoes(mp, w);
});

test('when both builds fail, the error names both paths', async () => {
  const mp = await runtime({ sdkVersion: '2.13.0' });
  const w = mp.require('wxsocket');
  const err = await rejection(w.init({ wasmPath: '/nowhere/socket.wasm' }));
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /\/nowhere\/socket\.wasm/);
  assert.match(err.message, /MVP build: .*\/nowhere\/socket\.mvp\.wasm/);
  assert.deepEqual(mp.attempts, ['/nowhere/socket.wasm', '/nowhere/socket.mvp.wasm']);
});

test('only the standard WebAssembly on iOS 14: the MVP file is read with the file system manager', async () => {
  const mp = await runtime({ wasm: 'webassembly' });
  device(mp, { system: 'iOS 14.8', platform: 'ios' });
  const w = mp.require('wxsocket');
  await w.init();
  assert.deepEqual(mp.filesRead, [MVP]);
  await echoes(mp, w);
});

test('init({ wasm: bytes }) of the MVP build: the modern glue does not link, the MVP glue does', async () => {
  const mp = await runtime({ wasm: 'webassembly' });
  const w = mp.require('wxsocket');
  const bytes = fs.readFileSync(path.join(ex.miniprogramRoot, 'lib', 'socket.mvp.wasm'));
  await w.init({ wasm: new Uint8Array(bytes) });
  assert.deepEqual(mp.filesRead, []);
  await echoes(mp, w);
});

test('the MVP glue is loaded only when the MVP build is chosen', async () => {
  const mp = await runtime({ sdkVersion: '3.7.0' });
  const w = mp.require('wxsocket');
  await w.init();
  const loaded = [...mp.cache.keys()].map((f) => path.basename(f));
  assert.ok(loaded.includes('wxsocket_bg.js'));
  assert.ok(!loaded.includes('wxsocket_bg.mvp.js'), `loaded: ${loaded.join(', ')}`);
  await echoes(mp, w);
});
