'use strict';
// The TextEncoder/TextDecoder stand-ins of js-shim/text-codec.js against Node's own classes, for what the
// wasm-bindgen glue does with them; and a check that the glue still does only that (if it starts using
// more, the stand-ins must be revisited).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const esbuild = require('esbuild');

const repo = path.join(__dirname, '..', '..');
const GLUE = path.join(repo, 'target', 'wxsocket-pkg', 'bindgen', 'wxsocket_bg.js');

const bundled = esbuild.buildSync({
  entryPoints: [path.join(repo, 'js-shim', 'text-codec.js')],
  bundle: true,
  format: 'cjs',
  target: 'es2017',
  write: false,
}).outputFiles[0].text;

// The module's exports, run in a fresh context holding `globals` (a fresh vm context has no TextEncoder
// or TextDecoder, like the phone).
function load(globals = {}) {
  const module = { exports: {} };
  vm.runInNewContext(bundled, { module, exports: module.exports, ...globals });
  return module.exports;
}

const { TextEncoder: Encoder, TextDecoder: Decoder } = load();
const enc = new Encoder();
const dec = new Decoder('utf-8', { ignoreBOM: true }); // as the glue makes it
const refEnc = new TextEncoder();
const refDec = new TextDecoder('utf-8', { ignoreBOM: true });

// Byte arrays (of any realm) equal, or the first difference in the message.
function sameBytes(actual, expected, what) {
  const tag = Object.prototype.toString.call(actual);
  assert.equal(tag, '[object Uint8Array]', `${what}: a Uint8Array`);
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  if (i < actual.length || i < expected.length) {
    assert.fail(`${what}: ${actual.length} bytes, expected ${expected.length}; first difference at ${i}: ` +
      `[${Array.from(actual.slice(i, i + 4))}] vs [${Array.from(expected.slice(i, i + 4))}]`);
  }
}

function sameString(actual, expected, what) {
  if (actual === expected) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  const hex = (s) => Array.from(s.slice(i, i + 4), (c) => c.charCodeAt(0).toString(16));
  assert.fail(`${what}: length ${actual.length}, expected ${expected.length}; first difference at unit ${i}: ${hex(actual)} vs ${hex(expected)}`);
}

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

const int = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1)); // lo..hi inclusive
const KINDS = {
  ascii: (r) => String.fromCharCode(int(r, 0, 0x7f)),
  latin: (r) => String.fromCharCode(int(r, 0x80, 0x7ff)),
  cjk: (r) => String.fromCharCode(int(r, 0x4e00, 0x9fff)),
  bmp: (r) => String.fromCharCode(int(r, 0x800, 0xd7ff), int(r, 0xe000, 0xffff))[int(r, 0, 1)],
  emoji: (r) => String.fromCodePoint(int(r, 0x1f300, 0x1faff)),
  astral: (r) => String.fromCodePoint(int(r, 0x10000, 0x10ffff)),
  surrogate: (r) => String.fromCharCode(int(r, 0xd800, 0xdfff)), // lone, or pairs by chance
};
// A random string of about n UTF-16 units from the given kinds (default: all, surrogates included).
function randomString(r, n, kinds = Object.keys(KINDS)) {
  let s = '';
  while (s.length < n) s += KINDS[kinds[int(r, 0, kinds.length - 1)]](r);
  return s;
}

function samples(seed, wellFormed) {
  const r = rng(seed);
  const all = wellFormed ? Object.keys(KINDS).filter((k) => k !== 'surrogate') : Object.keys(KINDS);
  const out = ['', 'a', '{"type":"chat","text":"hi"}', 'é', '你好', '😀', '👩‍💻', '\u{10FFFF}', '\u0000', '\uFEFFbom', '\uFFFD', '\uFFFF\uFFFE'];
  if (!wellFormed) out.push('\uD800', '\uDFFF', 'a\uD800', '\uDC00\uD800', '\uD83D\uD83D\uDE00', '\uDE00\uD83D', 'x\uDBFFy\uDC00z');
  for (let i = 0; i < 3000; i++) {
    const kinds = r() < 0.5 ? [all[int(r, 0, all.length - 1)]] : all;
    out.push(randomString(r, int(r, 1, 40), kinds));
  }
  for (const kinds of [['ascii'], ['cjk'], ['emoji'], all]) out.push(randomString(r, 100000, kinds));
  return out;
}

