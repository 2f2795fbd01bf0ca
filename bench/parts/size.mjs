// Part 1: sizes. Ours: every file of pkg/miniprogram_dist (what "Build npm" copies into a mini-program), and
// the browser ESM entry with its .wasm. Peers: the browser bundle each one publishes on npm, minified where
// they publish a minified one, read from node_modules (the exact versions in package.json). All measured
// here the same way: raw bytes, gzip level 9, brotli quality 11 (Node's zlib).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, require, output, log } from './common.mjs';

// One way of measuring for the package README and the benchmark: scripts/sizes.js.
const { sizesOf } = require('./scripts/sizes.js');

function sum(list) {
  return list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip, brotli: a.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
}

function files(dir, names) {
  return names.map((name) => ({ file: name, ...sizesOf(readFileSync(join(dir, name))) }));
}

// Ours.
const mpDir = join(ROOT, 'pkg', 'miniprogram_dist');
const mpFiles = files(mpDir, readdirSync(mpDir).sort());
// What a mini-program ships: every file of miniprogram_dist/ (the loader, the glue and the module as
// .wasm.br, the only form of the module there), each measured the same way; the .wasm.br, already brotli,
// counts at about its own size. `code` sums them all; `packageRaw` is what counts toward the code package
// limit.
const ours = {
  version: JSON.parse(readFileSync(join(ROOT, 'pkg', 'package.json'), 'utf8')).version,
  miniprogram: {
    files: mpFiles.map((f) => ({ ...f, file: 'miniprogram_dist/' + f.file })),
    code: sum(mpFiles),
    codeFiles: mpFiles.map((f) => 'miniprogram_dist/' + f.file),
    packageRaw: sum(mpFiles).raw,
  },
  browser: (() => {
    const f = files(join(ROOT, 'pkg'), ['index.mjs', 'wxsocket_bg.wasm']);
    return { files: f.map((x) => x.file), ...sum(f) };
  })(),
};
log(`  ours: mini-program code ${ours.miniprogram.code.raw} B raw, ${ours.miniprogram.code.gzip} gzip, ${ours.miniprogram.code.brotli} brotli`);

// Peers.
const PEERS = [
  { name: 'reconnecting-websocket', files: ['dist/reconnecting-websocket-iife.min.js'], minified: true },
  {
    name: 'partysocket',
    files: ['dist/index.js', 'dist/ws.js'],
    minified: false,
    note: 'publishes no minified build: its ESM entry and the one module it imports, as published',
    minifyEntry: 'dist/index.js',
  },
  { name: 'socket.io-client', files: ['dist/socket.io.min.js'], minified: true },
  { name: 'centrifuge', files: ['dist/centrifuge.js'], minified: true, note: 'the minified browser bundle (JSON protocol)' },
  { name: 'mqtt', files: ['dist/mqtt.min.js'], minified: true },
];

const peers = [];
for (const p of PEERS) {
  const dir = join(ROOT, 'node_modules', p.name);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const f = files(dir, p.files);
  const entry = { name: p.name, version, files: p.files, minified: p.minified, ...sum(f) };
  if (p.note) entry.note = p.note;
  if (p.minifyEntry) {
    // For reference only: the same code bundled and minified by esbuild here.
    const esbuild = require('esbuild');
    const out = esbuild.buildSync({ entryPoints: [join(dir, p.minifyEntry)], bundle: true, minify: true, write: false, format: 'esm', platform: 'browser', logLevel: 'silent' });
    entry.minifiedHere = { how: 'esbuild --bundle --minify of ' + p.minifyEntry, ...sizesOf(Buffer.from(out.outputFiles[0].contents)) };
  }
  peers.push(entry);
  log(`  ${p.name}@${version}: ${entry.raw} B raw, ${entry.gzip} gzip, ${entry.brotli} brotli`);
}

output({ method: 'raw bytes; gzip level 9; brotli quality 11 (node:zlib)', ours, peers });
