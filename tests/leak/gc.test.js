'use strict';
// A live client is never collected; a closed one is (docs/contract.md, "Re-entrancy and lifetimes").
// Page code often keeps no reference to a client it only listens to (`new SocketClient(o).on('message', f)`):
// as with an open WebSocket, the connection must keep it alive until close(), exhausted retries or free().
// Here: clients of the built package against the real test server, with every reference dropped, then full
// collections (Node: gc() via --expose-gc set at run time; Chromium: window.gc() with --js-flags=--expose-gc,
// the leak step's launcher). Collection is observed with a FinalizationRegistry and a WeakRef.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const WebSocket = require('ws');
const { ROOT, loadServer, ensurePackage, gcFunction } = require('../e2e/helpers.js');
const { resultOfPage } = require('./chromium-page.js');

const { startServer } = loadServer();

const gc = gcFunction();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function collect() {
  for (let k = 0; k < 4; k++) {
    await sleep(10);
    gc();
  }
}
async function until(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await sleep(10);
  }
}

ensurePackage();
const { SocketClient } = require(path.join(ROOT, 'pkg'));

let server;
test.before(async () => {
  server = await startServer({ port: 0 });
});
test.after(async () => {
  await server.stop();
});

// Starts a client that nothing but its listeners refer to; returns what the test may hold: a WeakRef, what
// it heard, and whether it was collected.
function unreferencedClient(options) {
  const seen = { messages: [], opens: 0, collected: false };
  const registry = new FinalizationRegistry(() => { seen.collected = true; });
  const client = new SocketClient({ url: server.url, platform: WebSocket, ...options });
  client.on('open', () => { seen.opens += 1; });
  client.on('message', (m) => seen.messages.push(m));
  registry.register(client, 'client');
  seen.registry = registry;
  seen.ref = new WeakRef(client);
  return seen;
}

test('Node: an open client nobody references keeps its connection and hears pushes after gc(); after close() it is collected', async () => {
  const seen = unreferencedClient({});
  await until(() => seen.opens === 1, 'open');
  await collect();
  assert.equal(seen.collected, false, 'an open client was collected');
  assert.equal((await server.stats()).open, 1, 'its connection is still open');
  server.push(1, '{"push":"after gc"}');
  await until(() => seen.messages.length === 1, 'the push');
  assert.deepEqual(seen.messages[0], { push: 'after gc' });

  // Once closed, nothing keeps it: it is collected.
  seen.ref.deref().close();
  await sleep(50);
  for (let k = 0; k < 20 && !seen.collected; k++) await collect();
  assert.equal(seen.collected, true, 'a closed client was not collected');
});

test('Node: a client waiting to retry is kept, reconnects and hears pushes after gc(); exhausted retries let it go', async () => {
  await server.refuse(0);
  const seen = unreferencedClient({ reconnect: { minDelayMs: 50, maxDelayMs: 50, jitter: 0, maxRetries: 1000 } });
  await collect();
  assert.equal(seen.collected, false, 'a reconnecting client was collected');
  await server.accept();
  await until(() => seen.opens === 1, 'the reconnect');
  await collect();
  server.push(1, '{"push":2}');
  await until(() => seen.messages.length === 1, 'the push');
  seen.ref.deref().close();

  // Retries exhausted: closed by itself, then collectable.
  await server.refuse(0);
  const gone = unreferencedClient({ reconnect: { minDelayMs: 10, maxDelayMs: 10, jitter: 0, maxRetries: 1 } });
  await until(() => gone.ref.deref() === undefined || gone.ref.deref().state === 'closed', 'retries exhausted');
  for (let k = 0; k < 20 && !gone.collected; k++) await collect();
  assert.equal(gone.collected, true, 'a client whose retries ran out was not collected');
  await server.accept();
});

test('Node: a freed client is collected even while its socket was open', async () => {
  const seen = unreferencedClient({});
  await until(() => seen.opens === 1, 'open');
  seen.ref.deref().free();
  for (let k = 0; k < 20 && !seen.collected; k++) await collect();
  assert.equal(seen.collected, true);
});

test('Chromium: an open client nobody references hears pushes after window.gc(); after close() it is collected', { timeout: 120000 }, async () => {
  const out = await resultOfPage({
    page: 'gc-page.html',
    params: { ws: server.url, control: server.controlUrl },
    resultPath: '/gc-result',
    args: ['--js-flags=--expose-gc', '--disable-background-timer-throttling'],
    ms: 100000,
  });
  console.log('Chromium gc page:', JSON.stringify(out));
  assert.equal(out.error, undefined, out.error);
  assert.equal(out.collectedWhileOpen, false, 'an open client was collected');
  assert.deepEqual(out.pushes, [{ push: 'after gc' }]);
  assert.equal(out.collectedAfterClose, true, 'a closed client was not collected');
});
