'use strict';
// WxSocketError, the runtime class every entry exports (src/js/errors.js): errors made by the module (a bad
// URL, INVALID_URL), by the entry before the module is ready (NOT_INITIALIZED) and by consoleLogger
// (INVALID_OPTION) are all `instanceof` the entry's WxSocketError and of Error, with name and code set; in
// index.cjs, index.node.mjs, index.mjs, web.mjs, and miniprogram_dist/index.js inside the phone harness.
// Every thrown message, and the message of an emitted `error` event (CONNECT_FAILED against a closed port, in
// the phone harness), ends by pointing at the README's errors table.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { MiniProgram } = require('../miniprogram/harness.js');

const pkg = path.resolve(__dirname, '..', '..', 'pkg');
const SEE_ERRORS = ' (see README#errors)';
const wasm = fs.readFileSync(path.join(pkg, 'wxsocket_bg.wasm'));

function caught(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('expected a throw');
}

// `w` is an entry's exports, initialised; `Err` is the Error of the realm it runs in.
function checkInstances(name, w, Err = Error) {
  assert.equal(typeof w.WxSocketError, 'function', `${name} exports WxSocketError`);
  const made = [
    caught(() => new w.SocketClient({ url: 'ftp://example.com', platform: class FakeWebSocket {} })),
    caught(() => w.consoleLogger({ level: 'verbose' })),
  ];
  assert.deepEqual(made.map((e) => e.code), ['INVALID_URL', 'INVALID_OPTION'], name);
  for (const e of made) {
    assert.ok(e instanceof w.WxSocketError, `${name}: ${e.code} instanceof WxSocketError`);
    assert.ok(e instanceof Err, `${name}: ${e.code} instanceof Error`);
    assert.equal(e.name, 'WxSocketError');
    assert.ok(e.message.endsWith(SEE_ERRORS), `${name}: ${e.code} message points at the errors table: ${e.message}`);
  }
  const own = new w.WxSocketError('CLOSED', 'made by the page');
  assert.deepEqual([own.name, own.code, own.message, own instanceof Err], ['WxSocketError', 'CLOSED', 'made by the page' + SEE_ERRORS, true]);
}

test('index.cjs and index.node.mjs: one class, and every thrown error is an instance', async () => {
  const cjs = require(path.join(pkg, 'index.cjs'));
  checkInstances('index.cjs', cjs);
  const mjs = await import(pathToFileURL(path.join(pkg, 'index.node.mjs')).href);
  assert.equal(mjs.WxSocketError, cjs.WxSocketError, 'the Node ESM wrapper re-exports the same class');
});

for (const file of ['index.mjs', 'web.mjs']) {
  test(`${file}: NOT_INITIALIZED before init(), then the module's own errors, all instances`, async () => {
    const w = await import(pathToFileURL(path.join(pkg, file)).href + '?error-class');
    const early = caught(() => new w.SocketClient({ url: 'wss://example.com' }));
    assert.equal(early.code, 'NOT_INITIALIZED');
    assert.ok(early instanceof w.WxSocketError, 'NOT_INITIALIZED instanceof WxSocketError');
    assert.ok(early.message.endsWith(SEE_ERRORS), early.message);
    await w.init({ wasm });
    checkInstances(file, w);
  });
}

test('miniprogram_dist/index.js in the phone harness: NOT_INITIALIZED and the module\'s errors are instances', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-error-class-'));
  let mp;
  try {
    fs.cpSync(path.join(pkg, 'miniprogram_dist'), path.join(root, 'miniprogram_npm', 'wxsocket'), { recursive: true });
    mp = await MiniProgram.create(root);
    const w = mp.require('wxsocket');
    const early = caught(() => new w.SocketClient({ url: 'wss://example.com' }));
    assert.equal(early.code, 'NOT_INITIALIZED');
    assert.ok(early instanceof w.WxSocketError);
    await w.init();
    checkInstances('miniprogram_dist', w, mp.evaluate('Error'));
    // An emitted error: nothing listens on the port, so the attempt fails (CONNECT_FAILED).
    const closed = await new Promise((resolve) => {
      const probe = require('node:net').createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    const client = new w.SocketClient({ url: `ws://127.0.0.1:${closed}`, reconnect: false });
    const emitted = await new Promise((resolve) => client.on('error', resolve));
    client.close();
    client.free();
    assert.equal(emitted.code, 'CONNECT_FAILED');
    assert.ok(emitted.message.endsWith(SEE_ERRORS), emitted.message);
    assert.deepEqual(mp.errors.map(String), []);
  } finally {
    if (mp) mp.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
