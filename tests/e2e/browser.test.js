'use strict';
// The shipped package in headless Chromium against the real test server (tests/e2e/browser/page.mjs): echo of
// JSON and binary frames, request/response, reconnect after the server kills the connection with the messages
// sent during the outage arriving after it in order, and a heartbeat timeout against a server that stalls;
// each through the browser's WebSocket and through a `wx` built on it. (This was the wasm-bindgen suite
// tests/wasm_browser.rs, which ran a test build and Rust-only methods instead of the package.)
const test = require('node:test');
const assert = require('node:assert/strict');
const { ROOT, ensurePackage } = require('./helpers.js');
const { resultOfPage } = require('../leak/chromium-page.js');
const { startServer } = require(require('node:path').join(ROOT, 'tests', 'server', 'server.js'));

test('the package in Chromium: echo, request/response, reconnect with the outage queue in order, heartbeat on a stalled server', { timeout: 120000 }, async () => {
  ensurePackage();
  const server = await startServer({ port: 0 });
  let out;
  try {
    out = await resultOfPage({
      dir: 'tests/e2e/browser',
      serve: ['tests/support'],
      page: 'page.html',
      params: [
        ['ws', server.url],
        ['control', server.controlUrl],
      ],
      resultPath: '/result',
      args: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
      ms: 90000,
    });
  } finally {
    await server.stop();
  }
  assert.ok(out.ok, `the page failed: ${out.error}`);
  for (const note of out.notes) console.log(note);
  assert.deepEqual(out.failures, []);
});
