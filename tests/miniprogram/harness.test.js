'use strict';
// The harness keeps the phone's rules: what page code can require, what WXWebAssembly accepts, the
// SocketTask's shape, setData, errors from callbacks, and the old engine (`engine: 'mvp'`) that refuses
// modules using WebAssembly features after the MVP. (A small throwaway mini-program tree, no package; the
// modules are assembled here byte by byte.)

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MiniProgram, waitFor, mvpRefusal } = require('./harness.js');
const { startServer } = require('../server/server.js');

// ---- WebAssembly modules assembled by hand ----

const I32 = 0x7f;
const I64 = 0x7e;
const F64 = 0x7c;
const u32 = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const vec = (items) => [...u32(items.length), ...items.flat()];
const str = (s) => vec([...Buffer.from(s)]);
const section = (id, content) => [id, ...u32(content.length), ...content];
const functype = (params, results) => [0x60, ...vec(params), ...vec(results)];
// A function body: its size, then its bytes.
const code = (bytes) => [...u32(bytes.length), ...bytes];

// A module with the sections `parts` gives (in the binary's order), and by default one function type
// () -> i32, one function of that type with `locals` and `body` (its end added), one memory of one
// page, that function exported as `f`.
function assemble({ types = [functype([], [I32])], body = [0x41, 7], locals = [], imports, tables, memories = [[0x00, 1]],
  globals, exports = [[...str('f'), 0x00, 0]], start, elems, dataCount, data } = {}) {
  return [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...(imports ? section(2, vec(imports)) : []),
    ...section(3, vec([u32(0)])),
    ...(tables ? section(4, vec(tables)) : []),
    ...section(5, vec(memories)),
    ...(globals ? section(6, vec(globals)) : []),
    ...section(7, vec(exports)),
    ...(start !== undefined ? section(8, u32(start)) : []),
    ...(elems ? section(9, vec(elems)) : []),
    ...(dataCount !== undefined ? section(12, u32(dataCount)) : []),
    ...section(10, vec([code([...vec(locals), ...body, 0x0b])])),
    ...(data ? section(11, vec(data)) : []),
    ...section(0, [...str('name-ignored'), 1, 2, 3]),
  ];
}

// Within the MVP, using much of it: an imported function and immutable global, a funcref table with an
// element segment, call_indirect, blocks, loop, if/else, br_table, i64 and f64 arithmetic, loads and
// stores, memory.size/grow, locals, an active data segment, an exported immutable global and memory, a
// custom section. f() returns 7.
const MVP_MODULE = assemble({
  types: [functype([], [I32]), functype([I32], [I32])],
  imports: [[...str('env'), ...str('id'), 0x00, ...u32(1)], [...str('env'), ...str('g'), 0x03, I32, 0x00]],
  locals: [[...u32(1), I64], [...u32(1), F64]],
  body: [
    0x02, 0x40, // block
    0x03, 0x40, // loop
    0x41, 2, 0x0e, ...u32(2), 0, 1, 1, // br_table 0 1, default 1, on 2: leaves the block
    0x0b, 0x0b,
    0x42, 0x05, 0x21, 0, // i64.const 5, local.set 0
    0x44, 0, 0, 0, 0, 0, 0, 0x08, 0x40, 0x21, 1, // f64.const 3, local.set 1
    0x41, 0, 0x41, 2, 0x36, 2, 0, // i32.store (0) = 2
    0x3f, 0, 0x1a, 0x41, 0, 0x40, 0, 0x1a, // memory.size drop, memory.grow 0 drop
    0x20, 0, 0xa7, // local.get 0, i32.wrap_i64 → 5
    0x41, 0, 0x28, 2, 0, // i32.load (0) → 2
    0x6a, // i32.add → 7
    0x23, 0, 0x41, 0, 0x11, 1, 0, // global.get 0, i32.const 0, call_indirect (type 1) through the table: id(g)
    0x1a, // drop
    0x41, 1, 0x04, I32, 0x41, 0, 0x05, 0x41, 0, 0x0b, 0x6a, // if (result i32) 0 else 0 end, add
  ],
  tables: [[0x70, 0x00, 1]],
  globals: [[I32, 0x00, 0x41, 9, 0x0b]],
  exports: [[...str('f'), 0x00, 1], [...str('nine'), 0x03, 1], [...str('memory'), 0x02, 0]],
  elems: [[...u32(0), 0x41, 0, 0x0b, ...vec([u32(0)])]],
  data: [[...u32(0), 0x41, 8, 0x0b, ...str('hello')]],
});

