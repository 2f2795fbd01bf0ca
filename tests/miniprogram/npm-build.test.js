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

// The modern build and the MVP build for iOS below 15.1, each with its glue and a brotli copy.
const SHIPPED = ['index.js', 'wxsocket_bg.js', 'wxsocket_bg.wasm', 'wxsocket_bg.wasm.br',
  'wxsocket_bg.mvp.js', 'wxsocket_bg.mvp.wasm', 'wxsocket_bg.mvp.wasm.br'];

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

test('miniprogram_npm/wxsocket holds the loader, the glue and the wasm (plain and brotli), byte for byte', () => {
  const out = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket');
  assert.deepEqual(fs.readdirSync(out).sort(), SHIPPED.slice().sort());
  for (const f of SHIPPED) {
    assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(pkgDir, 'miniprogram_dist', f))), f);
  }
  const loader = fs.readFileSync(path.join(out, 'index.js'), 'utf8');
  assert.match(loader, /require\("\.\/wxsocket_bg\.js"\)/, 'the loader requires the glue beside it');
  assert.match(loader, /WXWebAssembly\.instantiate/);
  assert.match(loader, /\/miniprogram_npm\/wxsocket\/wxsocket_bg\.wasm/, 'default path is where Build npm puts the module');
  const glue = fs.readFileSync(path.join(out, 'wxsocket_bg.js'), 'utf8');
  assert.match(glue, /__wbg_set_wasm/);
  const wasm = fs.readFileSync(path.join(out, 'wxsocket_bg.wasm'));
  assert.ok(WebAssembly.validate(wasm), 'the .wasm validates');
  assert.ok(zlib.brotliDecompressSync(fs.readFileSync(path.join(out, 'wxsocket_bg.wasm.br'))).equals(wasm), '.br is the same module');
});

test('the module imports only what the glue provides, and exports what the loader calls', async () => {
  const out = path.join(ex.miniprogramRoot, 'miniprogram_npm', 'wxsocket');
  const mod = new WebAssembly.Module(fs.readFileSync(path.join(out, 'wxsocket_bg.wasm')));
  // The glue is CommonJS and requires nothing.
  const module = { exports: {} };
  vm.compileFunction(fs.readFileSync(path.join(out, 'wxsocket_bg.js'), 'utf8'), ['module', 'exports'])(module, module.exports);
  const glue = module;
  const imports = glue.exports.wasmImports();
  for (const imp of WebAssembly.Module.imports(mod)) {
    assert.equal(typeof (imports[imp.module] || {})[imp.name], 'function', `${imp.module}.${imp.name}`);
  }
  const names = WebAssembly.Module.exports(mod).map((e) => e.name);
  for (const n of ['memory', '__wbindgen_start', 'socketclient_new']) assert.ok(names.includes(n), n);
});
