'use strict';
// The TextEncoder/TextDecoder stand-ins of js-shim/text-codec.js against Node's own implementation
// (the WHATWG Encoding Standard): every input, every option the glue or a user might pass.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const vm = require('node:vm');
const esbuild = require('esbuild');

function loadStandIns() {
  const out = esbuild.buildSync({
    entryPoints: [path.join(__dirname, '..', '..', 'js-shim', 'text-codec.js')],
    bundle: true,
    format: 'cjs',
    target: 'es2017',
    write: false,
  });
  const module = { exports: {} };
  vm.compileFunction(out.outputFiles[0].text, ['module', 'exports'])(module, module.exports);
  return module.exports;
}

const { Utf8Encoder, Utf8Decoder, TextEncoder: Chosen } = loadStandIns();

// Deterministic pseudo-random numbers (xorshift32).
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function randomString(r, n) {
  const pools = [
    () => 0x20 + Math.floor(r() * 0x5f),
    () => 0x80 + Math.floor(r() * 0x780),
    () => 0x800 + Math.floor(r() * 0xd000),
    () => 0xd800 + Math.floor(r() * 0x800), // lone or paired surrogates
    () => 0xe000 + Math.floor(r() * 0x2000),
  ];
  let s = '';
  for (let i = 0; i < n; i++) {
    if (r() < 0.2) s += String.fromCodePoint(0x10000 + Math.floor(r() * 0xfffff));
    else s += String.fromCharCode(pools[Math.floor(r() * pools.length)]());
  }
  return s;
}

function randomBytes(r, n) {
  const interesting = [0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f, 0xbb, 0xef, 0xbb, 0xbf];
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r() < 0.6 ? interesting[Math.floor(r() * interesting.length)] : Math.floor(r() * 256);
  return b;
}

test('the runtime\'s own classes are used where they exist', () => {
  assert.equal(Chosen, TextEncoder);
});

test('encode matches TextEncoder: ASCII, CJK, emoji, lone surrogates, empty, undefined', () => {
  const enc = new Utf8Encoder();
  const ref = new TextEncoder();
  assert.equal(enc.encoding, 'utf-8');
  const fixed = ['', 'abc', 'é', '你好', '😀', '👩‍💻', '\uD800', '\uDFFF', 'a\uD800', '\uDC00\uD800', '\uFFFD', '\u{10FFFF}'];
  for (const s of fixed) assert.deepEqual([...enc.encode(s)], [...ref.encode(s)], JSON.stringify(s));
  assert.deepEqual([...enc.encode()], []);
  assert.ok(enc.encode('x') instanceof Uint8Array);
  const r = rng(7);
  for (let i = 0; i < 2000; i++) {
    const s = randomString(r, Math.floor(r() * 12));
    assert.deepEqual([...enc.encode(s)], [...ref.encode(s)], JSON.stringify(s));
  }
});

test('encodeInto matches TextEncoder.encodeInto at every destination size', () => {
  const enc = new Utf8Encoder();
  const ref = new TextEncoder();
  const r = rng(11);
  for (let i = 0; i < 300; i++) {
    const s = randomString(r, 1 + Math.floor(r() * 6));
    const full = ref.encode(s).length;
    for (let size = 0; size <= full + 1; size++) {
      const a = new Uint8Array(size);
      const b = new Uint8Array(size);
      const ra = enc.encodeInto(s, a);
      const rb = ref.encodeInto(s, b);
      assert.deepEqual({ read: ra.read, written: ra.written }, { read: rb.read, written: rb.written }, `${JSON.stringify(s)} into ${size}`);
      assert.deepEqual([...a], [...b]);
    }
  }
});

test('decode matches TextDecoder on random and malformed bytes (replacement per maximal subpart)', () => {
  const r = rng(3);
  for (const ignoreBOM of [false, true]) {
    const dec = new Utf8Decoder('utf-8', { ignoreBOM });
    const ref = new TextDecoder('utf-8', { ignoreBOM });
    for (let i = 0; i < 5000; i++) {
      const b = randomBytes(r, Math.floor(r() * 10));
      assert.equal(dec.decode(b), ref.decode(b), `[${[...b]}] ignoreBOM=${ignoreBOM}`);
    }
  }
});

test('fatal: throws TypeError exactly where TextDecoder does', () => {
  const dec = new Utf8Decoder('utf-8', { ignoreBOM: true, fatal: true });
  const ref = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
  assert.equal(dec.fatal, true);
  const r = rng(5);
  for (let i = 0; i < 5000; i++) {
    const b = randomBytes(r, Math.floor(r() * 8));
    let expected;
    try {
      expected = ref.decode(b);
    } catch (_) {
      expected = TypeError;
    }
    if (expected === TypeError) assert.throws(() => dec.decode(b), TypeError, `[${[...b]}]`);
    else assert.equal(dec.decode(b), expected);
  }
});

test('decode(undefined), views with offsets, DataView, other realms; labels; BOM', () => {
  const dec = new Utf8Decoder('utf-8', { ignoreBOM: true, fatal: true });
  dec.decode();
  assert.equal(dec.decode(undefined), '');
  const bytes = new TextEncoder().encode('xx你好😀yy');
  assert.equal(dec.decode(new Uint8Array(bytes.buffer, 2, bytes.length - 4)), '你好😀');
  assert.equal(dec.decode(new DataView(bytes.buffer, 2, 3)), '你');
  assert.equal(dec.decode(bytes.buffer), 'xx你好😀yy');
  const foreign = vm.runInNewContext('new Uint8Array([0xe4, 0xbd, 0xa0]).buffer');
  assert.equal(dec.decode(foreign), '你');
  assert.throws(() => dec.decode('text'), TypeError);
  for (const label of ['utf-8', 'UTF-8', ' utf8 ', 'unicode-1-1-utf-8', undefined]) assert.equal(new Utf8Decoder(label).encoding, 'utf-8');
  assert.throws(() => new Utf8Decoder('latin1'), RangeError);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
  assert.equal(new Utf8Decoder().decode(bom), 'A');
  assert.equal(new Utf8Decoder('utf-8', { ignoreBOM: true }).decode(bom), '\uFEFFA');
  assert.equal(new Utf8Decoder('utf-8', { ignoreBOM: false }).ignoreBOM, false);
  const big = 'abc漢字😀'.repeat(20000);
  assert.equal(dec.decode(new TextEncoder().encode(big)), big, 'long input (chunked fromCharCode)');
});

test('stream: true keeps incomplete sequences across calls, like TextDecoder', () => {
  const text = '\uFEFFa你😀b';
  const bytes = new TextEncoder().encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const dec = new Utf8Decoder();
    const ref = new TextDecoder();
    const mine = dec.decode(bytes.subarray(0, cut), { stream: true }) + dec.decode(bytes.subarray(cut));
    const theirs = ref.decode(bytes.subarray(0, cut), { stream: true }) + ref.decode(bytes.subarray(cut));
    assert.equal(mine, theirs, `cut at ${cut}`);
  }
  const dec = new Utf8Decoder();
  assert.equal(dec.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }), '');
  assert.equal(dec.decode(), '\uFFFD', 'an incomplete sequence at the end of the stream');
});