test('the runtime\'s own classes are used where they exist, the stand-ins where they do not', () => {
  const host = load({ TextEncoder, TextDecoder });
  assert.equal(host.TextEncoder, TextEncoder);
  assert.equal(host.TextDecoder, TextDecoder);
  assert.deepEqual(Object.keys(host).sort(), ['TextDecoder', 'TextEncoder']);
  assert.equal(typeof Encoder, 'function');
  assert.equal(typeof Decoder, 'function');
  assert.notEqual(Encoder, TextEncoder);
  assert.notEqual(Decoder, TextDecoder);
  // Only one side present: each is chosen on its own.
  const half = load({ TextDecoder });
  assert.equal(half.TextDecoder, TextDecoder);
  assert.notEqual(half.TextEncoder, TextEncoder);
});

test('encode matches TextEncoder: ASCII, CJK, emoji, mixed, lone surrogates, empty, ~100k', () => {
  for (const s of samples(7, false)) sameBytes(enc.encode(s), refEnc.encode(s), JSON.stringify(s.slice(0, 40)));
});

test('encode: every code point, and every lone surrogate between other characters', () => {
  let all = '';
  for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCodePoint(c);
  sameBytes(enc.encode(all), refEnc.encode(all), 'every scalar value');
  for (let c = 0xd800; c <= 0xdfff; c++) {
    for (const s of [String.fromCharCode(c), `a${String.fromCharCode(c)}b`, `😀${String.fromCharCode(c)}😀`, `${String.fromCharCode(c, c)}`]) {
      sameBytes(enc.encode(s), refEnc.encode(s), `U+${c.toString(16)} in ${JSON.stringify(s)}`);
    }
  }
});

test('decode matches TextDecoder on the UTF-8 of random strings, at any offset in a larger buffer', () => {
  const r = rng(3);
  for (const s of samples(11, false)) {
    const bytes = refEnc.encode(s);
    sameString(dec.decode(bytes), refDec.decode(bytes), `${JSON.stringify(s.slice(0, 40))}`);
    // The glue decodes a subarray of wasm memory.
    const memory = new Uint8Array(bytes.length + 16);
    const at = int(r, 0, 8);
    memory.set(bytes, at);
    sameString(dec.decode(memory.subarray(at, at + bytes.length)), refDec.decode(bytes), `${JSON.stringify(s.slice(0, 40))} at ${at}`);
  }
});

test('decode: every code point; multi-byte sequences across the internal chunk edges; a leading BOM kept', () => {
  let all = '';
  for (let c = 0; c <= 0x10ffff; c++) if (c < 0xd800 || c > 0xdfff) all += String.fromCodePoint(c);
  sameString(dec.decode(refEnc.encode(all)), all, 'every scalar value');
  for (const unit of ['é', '你', '😀']) {
    for (let pad = 8180; pad <= 8196; pad++) {
      const s = 'a'.repeat(pad) + unit.repeat(3) + 'z';
      sameString(dec.decode(refEnc.encode(s)), s, `${unit} after ${pad} bytes`);
    }
  }
  assert.equal(dec.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), '\uFEFFA');
  assert.equal(dec.decode(new Uint8Array([0x25, 0x34, 0x31, 0x2b])), '%41+', 'no URI decoding of the text itself');
});

test('decode() with no argument (the glue calls it once at load) and of no bytes', () => {
  assert.equal(new Decoder('utf-8', { ignoreBOM: true }).decode(), '');
  assert.equal(dec.decode(new Uint8Array(0)), '');
});

// --- What the glue does with them ---------------------------------------------------------------------

// The package tests run after the package build, which leaves the glue there: its absence is a failure.
function glueSource() {
  assert.ok(fs.existsSync(GLUE), `no wasm-bindgen glue at ${path.relative(repo, GLUE)} (run \`bash scripts/build-pkg.sh\`)`);
  return fs.readFileSync(GLUE, 'utf8');
}

function count(text, re) {
  return (text.match(re) || []).length;
}

