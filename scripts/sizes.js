'use strict';
// Sizes of what the package ships: every file of pkg/ (raw, gzip -9, brotli q11) and the total a
// mini-program ships: miniprogram_dist/ (the loader, the glue and the module as .wasm.br), which "Build
// npm" copies whole into the code package. Its raw total is what counts toward the code package limit;
// its brotli total (every file at quality 11, like every other figure here; the .wasm.br, already
// brotli, comes out a few bytes over its raw size) is the figure to compare with other packages.
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
      gzip: sum(mp, 'gzip'),
      // Every file Build npm copies, brotli-compressed: what a mini-program ships, compared like for like.
      brotli: sum(mp, 'brotli'),
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
    `A mini-program ships \`miniprogram_dist/\` (${m.miniprogram.files.map((f) => `\`${f}\``).join(', ')}): ` +
      `${m.miniprogram.brotli} bytes (${kb(m.miniprogram.brotli)}) brotli; ${m.miniprogram.raw} bytes ` +
      `(${kb(m.miniprogram.raw)}) raw, which is what counts toward the code package limit.`,
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
    `mini-program ships miniprogram_dist/ (${m.miniprogram.files.join(', ')}): ` +
      `${m.miniprogram.brotli} bytes brotli (${kb(m.miniprogram.brotli)}); ` +
      `${m.miniprogram.raw} bytes raw (${kb(m.miniprogram.raw)}), counted toward the code package limit`,
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
