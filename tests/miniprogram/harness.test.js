'use strict';
// The harness keeps the phone's rules: what page code can require, what WXWebAssembly accepts, the
// SocketTask's shape, setData, errors from callbacks. (A small throwaway mini-program tree, no package.)

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MiniProgram, waitFor } = require('./harness.js');
const { startServer } = require('../server/server.js');

let root;
let server;
const made = [];

function write(rel, text) {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

test.before(async () => {
  server = await startServer({ port: 0 });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-harness-'));
  write('app.json', JSON.stringify({ pages: ['pages/a/index'] }));
  write('app.js', 'App({ launched: 0, onLaunch() { this.launched += 1; } });');
  write('pages/a/index.js', "const lib = require('lib'); Page({ data: { list: [1], deep: { x: 1 } }, onLoad(q) { this.setData({ q: q.k, 'deep.y': 2, 'list[2]': 3 }); }, onTap() {} , lib: lib });");
  write('pages/a/index.wxml', '<view bindtap="onTap">{{q}}</view>');
  write('miniprogram_npm/lib/index.js', "module.exports = { name: 'lib', util: require('./util') };");
  write('miniprogram_npm/lib/util.js', 'module.exports = 42;');
  write('pages/b/index.js', 'Page({});');
  write('pages/b/index.wxml', '<view bindtap="missing"></view>');
  write('m.wasm', Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
});

test.after(async () => {
  for (const mp of made) mp.close();
  if (server) await server.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function runtime(options) {
  const mp = await MiniProgram.create(root, options);
  made.push(mp);
  return mp;
}

test('App, Page, getApp, setData with path keys; bare names resolve from miniprogram_npm', async () => {
  const mp = await runtime();
  const app = mp.launch();
  assert.equal(app.launched, 1);
  assert.equal(mp.evaluate('getApp()'), app);
  const page = mp.openPage('pages/a/index', { k: 'v' });
  assert.deepEqual(JSON.parse(JSON.stringify(page.data)), { list: [1, null, 3], deep: { x: 1, y: 2 }, q: 'v' });
  assert.equal(page.lib.name, 'lib');
  assert.equal(page.lib.util, 42);
  assert.deepEqual(page.handlers, ['onTap']);
  assert.equal(mp.evaluate('getCurrentPages().length'), 1);
});

test('require is limited to the package tree', async () => {
  const mp = await runtime();
  for (const spec of ['fs', 'node:fs', 'ws', '../outside', '/../../etc/passwd']) {
    assert.throws(() => mp.require(spec), /is not defined/, spec);
  }
});

test('a page whose WXML binds a missing handler fails to open', async () => {
  const mp = await runtime();
  mp.launch();
  fs.writeFileSync(path.join(root, 'app.json'), JSON.stringify({ pages: ['pages/a/index', 'pages/b/index'] }));
  try {
    assert.throws(() => mp.openPage('pages/b/index'), /binds "missing"/);
  } finally {
    fs.writeFileSync(path.join(root, 'app.json'), JSON.stringify({ pages: ['pages/a/index'] }));
  }
});

test('WXWebAssembly.instantiate takes a path inside the tree only; .br only from 2.14.0', async () => {
  const mp = await runtime({ sdkVersion: '2.13.0' });
  const run = (expr) => mp.evaluate(expr).then(() => 'resolved', (e) => String(e.message));
  assert.match(await run('WXWebAssembly.instantiate(new ArrayBuffer(8), {})'), /must be a path/);
  assert.match(await run("WXWebAssembly.instantiate('/../outside.wasm', {})"), /outside the code package/);
  assert.match(await run("WXWebAssembly.instantiate('/nope.wasm', {})"), /no such file/);
  assert.match(await run("WXWebAssembly.instantiate('/app.js', {})"), /not a \.wasm/);
  assert.match(await run("WXWebAssembly.instantiate('/m.wasm.br', {})"), /2\.14\.0/);
  assert.equal(await run("WXWebAssembly.instantiate('/m.wasm', {})"), 'resolved');
  assert.deepEqual(mp.instantiated.map((i) => i.path), ['/m.wasm']);
  assert.equal(mp.evaluate('typeof wx.getAppBaseInfo'), 'undefined', 'getAppBaseInfo only from 2.25.3');
  assert.equal(mp.evaluate('wx.getSystemInfoSync().SDKVersion'), '2.13.0');
});

test('SocketTask: send/close/on* only, no off* or readyState; errMsg before open', async () => {
  const mp = await runtime();
  mp.context.__url = server.url;
  const out = await mp.evaluate(`new Promise(function (resolve) {
    var t = wx.connectSocket({ url: __url });
    var keys = Object.keys(t).sort();
    t.send({ data: 'early', fail: function (e) {
      t.onOpen(function () { t.close({ code: 1000, reason: 'bye' }); });
      t.onClose(function (c) { resolve({ keys: keys, early: e.errMsg, code: c.code }); });
    } });
  })`);
  assert.deepEqual(Array.from(out.keys), ['close', 'onClose', 'onError', 'onMessage', 'onOpen', 'send']);
  assert.equal(out.early, 'sendSocketMessage:fail WebSocket is not connected');
  assert.equal(out.code, 1000);
  await waitFor(() => mp.liveSockets() === 0, 'the task to end');
});

test('an error thrown by a timer callback is kept, not thrown into the test process; close() clears timers', async () => {
  const mp = await runtime();
  mp.evaluate("setTimeout(function () { throw new Error('boom'); }, 1); setTimeout(function () { throw new Error('never'); }, 200);");
  await waitFor(() => mp.errors.length === 1, 'the error');
  assert.equal(mp.errors[0].message, 'boom');
  mp.close();
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(mp.errors.length, 1, 'the pending timer was cleared');
});