test('the glue uses TextEncoder/TextDecoder only in the ways the stand-ins cover', () => {
  const glue = glueSource();
  const decoders = glue.match(/new TextDecoder\([^)]*\)/g) || [];
  assert.ok(decoders.length > 0);
  for (const d of decoders) assert.equal(d, "new TextDecoder('utf-8', { ignoreBOM: true })", 'no fatal, no stream, BOM kept');
  assert.deepEqual(glue.match(/new TextEncoder\([^)]*\)/g), ['new TextEncoder()']);
  assert.equal(count(glue, /\bTextDecoder\b/g), decoders.length, 'TextDecoder named only in `new TextDecoder(...)`');
  assert.equal(count(glue, /\bTextEncoder\b/g), 1, 'TextEncoder named only in `new TextEncoder()`');
  assert.deepEqual([...new Set(glue.match(/cachedTextDecoder\.\w+/g))], ['cachedTextDecoder.decode']);
  assert.deepEqual([...new Set(glue.match(/cachedTextEncoder\.\w+/g))].sort(), ['cachedTextEncoder.encode', 'cachedTextEncoder.encodeInto']);
  assert.deepEqual([...new Set(glue.match(/cachedTextDecoder\.decode\([^)]*\)/g))].sort(), ['cachedTextDecoder.decode()', 'cachedTextDecoder.decode(bytes)']);
  assert.doesNotMatch(glue, /\bstream\s*:/);
  // No encodeInto of ours: the glue's own one (encode, then set) is used, into a view of 3 bytes per unit.
  assert.match(glue, /if \(!\('encodeInto' in cachedTextEncoder\)\) \{\s*cachedTextEncoder\.encodeInto = function \(arg, view\) \{\s*const buf = cachedTextEncoder\.encode\(arg\);\s*view\.set\(buf\);/);
  assert.match(glue, /len = offset \+ arg\.length \* 3/);
  assert.equal('encodeInto' in enc, false);
});

// The glue's own string functions (passStringToWasm0, getStringFromWasm0, the codec setup with its
// encodeInto fallback), cut out of it and run over a fake wasm memory with the stand-ins.
function glueStrings(glue) {
  const cut = (re, what) => {
    const m = glue.match(re);
    assert.ok(m, `the glue has no ${what}`);
    return m[0];
  };
  const code = [
    cut(/^function passStringToWasm0\([\s\S]*?^\}$/m, 'passStringToWasm0'),
    cut(/^function getStringFromWasm0\([\s\S]*?^\}$/m, 'getStringFromWasm0'),
    cut(/^let cachedTextDecoder[\s\S]*?^let WASM_VECTOR_LEN = 0;$/m, 'codec setup'),
    'return { pass: passStringToWasm0, get: getStringFromWasm0, written: () => WASM_VECTOR_LEN };',
  ].join('\n');
  const memory = new Uint8Array(1 << 24);
  let top = 8;
  const last = new Map(); // ptr → size, for realloc
  const malloc = (n) => {
    const p = top;
    top += n;
    last.set(p, n);
    return p;
  };
  const realloc = (p, old, n) => {
    assert.equal(last.get(p), old);
    if (p + old === top) {
      top = p + n;
      last.set(p, n);
      return p;
    }
    const q = malloc(n);
    memory.copyWithin(q, p, p + Math.min(old, n));
    return q;
  };
  const context = { TextEncoder: Encoder, TextDecoder: Decoder, getUint8ArrayMemory0: () => memory };
  const api = vm.runInNewContext(`(function () {\n${code}\n})()`, context);
  return {
    // The glue's two ways in: with realloc (encodeInto; every call site today) and without (encode).
    pass(s, withRealloc) {
      top = 8;
      const ptr = api.pass(s, malloc, withRealloc ? realloc : undefined);
      return memory.slice(ptr, ptr + api.written());
    },
    get(bytes) {
      memory.set(bytes, 64);
      return api.get(64, bytes.length);
    },
  };
}

test('the glue\'s own string passing, with the stand-ins: Rust gets TextEncoder\'s bytes and JS gets the text back', () => {
  const glue = glueSource();
  const g = glueStrings(glue);
  for (const s of samples(5, false)) {
    const what = JSON.stringify(s.slice(0, 40));
    const expected = refEnc.encode(s);
    sameBytes(g.pass(s, true), expected, `${what} with realloc`);
    sameBytes(g.pass(s, false), expected, `${what} without realloc`);
    sameString(g.get(expected), refDec.decode(expected), `${what} back`);
  }
});
