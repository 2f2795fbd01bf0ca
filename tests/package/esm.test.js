'use strict';
// The ESM entry (pkg/index.mjs, for bundlers and browsers) run in Node: init() fetches the module
// (instantiateStreaming with application/wasm), or takes bytes / a compiled Module; the client then works
// over npm ws. Each case imports a fresh instance of the module (a query string on the URL).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const WebSocket = require('ws');
const { startServer } = require('../server/server.js');

const entry = path.resolve(__dirname, '..', '..', 'pkg', 'index.mjs');
const wasmFile = path.resolve(__dirname, '..', '..', 'pkg', 'wxsocket_bg.wasm');

let server;
let files;
let filesUrl;
const requests = [];
let fresh = 0;

test.before(async () => {
  server = await startServer({ port: 0 });
  files = http.createServer((req, res) => {
    requests.push(req.url);
    if (req.url === '/wxsocket_bg.wasm') {
      res.writeHead(200, { 'content-type': 'application/wasm' });
      res.end(fs.readFileSync(wasmFile));
    } else if (req.url === '/as-octets.wasm') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(fs.readFileSync(wasmFile));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${files.address().port}`;
});

test.after(async () => {
  if (server) await server.stop();
  if (files) await new Promise((r) => files.close(r));
});

function load() {
  fresh += 1;
  return import(pathToFileURL(entry).href + '?instance=' + fresh);
}

async function echo(w) {
  const client = await w.connect({ url: server.url, platform: WebSocket, reconnect: false });
  const got = [];
  client.on('message', (m) => got.push(m));
  await new Promise((resolve) => client.once('open', resolve));
  client.send({ text: 'esm 😀' });
  const deadline = Date.now() + 5000;
  while (!got.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  client.close();
  client.free();
  assert.deepEqual(got, [{ text: 'esm 😀' }]);
}

test('exports init, connect, SocketClient and version; new SocketClient before init throws NOT_INITIALIZED', async () => {
  const w = await load();
  assert.deepEqual(Object.keys(w).sort(), ['SocketClient', 'WxSocketError', 'connect', 'consoleLogger', 'init', 'version']);
  assert.throws(() => new w.SocketClient({ url: server.url, platform: WebSocket }), (e) => e.name === 'WxSocketError' && e.code === 'NOT_INITIALIZED');
});

function countStreaming() {
  const original = WebAssembly.instantiateStreaming;
  const calls = [];
  WebAssembly.instantiateStreaming = function (source, imports) {
    calls.push(source);
    return original.call(this, source, imports);
  };
  return { calls, restore: () => { WebAssembly.instantiateStreaming = original; } };
}

test('init({ wasmPath }) fetches the module and instantiates it streaming', async () => {
  const w = await load();
  const spy = countStreaming();
  try {
    await w.init({ wasmPath: `${filesUrl}/wxsocket_bg.wasm` });
  } finally {
    spy.restore();
  }
  assert.equal(spy.calls.length, 1, 'instantiateStreaming was used');
  assert.ok(requests.includes('/wxsocket_bg.wasm'));
  await echo(w);
});

test('a server without the application/wasm type still works (bytes instead of streaming)', async () => {
  const w = await load();
  const spy = countStreaming();
  try {
    await w.init({ wasmPath: new URL(`${filesUrl}/as-octets.wasm`) });
  } finally {
    spy.restore();
  }
  assert.equal(spy.calls.length, 0, 'no streaming without the application/wasm type');
  await echo(w);
});

test('init({ wasm }) takes bytes or a compiled WebAssembly.Module', async () => {
  const a = await load();
  await a.init({ wasm: fs.readFileSync(wasmFile) });
  await echo(a);
  const b = await load();
  await b.init({ wasm: new WebAssembly.Module(fs.readFileSync(wasmFile)) });
  await echo(b);
});

test('a 404 rejects with NOT_INITIALIZED and the HTTP status; a later init() succeeds', async () => {
  const w = await load();
  const err = await w.init({ wasmPath: `${filesUrl}/missing.wasm` }).then(() => null, (e) => e);
  assert.ok(err, 'init rejected');
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /HTTP 404/);
  await w.init({ wasmPath: `${filesUrl}/wxsocket_bg.wasm` });
  await echo(w);
});

test('init() with neither wasmPath nor wasm: NOT_INITIALIZED says to import wxsocket/web or pass one of them', async () => {
  const w = await load();
  const err = await w.init().then(() => null, (e) => e);
  assert.ok(err, 'init rejected');
  assert.equal(err.code, 'NOT_INITIALIZED');
  assert.match(err.message, /wxsocket_bg\.wasm/, 'names the file');
  assert.match(err.message, /'wxsocket\/web'/, 'the entry that knows the URL');
  assert.match(err.message, /init\(\{ wasmPath: url \}\)/);
  assert.match(err.message, /init\(\{ wasm \}\)/);
  await w.init({ wasmPath: `${filesUrl}/wxsocket_bg.wasm` });
  await echo(w);
});

test('the ESM entry a framework bundled into a mini-program: a missing module names both paths, the entry and the plugins', async () => {
  const tried = [];
  globalThis.wx = { getAppBaseInfo: () => ({ SDKVersion: '3.7.0' }) };
  globalThis.WXWebAssembly = { instantiate: (p) => { tried.push(p); return Promise.reject(new Error('no such file')); } };
  try {
    const w = await load();
    const err = await w.init().then(() => null, (e) => e);
    assert.ok(err, 'init rejected');
    assert.equal(err.code, 'NOT_INITIALIZED');
    assert.deepEqual(tried, ['/wxsocket/wxsocket_bg.wasm.br', '/miniprogram_npm/wxsocket/wxsocket_bg.wasm.br']);
    for (const p of tried) assert.ok(err.message.includes(p + ' (no such file)'), `names ${p} and why it failed`);
    assert.match(err.message, /wxsocket\/index\.mjs/, 'the entry that ran');
    assert.match(err.message, /wxsocket\/vite/, 'the uni-app plugin');
    assert.match(err.message, /'wxsocket\/taro'/, 'the Taro plugin');
    assert.match(err.message, /init\(\{ wasmPath \}\)/, 'or a copied file');
    assert.match(err.message, /Loading the WebAssembly module/, 'where the README says more');
  } finally {
    delete globalThis.wx;
    delete globalThis.WXWebAssembly;
  }
});
