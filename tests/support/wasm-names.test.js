'use strict';
// scripts/wasm-names.js: the import and export sections get short names, every other byte stays, and the
// module still links and runs with an import object keyed by the short names.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { minifyNames, renameInGlue, shortName } = require(path.join(__dirname, '..', '..', 'scripts', 'wasm-names.js'));

function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const name = (s) => [...u32(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, bytes) => [id, ...u32(bytes.length), ...bytes];

// Imports `./glue.js` `__wbg_get_0123456789abcdef` (() -> i32) and `./snippets/x/platform.js` `twice`
// ((i32) -> i32); exports `run` (= twice(get()) + 1), `memory`, and `socketclient_new` (= get()).
function handMadeModule() {
  const types = [2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f];
  const imports = [2, ...name('./glue.js'), ...name('__wbg_get_0123456789abcdef'), 0, 0,
    ...name('./snippets/x/platform.js'), ...name('twice'), 0, 1];
  const funcs = [2, 0, 0];
  const memory = [1, 0, 1];
  const exportsSec = [3, ...name('run'), 0, 2, ...name('memory'), 2, 0, ...name('socketclient_new'), 0, 3];
  const run = [0, 0x10, 0, 0x10, 1, 0x41, 1, 0x6a, 0x0b]; // call 0; call 1; i32.const 1; i32.add
  const get = [0, 0x10, 0, 0x0b];
  const code = [2, ...u32(run.length), ...run, ...u32(get.length), ...get];
  const custom = section(0, [...name('note'), 1, 2, 3]);
  return Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, types), ...section(2, imports), ...section(3, funcs),
    ...section(5, memory), ...section(7, exportsSec), ...section(10, code), ...custom]);
}

test('imports go under module a with short names; exports are short except the kept ones', () => {
  const bytes = handMadeModule();
  const before = new WebAssembly.Module(bytes);
  assert.equal(WebAssembly.Module.imports(before)[0].name, '__wbg_get_0123456789abcdef');
  const out = minifyNames(bytes, ['memory']);
  const mod = new WebAssembly.Module(out.bytes);
  assert.deepEqual(WebAssembly.Module.imports(mod).map((i) => [i.module, i.name]), [['a', 'a'], ['a', 'b']]);
  assert.deepEqual(out.imports.map((i) => [i.module, i.name, i.short]),
    [['./glue.js', '__wbg_get_0123456789abcdef', 'a'], ['./snippets/x/platform.js', 'twice', 'b']]);
  assert.deepEqual(WebAssembly.Module.exports(mod).map((e) => e.name).sort(), ['a', 'b', 'memory']);
  assert.deepEqual(out.exports.map((e) => [e.name, e.short]), [['run', 'a'], ['memory', 'memory'], ['socketclient_new', 'b']]);
  assert.ok(out.bytes.length < bytes.length, 'shorter');
  // It still links and computes the same: twice(get()) + 1.
  const inst = new WebAssembly.Instance(mod, { a: { a: () => 20, b: (x) => x * 2 } });
  assert.equal(inst.exports.a(), 41);
  assert.equal(inst.exports.b(), 20);
  assert.ok(inst.exports.memory instanceof WebAssembly.Memory);
  // The custom section and the code are byte for byte the same.
  assert.ok(out.bytes.subarray(out.bytes.length - 9).equals(bytes.subarray(bytes.length - 9)));
});

test('the glue follows the renamed exports, and an export the module lacks is an error', () => {
  const out = minifyNames(handMadeModule(), ['memory']);
  const glue = 'let wasm; function f(){ return wasm.socketclient_new() + wasm.run(); } const m = wasm.memory; const wasmish = 1;';
  assert.equal(renameInGlue(glue, out.exports),
    'let wasm; function f(){ return wasm.b() + wasm.a(); } const m = wasm.memory; const wasmish = 1;');
  assert.throws(() => renameInGlue('wasm.socketclient_free(1)', out.exports), /wasm\.socketclient_free/);
});

test('short names are distinct identifiers', () => {
  const seen = new Set();
  for (let i = 0; i < 5000; i++) {
    const s = shortName(i);
    assert.match(s, /^[A-Za-z$_][\w$]*$/);
    assert.ok(!seen.has(s), s);
    seen.add(s);
  }
  assert.equal(shortName(0), 'a');
});

test('what is not a module is refused', () => {
  assert.throws(() => minifyNames(Buffer.from('not wasm at all'), []), /not a WebAssembly module/);
  const cut = handMadeModule().subarray(0, 30);
  assert.throws(() => minifyNames(cut, []));
});
