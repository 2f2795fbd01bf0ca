'use strict';
// Sizes of what the package ships: every file of pkg/ (raw, gzip -9, brotli q11) and the total a
// mini-program ships (miniprogram_dist/, which "Build npm" copies whole into the code package; the code
// package counts raw bytes).
//
//   node scripts/sizes.js [--json] [pkg dir]
//
// Also used by build-pkg.js to put the table into the package README.

const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

function walk(dir, base = dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

function sizesOf(bytes) {
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

function measure(pkgDir) {
  const files = walk(pkgDir).map((file) => ({ file, ...sizesOf(fs.readFileSync(path.join(pkgDir, file))) }));
  const mp = files.filter((f) => f.file.startsWith('miniprogram_dist/'));
  const sum = (list, key) => list.reduce((n, f) => n + f[key], 0);
  return {
    files,
    total: { raw: sum(files, 'raw'), gzip: sum(files, 'gzip'), brotli: sum(files, 'brotli') },
    miniprogram: {
      files: mp.map((f) => f.file.slice('miniprogram_dist/'.length)),
      // What counts toward the 2 MB package limit: the raw bytes of every file Build npm copies.
      raw: sum(mp, 'raw'),
      // The same without the plain .wasm, for a package that keeps only the .br (base library 2.14.0+).
      rawBrOnly: sum(mp.filter((f) => !f.file.endsWith('.wasm')), 'raw'),
      // The same without the .br, for a package that keeps only the plain .wasm.
      rawWasmOnly: sum(mp.filter((f) => !f.file.endsWith('.br')), 'raw'),
    },
  };
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB';

function markdown(m) {
  const rows = m.files.map((f) => `| \`${f.file}\` | ${f.raw} | ${f.gzip} | ${f.brotli} |`);
  return [
    '| file | raw bytes | gzip | brotli |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
    `A mini-program ships \`miniprogram_dist/\`: ${m.miniprogram.raw} bytes (${kb(m.miniprogram.raw)}) with both ` +
      `the .wasm and the .wasm.br; ${m.miniprogram.rawBrOnly} bytes (${kb(m.miniprogram.rawBrOnly)}) keeping only the .br, ` +
      `${m.miniprogram.rawWasmOnly} bytes (${kb(m.miniprogram.rawWasmOnly)}) keeping only the plain .wasm.`,
  ].join('\n');
}

function text(m) {
  const w = Math.max(...m.files.map((f) => f.file.length), 4);
  const line = (name, a, b, c) => `${name.padEnd(w)}  ${String(a).padStart(9)}  ${String(b).padStart(9)}  ${String(c).padStart(9)}`;
  return [
    line('file', 'raw', 'gzip', 'brotli'),
    ...m.files.map((f) => line(f.file, f.raw, f.gzip, f.brotli)),
    line('(all files)', m.total.raw, m.total.gzip, m.total.brotli),
    '',
    `mini-program ships miniprogram_dist/: ${m.miniprogram.raw} bytes (${kb(m.miniprogram.raw)}); ` +
      `only .br kept: ${m.miniprogram.rawBrOnly} (${kb(m.miniprogram.rawBrOnly)}); ` +
      `only .wasm kept: ${m.miniprogram.rawWasmOnly} (${kb(m.miniprogram.rawWasmOnly)})`,
  ].join('\n');
}

module.exports = { measure, markdown, text, sizesOf };

if (require.main === module) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const dir = path.resolve(args.find((a) => !a.startsWith('--')) || path.join(__dirname, '..', 'pkg'));
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    console.error(`no package in ${path.relative(process.cwd(), dir) || '.'}: run bash scripts/build-pkg.sh first`);
    process.exit(1);
  }
  const m = measure(dir);
  console.log(json ? JSON.stringify(m, null, 2) : text(m));
}
