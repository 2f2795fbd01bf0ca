'use strict';
// Short import and export names for the shipped module (used by scripts/build-pkg.js).
//
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` under the module './wxsocket_bg.js' or a
// snippet's path, and every export after the Rust function. Those names are stored in the module and again
// in the glue, and the hex digits do not compress. This rewrites the import section (every import under
// the module 'a', named a, b, …, z, A, …, aa, …) and the export section (the same scheme, except the
// names in `keep`), and leaves every other byte as it is. The caller wires the import object and the glue
// with the returned maps.

// The n-th short name: a…z, A…Z, $, _, then two characters, and so on (all valid JS identifiers).
const FIRST = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_';
const REST = FIRST + '0123456789';
function shortName(n) {
  let s = FIRST[n % FIRST.length];
  n = Math.floor(n / FIRST.length);
  while (n > 0) {
    n -= 1;
    s += REST[n % REST.length];
    n = Math.floor(n / REST.length);
  }
  return s;
}

function readU32(buf, at) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at.pos++];
    if (b === undefined) throw new Error('truncated LEB128');
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
    if (shift > 35) throw new Error('LEB128 too long');
  }
}

function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return Buffer.from(out);
}

function readName(buf, at) {
  const len = readU32(buf, at);
  const s = buf.toString('utf8', at.pos, at.pos + len);
  at.pos += len;
  return s;
}

function name(s) {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(bytes.length), bytes]);
}

// The bytes of an import's description (after its kind byte), copied as they are.
function skipImportDesc(buf, at, kind) {
  const start = at.pos;
  const limits = () => {
    const flags = buf[at.pos++];
    readU32(buf, at);
    if (flags & 1) readU32(buf, at);
  };
  if (kind === 0) readU32(buf, at); // function: type index
  else if (kind === 1) { at.pos += 1; limits(); } // table: reference type, limits
  else if (kind === 2) limits(); // memory
  else if (kind === 3) at.pos += 2; // global: value type, mutability
  else throw new Error('unknown import kind ' + kind);
  return buf.subarray(start, at.pos);
}

function minifyNames(wasm, keep) {
  const buf = Buffer.from(wasm);
  if (buf.readUInt32LE(0) !== 0x6d736100 || buf.readUInt32LE(4) !== 1) throw new Error('not a WebAssembly module');
  const parts = [buf.subarray(0, 8)];
  const imports = [];
  const exports = [];
  const at = { pos: 8 };
  while (at.pos < buf.length) {
    const sectionStart = at.pos;
    const id = buf[at.pos++];
    const size = readU32(buf, at);
    const start = at.pos;
    const end = start + size;
    if (id === 2 || id === 7) {
      const count = readU32(buf, at);
      const body = [u32(count)];
      for (let i = 0; i < count; i++) {
        if (id === 2) {
          const module = readName(buf, at);
          const field = readName(buf, at);
          const kind = buf[at.pos++];
          const desc = skipImportDesc(buf, at, kind);
          const short = shortName(imports.length);
          imports.push({ module, name: field, kind, short });
          body.push(name('a'), name(short), Buffer.from([kind]), desc);
        } else {
          const field = readName(buf, at);
          const kind = buf[at.pos++];
          const index = readU32(buf, at);
          const short = keep.includes(field) ? field : shortName(exports.filter((e) => e.short !== e.name).length);
          exports.push({ name: field, kind, short });
          body.push(name(short), Buffer.from([kind]), u32(index));
        }
      }
      if (at.pos !== end) throw new Error(`section ${id} has ${end - at.pos} bytes left over`);
      const content = Buffer.concat(body);
      parts.push(Buffer.from([id]), u32(content.length), content);
    } else {
      parts.push(buf.subarray(sectionStart, end));
    }
    at.pos = end;
  }
  const shortExports = exports.map((e) => e.short);
  if (new Set(shortExports).size !== shortExports.length) throw new Error('a kept export name collides with a short one');
  return { bytes: Buffer.concat(parts), imports, exports };
}

// The glue with every `wasm.<export>` renamed; fails on an export the glue names that the module lacks.
function renameInGlue(source, exports) {
  const map = new Map(exports.map((e) => [e.name, e.short]));
  return source.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, n) => {
    if (!map.has(n)) throw new Error(`the glue uses wasm.${n}, which the module does not export`);
    return 'wasm.' + map.get(n);
  });
}

module.exports = { minifyNames, renameInGlue, shortName };