// [file, expected reason (wasm-opt --mvp-features's complaint), module]: each uses one feature after the MVP, the
// way a compiler emits it.
const BEYOND_MVP = [
  ['copy.wasm', /^memory\.copy operations require bulk memory/, assemble({ body: [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 10, 0, 0, 0x41, 1] })],
  ['fill.wasm', /^memory\.fill operations require bulk memory/, assemble({ body: [0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 11, 0, 0x41, 1] })],
  ['passive.wasm', /^nonzero segment flags require bulk memory/, assemble({ dataCount: 1, data: [[0x01, ...str('x')]] })],
  ['extend.wasm', /^all used features should be allowed \(i32\.extend8_s\)/, assemble({ body: [0x41, 0x7f, 0xc0] })],
  ['trunc.wasm', /^all used features should be allowed \(i32\.trunc_sat_f64_s\)/, assemble({ body: [0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0xfc, 2] })],
  ['externref-table.wasm', /^Only funcref is valid for table type \(when reference types are disabled\)/, assemble({ tables: [[0x6f, 0x00, 1]] })],
  ['externref-param.wasm', /^all used types should be allowed/, assemble({ types: [functype([0x6f], [I32])], exports: [] })],
  ['tables.wasm', /^Only 1 table definition allowed in MVP/, assemble({ tables: [[0x70, 0x00, 1], [0x70, 0x00, 1]] })],
  ['multivalue.wasm', /^Tuples are not allowed unless multivalue is enabled/, assemble({ types: [functype([], [I32, I32])], body: [0x41, 1, 0x41, 2] })],
  ['mutable-global.wasm', /^Exported mutable global requires mutable-globals/,
    assemble({ globals: [[I32, 0x01, 0x41, 0, 0x0b]], exports: [[...str('f'), 0x00, 0], [...str('g'), 0x03, 0]] })],
  ['simd.wasm', /^all used features should be allowed \(v128\.const/, assemble({ types: [functype([], [0x7b])], body: [0xfd, 12, ...new Array(16).fill(0)], exports: [] })],
];

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
  write('mvp.wasm', Buffer.from(MVP_MODULE));
  for (const [file, , bytes] of BEYOND_MVP) write(file, Buffer.from(bytes));
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

// ---- the old engine ----

test('the hand-assembled modules are real: each validates with Node, and the MVP one runs', async () => {
  assert.ok(WebAssembly.validate(new Uint8Array(MVP_MODULE)), 'the MVP module validates');
  const { instance } = await WebAssembly.instantiate(new Uint8Array(MVP_MODULE), { env: { id: (x) => x, g: 5 } });
  assert.equal(instance.exports.f(), 7);
  assert.equal(instance.exports.nine.value, 9);
  assert.equal(Buffer.from(instance.exports.memory.buffer, 8, 5).toString(), 'hello', 'the data segment');
  for (const [file, , bytes] of BEYOND_MVP) {
    assert.ok(WebAssembly.validate(new Uint8Array(bytes)), `${file} validates (with Node's post-MVP features)`);
  }
});

test('mvpRefusal (wasm-opt --mvp-features) accepts the MVP module and names what each other module uses', () => {
  assert.equal(mvpRefusal(new Uint8Array(MVP_MODULE)), null);
  assert.equal(mvpRefusal(fs.readFileSync(path.join(root, 'm.wasm'))), null, 'an empty module');
  for (const [file, reason, bytes] of BEYOND_MVP) {
    assert.match(String(mvpRefusal(new Uint8Array(bytes))), reason, file);
  }
  // Not a module, or cut short: refused as malformed, not accepted.
  assert.match(mvpRefusal(Buffer.from('\0asm')), /^malformed/);
  assert.match(mvpRefusal(new Uint8Array(MVP_MODULE.slice(0, MVP_MODULE.length - 20))), /^malformed/);
});

test("engine 'mvp': WXWebAssembly refuses modules beyond the MVP as a CompileError and instantiates MVP ones", async () => {
  const old = await runtime({ engine: 'mvp' });
  old.context.__imports = { env: { id: (x) => x, g: 5 } };
  const run = (mp, file) => mp.evaluate(`WXWebAssembly.instantiate('/${file}', __imports)`).then((i) => i.exports.f(), (e) => e);
  assert.equal(await run(old, 'mvp.wasm'), 7);
  for (const [file, reason] of BEYOND_MVP) {
    const err = await run(old, file);
    assert.ok(err instanceof Error, `${file} is refused`);
    assert.equal(err.name, 'CompileError');
    assert.match(err.message.replace(/^CompileError: WebAssembly\.Module doesn't parse: /, ''), reason, file);
  }
  assert.deepEqual(old.refused, BEYOND_MVP.map(([file]) => '/' + file));
  assert.deepEqual(old.instantiated.map((i) => i.path), ['/mvp.wasm']);

  // The same files on the current engine: the ones that export f instantiate (the refusal above is the
  // simulation's, not a broken module).
  const now = await runtime();
  now.context.__imports = old.context.__imports;
  assert.equal(await run(now, 'copy.wasm'), 1);
  assert.equal(await run(now, 'extend.wasm'), -1);
  assert.deepEqual(now.refused, []);
});

test("engine 'mvp' with only the standard WebAssembly: instantiate, compile, Module and validate refuse too", async () => {
  const mp = await runtime({ wasm: 'webassembly', engine: 'mvp' });
  mp.context.__mvp = new Uint8Array(MVP_MODULE);
  mp.context.__copy = new Uint8Array(BEYOND_MVP[0][2]);
  mp.context.__imports = { env: { id: (x) => x, g: 5 } };
  const settle = (expr) => mp.evaluate(expr).then(() => 'resolved', (e) => String(e.message));
  assert.equal(await settle('WebAssembly.instantiate(__mvp, __imports)'), 'resolved');
  assert.match(await settle('WebAssembly.instantiate(__copy, {})'), /memory\.copy operations require bulk memory/);
  assert.match(await settle('WebAssembly.compile(__copy)'), /bulk memory/);
  assert.throws(() => mp.evaluate('new WebAssembly.Module(__copy)'), /bulk memory/);
  assert.equal(mp.evaluate('WebAssembly.validate(__copy)'), false);
  assert.equal(mp.evaluate('WebAssembly.validate(__mvp)'), true);
  assert.equal(mp.evaluate('new WebAssembly.Module(__mvp) instanceof WebAssembly.Module'), true);
  assert.equal(mp.refused.length, 3);
  assert.throws(() => new MiniProgram(root, { engine: 'ios14' }), /engine/);
});

// A module that exports one immutable i32 Global, `g` (MVP otherwise).
const GLOBAL_EXPORT = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(6, vec([[I32, 0x00, 0x41, 0x00, 0x0b]])),
  ...section(7, vec([[...str('g'), 0x03, 0x00]]))];

test("os 'ios': WXWebAssembly refuses a module that exports a Global (a LinkError); Android and modules without one pass", async () => {
  write('global.wasm', Buffer.from(GLOBAL_EXPORT));
  assert.ok(WebAssembly.validate(Buffer.from(GLOBAL_EXPORT)), 'the hand-assembled module is valid');
  const ios = await runtime({ os: 'ios' });
  const err = await ios.evaluate("WXWebAssembly.instantiate('/global.wasm', {})").then(() => null, (e) => e);
  assert.ok(err, 'refused on iOS');
  assert.equal(err.name, 'LinkError');
  assert.match(err.message, /Global \(g\)/);
  assert.deepEqual(ios.refused, ['/global.wasm']);
  await ios.evaluate("WXWebAssembly.instantiate('/m.wasm', {})");
  const android = await runtime({});
  await android.evaluate("WXWebAssembly.instantiate('/global.wasm', {})");
  assert.deepEqual(android.refused, []);
});

test("platform 'douyin': tt instead of wx, TTWebAssembly resolves { module, instance }, .br from 2.92.0.0", async () => {
  const mp = await runtime({ platform: 'douyin', sdkVersion: '2.91.0.0' });
  assert.equal(mp.evaluate("typeof wx + ' ' + typeof tt + ' ' + typeof WXWebAssembly + ' ' + typeof TTWebAssembly"), 'undefined object undefined object');
  const r = await mp.evaluate("TTWebAssembly.instantiate('/m.wasm', {})");
  assert.ok(r.instance && r.module, 'the pair');
  const br = await mp.evaluate("TTWebAssembly.instantiate('/m.wasm.br', {})").then(() => '', (e) => e.message);
  assert.match(br, /2\.92\.0\.0/);
  assert.equal(mp.evaluate('tt.getSystemInfoSync().SDKVersion'), '2.91.0.0');
});
