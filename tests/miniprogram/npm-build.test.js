'use strict';
// "Build npm" with the real builder: the tarball installed into a copy of the example, then miniprogram-ci's
// packNpmManually (the code WeChat DevTools runs) with the paths from the example's project.config.json.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const zlib = require('node:zlib');
const { prepareExample, pkgDir } = require('./setup.js');
const { mvpRefusal } = require('./harness.js');

// The entry (the loader with the glue bundled in), and the one module (built for the WebAssembly MVP) as
// brotli only.
const SHIPPED = ['index.js', 'wxsocket_bg.wasm.br'];

let ex;
test.before(async () => {
  ex = await prepareExample();
});
test.after(() => ex && ex.cleanup());

test('project.config.json sets up npm for the builder', () => {
  assert.equal(ex.project.compileType, 'miniprogram');
  assert.equal(typeof ex.project.miniprogramRoot, 'string');
  assert.equal(ex.project.setting.packNpmManually, true);
  assert.equal(ex.relation.packageJsonPath, './package.json');
  const installed = JSON.parse(fs.readFileSync(path.join(ex.dir, 'node_modules', 'wxsocket', 'package.json'), 'utf8'));
  assert.equal(installed.miniprogram, 'miniprogram_dist');
  const deps = JSON.parse(fs.readFileSync(path.join(ex.dir, 'package.json'), 'utf8')).dependencies;
  assert.ok(deps.wxsocket, 'the example depends on wxsocket');
});

test('packNpmManually copies miniprogram_dist whole, as a mini-program package', () => {
  assert.deepEqual(ex.packResult, { miniProgramPackNum: 1, otherNpmPackNum: 0, warnList: [] });
});

test('miniprogram_npm/wxsocket holds the entry and the brotli module, byte for byte', () => {
  const out = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket');
  assert.deepEqual(fs.readdirSync(out).sort(), SHIPPED.slice().sort());
  for (const f of SHIPPED) {
    assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(pkgDir, 'miniprogram_dist', f))), f);
  }
  const loader = fs.readFileSync(path.join(out, 'index.js'), 'utf8');
  assert.doesNotMatch(loader, /\brequire\(/, 'the glue is bundled in: the entry requires nothing');
  assert.doesNotMatch(loader, /wxsocket_bg\.mvp/, 'no second glue or module is named');
  assert.match(loader, /"WXWebAssembly"/, 'it knows WXWebAssembly');
  assert.match(loader, /"TTWebAssembly"/, 'and Douyin\'s TTWebAssembly');
  assert.match(loader, /\/miniprogram_npm\/wxsocket\/wxsocket_bg\.wasm/, 'default path is where Build npm puts the module');
});

test('the .br is the package\'s plain wxsocket_bg.wasm, a module within the WebAssembly MVP', () => {
  const out = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket');
  const wasm = zlib.brotliDecompressSync(fs.readFileSync(path.join(out, 'wxsocket_bg.wasm.br')));
  assert.ok(WebAssembly.validate(wasm), 'the module validates');
  const plain = fs.readFileSync(path.join(ex.dir, 'node_modules', 'wxsocket', 'wxsocket_bg.wasm'));
  assert.ok(wasm.equals(plain), 'the installed package\'s plain file is the same module (the one to copy below 2.14.0)');
  assert.ok(plain.equals(fs.readFileSync(path.join(pkgDir, 'wxsocket_bg.wasm'))));
  assert.equal(mvpRefusal(wasm), null, 'no feature after the MVP');
});

test('the entry links the module and makes a working client (every import and export fits)', async () => {
  const out = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket');
  const bytes = zlib.brotliDecompressSync(fs.readFileSync(path.join(out, 'wxsocket_bg.wasm.br')));
  const mod = new WebAssembly.Module(bytes);
  assert.ok(WebAssembly.Module.exports(mod).some((e) => e.kind === 'memory'), 'the memory is exported');
  assert.deepEqual(WebAssembly.Module.exports(mod).filter((e) => e.kind === 'global'), [], 'no Global is exported (iOS WeChat refuses them)');
  // The entry is CommonJS and requires nothing; here it runs where the standard WebAssembly exists, so
  // init({ wasm }) instantiates the bytes with the entry's own import object (a missing import fails it).
  const module = { exports: {} };
  vm.compileFunction(fs.readFileSync(path.join(out, 'index.js'), 'utf8'), ['module', 'exports'])(module, module.exports);
  await module.exports.init({ wasm: bytes });
  const sent = [];
  let task = null;
  const wx = {
    connectSocket() {
      task = { send: (o) => sent.push(o.data), close() {}, onOpen(f) { this.open = f; }, onClose() {}, onError() {}, onMessage() {} };
      return task;
    },
  };
  const client = new module.exports.SocketClient({ url: 'wss://example.com/ws', platform: wx, codec: 'text', reconnect: false });
  client.send('queued');
  assert.equal(client.queuedCount, 1);
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(task, 'the client asked the platform for a socket');
  task.open({});
  assert.equal(client.state, 'open');
  client.send('after open');
  assert.deepEqual(sent, ['queued', 'after open']);
  client.close();
  client.free();
});
