'use strict';
// What ships to mini-programs (miniprogram_dist/) and the CommonJS entry: ES2017 syntax at most, none of
// the banned globals or calls, no machine paths; the checker itself is tested first.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { syntaxProblems, bannedUses, hasAcorn } = require('./es2017.js');

const repo = path.resolve(__dirname, '..', '..');
const pkg = path.join(repo, 'pkg');

function shippedScripts() {
  if (!fs.existsSync(path.join(pkg, 'package.json'))) throw new Error('run `bash scripts/build-pkg.sh` first');
  const mp = fs.readdirSync(path.join(pkg, 'miniprogram_dist')).filter((f) => f.endsWith('.js')).map((f) => `miniprogram_dist/${f}`);
  return [...mp, 'index.cjs'];
}

const NEWER = {
  'optional chaining (ES2020)': 'var a = {}; var b = a?.b;',
  'nullish coalescing (ES2020)': 'var a = null; var b = a ?? 1;',
  'optional catch binding (ES2019)': 'try { f(); } catch { }',
  'object spread (ES2018)': 'var a = {}; var b = { ...a };',
  'object rest (ES2018)': 'var { x, ...rest } = { x: 1, y: 2 };',
  'async generator (ES2018)': 'async function* g() { yield 1; }',
  'for await (ES2018)': 'async function f(xs) { for await (const x of xs) {} }',
  'regexp named group (ES2018)': 'var r = /(?<year>\\d{4})/;',
  'regexp lookbehind (ES2018)': 'var r = /(?<=a)b/;',
  'regexp s flag (ES2018)': 'var r = /a.b/s;',
  'regexp unicode property (ES2018)': 'var r = /\\p{L}/u;',
  'class field (ES2022)': 'class A { x = 1; }',
  'private method (ES2022)': 'class A { #m() {} run() { this.#m(); } }',
  'static block (ES2022)': 'class A { static { } }',
  'numeric separator (ES2021)': 'var n = 1_000;',
  'BigInt literal (ES2020)': 'var n = 10n;',
  'logical assignment (ES2021)': 'var a; a ||= 1;',
  'nullish assignment (ES2021)': 'var a; a ??= 1;',
  'hex numeric separator (ES2021)': 'var n = 0xff_ff;',
  'dynamic import (ES2020)': 'function f() { return import("./x.js"); }',
  'hashbang (ES2023)': '#!/usr/bin/env node\nvar a = 1;',
  'private name in (ES2022)': 'class A { #x; static is(o) { return #x in o; } }',
};

const ES2017 = {
  'async/await': 'async function f(p) { return await p; }',
  'exponent operator': 'var x = 2 ** 10;',
  'trailing comma in parameters': 'function f(a, b,) { return a; } f(1, 2,);',
  'classes, arrows, let/const, template literals, spread in calls': 'class A { m(...a) { const f = (x) => `${x}`; return f(Math.max(...a)); } }',
  'regexp with u and y flags': 'var r = /a/uy;',
  'catch with binding': 'try { f(); } catch (e) { }',
  'identifiers and strings with underscores and digits': 'var a_1 = 1, b2_3 = "1_000", c = 1e3, d = 0x1F; /* 1_000 */',
};

test('the checker flags every construct newer than ES2017 (esbuild check alone, and acorn alone)', (t) => {
  for (const [name, code] of Object.entries(NEWER)) {
    assert.notDeepEqual(syntaxProblems(code, { useAcorn: false }), [], `${name} (esbuild check)`);
    if (hasAcorn()) {
      const fromAcorn = syntaxProblems(code).filter((p) => p.startsWith('acorn'));
      assert.notDeepEqual(fromAcorn, [], `${name} (acorn)`);
    }
  }
  if (!hasAcorn()) t.diagnostic('acorn is not installed: esbuild is the only syntax checker');
  assert.notDeepEqual(syntaxProblems('var u = import.meta.url;', { module: true }), [], 'import.meta (ES2020)');
});

test('the checker accepts ES2017 code', () => {
  for (const [name, code] of Object.entries(ES2017)) {
    assert.deepEqual(syntaxProblems(code), [], name);
  }
});

test('the banned-use check flags eval, Function, import.meta, fetch and unguarded globals, and allows guarded feature tests', () => {
  assert.deepEqual(bannedUses("var g = typeof globalThis === 'undefined' ? undefined : globalThis;"), []);
  assert.deepEqual(bannedUses('var g=typeof globalThis=="undefined"?void 0:globalThis,w=typeof window=="undefined"?void 0:window;'), []);
  assert.deepEqual(bannedUses("var msg = 'no window here'; var o = { window: 1 }; o.window = 2; // window"), []);
  assert.deepEqual(bannedUses('var s = "a \\" globalThis"; /* globalThis */ var t = `window`;'), []);
  for (const bad of ['eval("1")', 'new Function("return this")', 'Function("return this")()', 'import.meta.url', 'fetch(url)',
    'var g = globalThis;', 'globalThis.x = 1', 'window.x = 1', 'var w = window;', 'var s = "a"; var g = globalThis;',
    "typeof globalThis === 'undefined' ? undefined : window"]) {
    assert.notDeepEqual(bannedUses(bad), [], bad);
  }
});

test('shipped JavaScript is ES2017 at most', () => {
  for (const file of shippedScripts()) {
    const code = fs.readFileSync(path.join(pkg, file), 'utf8');
    assert.deepEqual(syntaxProblems(code), [], file);
  }
});

test('shipped JavaScript uses no eval, Function, import.meta, fetch, or unguarded globalThis/window', () => {
  for (const file of shippedScripts()) {
    const code = fs.readFileSync(path.join(pkg, file), 'utf8');
    assert.deepEqual(bannedUses(code), [], file);
  }
});

test('the browser entry (web.mjs) is an ES2020 module and uses no eval or Function', () => {
  const code = fs.readFileSync(path.join(pkg, 'web.mjs'), 'utf8');
  // import.meta (ES2020) is what bundlers need there; nothing newer than ES2020. (acorn 6, the one that comes
  // with miniprogram-ci, cannot parse import.meta, so esbuild checks this alone.)
  assert.deepEqual(syntaxProblems(code, { module: true, year: 2020, useAcorn: false }), []);
  assert.deepEqual(bannedUses(code).filter((p) => !/^(import\.meta|fetch\()/.test(p)), []);
  assert.match(code, /new URL\("\.\/wxsocket_bg\.wasm", import\.meta\.url\)/, 'the literal pattern bundlers turn into an asset URL');
});

test('no machine paths in anything the package ships', () => {
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
  for (const file of walk(pkg)) {
    if (file.endsWith('.wasm') || file.endsWith('.br')) continue;
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /\/(work|tmp|root|home)\//, path.relative(pkg, file));
  }
});
