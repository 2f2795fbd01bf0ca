'use strict';
// pkg/ as npm will publish it: package.json fields and the files they name, README, LICENSE, and the size
// report of scripts/sizes.js.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..');
const pkg = path.join(repo, 'pkg');
const manifest = () => JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));

test('package.json: name, version from Cargo.toml, license, entry points that exist', () => {
  const m = manifest();
  const cargo = fs.readFileSync(path.join(repo, 'Cargo.toml'), 'utf8');
  assert.equal(m.name, 'wxsocket');
  assert.equal(m.version, cargo.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m)[1]);
  assert.equal(m.license, 'MIT');
  assert.equal(m.miniprogram, 'miniprogram_dist');
  assert.equal(m.sideEffects, false);
  assert.equal(m.private, undefined, 'publishable');
  const dot = m.exports['.'];
  const targets = [m.main, m.module, m.types, dot.types, dot.node.import, dot.node.require, dot.browser, dot.import, dot.require, dot.default];
  for (const t of targets) assert.ok(fs.existsSync(path.join(pkg, t)), t);
  assert.equal(Object.keys(dot)[0], 'types', '"types" first, as TypeScript requires');
  assert.ok(fs.existsSync(path.join(pkg, m.miniprogram, 'index.js')), 'the mini-program entry is index.js');
  for (const f of m.files) assert.ok(fs.existsSync(path.join(pkg, f)), f);
});

test('the CommonJS entry is CommonJS and the ESM entries are ESM', async () => {
  const cjs = require(path.join(pkg, 'index.cjs'));
  assert.deepEqual(Object.keys(cjs).sort(), ['SocketClient', 'WxSocketError', 'connect', 'consoleLogger', 'init', 'version']);
  assert.equal(cjs.version, manifest().version);
  const viaImport = await import(require('node:url').pathToFileURL(path.join(pkg, 'index.node.mjs')).href);
  assert.equal(viaImport.SocketClient, cjs.SocketClient, 'the Node ESM wrapper re-exports the same instance');
});

test('LICENSE is MIT for wxsocket contributors; README explains the mini-program setup and lists the sizes', () => {
  const license = fs.readFileSync(path.join(pkg, 'LICENSE'), 'utf8');
  assert.match(license, /^MIT License/);
  assert.match(license, /Copyright \(c\) wxsocket contributors/);
  const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');
  assert.doesNotMatch(readme, /<!-- sizes -->/, 'the size table was filled in');
  for (const f of ['miniprogram_dist/wxsocket_bg.wasm.br', 'miniprogram_dist/index.js', 'index.cjs']) {
    assert.match(readme, new RegExp('\\| `' + f.replace(/\./g, '\\.') + '` \\| \\d+ \\| \\d+ \\| \\d+ \\|'), f);
  }
  for (const topic of ['Build npm', 'init(', 'wasmPath', 'connect(', 'WXWebAssembly']) assert.ok(readme.includes(topic), topic);
});

test('scripts/sizes.js reports every shipped file with its real size, and the mini-program total', () => {
  const out = JSON.parse(execFileSync(process.execPath, [path.join(repo, 'scripts', 'sizes.js'), '--json', pkg], { encoding: 'utf8' }));
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [path.relative(pkg, path.join(d, e.name)).split(path.sep).join('/')]);
  assert.deepEqual(out.files.map((f) => f.file).sort(), walk(pkg).sort());
  for (const f of out.files) {
    assert.equal(f.raw, fs.statSync(path.join(pkg, f.file)).size, f.file);
    assert.ok(f.gzip > 0 && f.brotli > 0, f.file);
  }
  const mp = out.files.filter((f) => f.file.startsWith('miniprogram_dist/'));
  assert.deepEqual(out.miniprogram.files.sort(), ['index.js', 'wxsocket_bg.wasm.br']);
  assert.deepEqual(mp.map((f) => f.file.slice('miniprogram_dist/'.length)).sort(), out.miniprogram.files);
  assert.equal(out.miniprogram.raw, mp.reduce((n, f) => n + f.raw, 0));
  assert.equal(out.miniprogram.brotli, mp.reduce((n, f) => n + f.brotli, 0), 'the brotli total is of every shipped file');
  assert.ok(out.miniprogram.raw < 2 * 1024 * 1024, 'fits the 2 MB main package with room to spare');
  const br = out.files.find((f) => f.file === 'miniprogram_dist/wxsocket_bg.wasm.br');
  const wasm = out.files.find((f) => f.file === 'wxsocket_bg.wasm');
  assert.ok(br.raw < wasm.raw / 2, 'the .br is well under half the plain module');
  assert.ok(br.brotli >= br.raw, 'the .br does not compress further: the brotli total counts it at its real size');
  const text = execFileSync(process.execPath, [path.join(repo, 'scripts', 'sizes.js'), pkg], { encoding: 'utf8' });
  const line = text.split('\n').find((l) => l.startsWith('mini-program ships'));
  assert.equal(line, `mini-program ships miniprogram_dist/ (index.js, wxsocket_bg.wasm.br): ${out.miniprogram.brotli} bytes brotli ` +
    `(${(out.miniprogram.brotli / 1024).toFixed(1)} KB); ${out.miniprogram.raw} bytes raw (${(out.miniprogram.raw / 1024).toFixed(1)} KB), ` +
    'counted toward the code package limit');
  const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');
  assert.ok(readme.includes(`: ${out.miniprogram.brotli} bytes (`), 'the package README states the brotli total');
});
