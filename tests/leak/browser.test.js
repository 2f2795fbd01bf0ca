'use strict';
// Leak check in headless Chromium: 10,000 clients of the browser entry (pkg/web.mjs, which fetches the one
// module the package ships, pkg/wxsocket_bg.wasm) created, used and freed in a page, against the real test
// server (tests/server/server.js) through the browser's WebSocket: each one queues a frame before open,
// opens, sends and receives an echo, gets a reply to a request, closes and is freed, eight at a time (on
// eight servers: Chromium opens sockets to one host:port about 10 ms apart). The page (tests/leak/page.mjs)
// takes the same readings as the Node check (tests/leak/measure.mjs) after 1,000 warm-up clients and every
// 1,000 after, with window.gc() (--js-flags=--expose-gc) first, and posts them back. Asserts that the wasm
// memory, the bytes the module holds, the JS values Rust holds (in the glue's array: the module is built
// for the WebAssembly MVP, without an externref table) and the live closures do not grow after the warm-up
// and that the JS heap (performance.memory, precise) stays flat; prints the figures.
//
// Everything runs on 127.0.0.1: a small HTTP server for the page, the package and the results, and the
// test server. Chromium: /usr/bin/chromium (or $CHROMIUM), headless, a fresh profile in a temp directory.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { ROOT, ensurePackage } = require('../e2e/helpers.js');
const { resultOfPage } = require('./chromium-page.js');

const TOTAL = Number(process.env.LEAK_CLIENTS || 10000);
const WARMUP = 1000;
const { startServer } = require(path.join(ROOT, 'tests', 'server', 'server.js'));
const { allocatorNames, heapGrowth } = require('./node-check.js');

function fmt(row) {
  const kb = (n) => (n / 1024).toFixed(1) + ' KiB';
  return `${String(row.cycles).padStart(6)} clients: wasm memory ${row.wasmMemory} B, held ${row.wasmHeld === null ? '-' : kb(row.wasmHeld)}, ` +
    `JS values held ${row.liveRefs} (${row.refsIn} ${row.tableSize}), live closures ${row.liveClosures} of ${row.closuresMade} made, JS heap ${kb(row.jsHeap)}`;
}

test(`${TOTAL} clients created, used and freed in headless Chromium leave nothing behind`, { timeout: 600000 }, async () => {
  ensurePackage();
  // Eight test servers, one per concurrent client (see page.mjs).
  const servers = [];
  for (let k = 0; k < 8; k++) servers.push(await startServer({ port: 0 }));
  let out;
  try {
    out = await resultOfPage({
      page: 'page.html',
      params: [
        ...servers.map((s) => ['ws', s.url]),
        ...servers.map((s) => ['control', s.controlUrl]),
        ['total', String(TOTAL)],
        ['warmup', String(WARMUP)],
        ...Object.entries(allocatorNames()),
      ],
      resultPath: '/result',
      args: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--js-flags=--expose-gc', '--enable-precise-memory-info'],
      ms: 540000,
    });
  } finally {
    for (const s of servers) await s.stop();
  }
  assert.ok(out.ok, `the page failed: ${out.error}`);
  const rows = out.rows;
  console.log(`leak (Chromium ${(/Chrome\/([\d.]+)/.exec(out.userAgent) || [])[1]}, real server): ${TOTAL} clients in ${out.ms} ms (${(out.ms / TOTAL).toFixed(2)} ms each); ${out.received} echoes, ${out.answered} replies`);
  const phases = Object.entries(out.phases || {}).map(([k, v]) => `${k} ${(v / TOTAL).toFixed(2)}`).join(', ');
  console.log(`mean ms per client in each phase: ${phases}`);
  for (const row of rows) console.log(fmt(row));

  const base = rows[0];
  const last = rows[rows.length - 1];
  assert.strictEqual(out.received, TOTAL, 'every client got its echo');
  assert.strictEqual(out.answered, TOTAL, 'every request was answered');
  assert.strictEqual(last.wasmMemory, base.wasmMemoryAfter, 'wasm memory grew after the warm-up');
  assert.notStrictEqual(base.wasmHeld, null, 'the allocator probe did not run (no malloc/free export found)');
  assert.ok(last.wasmHeld <= base.wasmHeld + 4096, `the module holds ${last.wasmHeld - base.wasmHeld} more bytes than after the warm-up`);
  assert.notStrictEqual(base.refsIn, null, 'where the module keeps JS values was not found (neither the glue array nor an externref table)');
  assert.ok(last.liveRefs <= base.liveRefs, `JS values held ${base.liveRefs} → ${last.liveRefs}`);
  // The array's (or table's) length is the most values ever held at once: with several clients in flight
  // it can still creep up by a few slots after the warm-up (as it did by 3 in Chromium). A value leaked
  // per client would add thousands; the count of live values above is the exact check.
  assert.ok(last.tableSize <= base.tableSize + 64, `the ${base.refsIn} holding JS values grew from ${base.tableSize} to ${last.tableSize}`);
  assert.ok(last.liveClosures <= base.liveClosures, `live closures ${base.liveClosures} → ${last.liveClosures}`);
  // As in Node: the lowest reading around the middle against the lowest of the last four.
  const { midHeap, lastHeap, perClient } = heapGrowth(rows, base);
  console.log(`JS heap: ${(midHeap / 1024).toFixed(1)} KiB at mid-run, ${(lastHeap / 1024).toFixed(1)} KiB at the end: ${perClient.toFixed(2)} bytes per client`);
  assert.ok(perClient < 16, `JS heap grows ${perClient.toFixed(1)} bytes per client`);
});
