'use strict';
// The durable outbox (`queue: { persist: key }`) and message ids (`messageIdField`) on the phone-shaped
// harness, against the real test server (tests/server/server.js, dedup by id): an app killed with messages
// queued, relaunched with the same storage, delivers each exactly once and in order; an app killed after its
// frames went out but before the emptied queue was stored sends them again and the server drops the
// duplicates by id; binary frames survive the relaunch byte for byte; a storage that fails or fills up
// (WeChat: 1 MB per key, 10 MB in all; tests/miniprogram/storage.js) is a STORAGE error event and the page's
// messages still go out while it lives.

const test = require('node:test');
const assert = require('node:assert/strict');
const { prepareExample } = require('./setup.js');
const { MiniProgram, waitFor } = require('./harness.js');
const { PhoneStorage } = require('./storage.js');
const { startServer } = require('../server/server.js');

const KEY = 'chat-outbox';
const FAST_RETRY = { minDelayMs: 50, maxDelayMs: 100, jitter: 0 };

let server;
let ex;
const apps = [];

test.before(async () => {
  server = await startServer({ port: 0 });
  ex = await prepareExample({ serverUrl: server.url });
});

test.after(async () => {
  for (const mp of apps) mp.close();
  if (server) await server.stop();
  if (ex) ex.cleanup();
});

test.beforeEach(async () => {
  await server.reset({ kill: true });
});

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function launch(storage) {
  const mp = await MiniProgram.create(ex.miniprogramRoot, { storage });
  apps.push(mp);
  const w = mp.require('wxsocket');
  await w.init();
  return { mp, w };
}

function client(w, name, extra = {}) {
  const c = new w.SocketClient(Object.assign({
    url: `${server.url}/?dedup=mid&client=${name}`,
    reconnect: FAST_RETRY,
    queue: { persist: KEY },
    messageIdField: 'mid',
  }, extra));
  const errors = [];
  // Attempts refused by the server (CONNECT_FAILED) are expected here; every other error is kept.
  c.on('error', (e) => {
    if (e.code !== 'CONNECT_FAILED') errors.push({ code: e.code, message: e.message, errMsg: e.errMsg });
  });
  return { c, errors };
}

function stored(storage) {
  const text = storage.read(KEY);
  return text === '' ? null : JSON.parse(text);
}

function framesFrom(name) {
  return server.log().connections.filter((c) => c.dedupClient === name).flatMap((c) => c.frames);
}

test('killed with three messages queued, relaunched with the same key: each delivered once, in order, before the new one', async () => {
  const storage = new PhoneStorage();
  await server.refuse();
  const first = await launch(storage);
  const a = client(first.w, 'kill-queued');
  for (const text of ['one', 'two', 'three']) assert.equal(a.c.send({ text }), false, 'queued while the server refuses');
  assert.equal(a.c.queuedCount, 3);
  await waitFor(() => stored(storage) && stored(storage).frames.length === 3, 'the queue in storage', 1500);
  const writesBeforeKill = storage.writes.length;
  assert.ok(writesBeforeKill <= 2, `writes are batched: ${writesBeforeKill} writes for 3 sends`);
  first.mp.kill();
  await server.accept();

  const second = await launch(storage);
  const b = client(second.w, 'kill-queued');
  assert.equal(b.c.queuedCount, 3, 'restored in the constructor');
  b.c.send({ text: 'four' });
  await waitFor(() => server.delivered('kill-queued').messages.length === 4, 'four messages delivered');
  await sleep(100);
  const got = server.delivered('kill-queued').messages;
  assert.deepEqual(got.map((m) => m.text), ['one', 'two', 'three', 'four']);
  assert.deepEqual(got.map((m) => m.mid), [1, 2, 3, 4], 'ids go on after the restored counter');
  assert.equal(framesFrom('kill-queued').filter((f) => f.duplicate).length, 0, 'nothing was sent twice');
  b.c.close();
  b.c.free();
  assert.deepEqual(a.errors.concat(b.errors), []);
  assert.deepEqual(second.mp.errors.map(String), []);
});

test('killed after the frames went out but before the emptied queue was stored: re-sent, and dropped by the server by id', async () => {
  const storage = new PhoneStorage();
  await server.refuse();
  const first = await launch(storage);
  const a = client(first.w, 'kill-sent');
  for (const text of ['x', 'y']) a.c.send({ text });
  await waitFor(() => stored(storage) && stored(storage).frames.length === 2, 'the queue in storage', 1500);
  await server.accept();
  await waitFor(() => server.delivered('kill-sent').messages.length === 2, 'the flush reached the server');
  // Within the second before the engine stores the emptied queue.
  assert.equal(stored(storage).frames.length, 2, 'storage still holds the sent frames');
  first.mp.kill();

  const second = await launch(storage);
  const b = client(second.w, 'kill-sent');
  await waitFor(() => framesFrom('kill-sent').filter((f) => f.duplicate).length === 2, 'the re-sent frames at the server');
  b.c.send({ text: 'z' });
  await waitFor(() => server.delivered('kill-sent').messages.length === 3, 'the new message');
  assert.deepEqual(server.delivered('kill-sent').messages.map((m) => [m.text, m.mid]), [['x', 1], ['y', 2], ['z', 3]]);
  await waitFor(() => stored(storage) && stored(storage).frames.length === 0, 'the emptied queue stored', 1500);
  b.c.close();
  b.c.free();
});

test('a binary frame survives the relaunch byte for byte', async () => {
  const storage = new PhoneStorage();
  await server.refuse();
  const first = await launch(storage);
  const a = client(first.w, 'binary');
  const bytes = new Uint8Array(256).map((_, i) => i);
  a.c.send(bytes.buffer);
  a.c.send({ after: 'binary' });
  await waitFor(() => stored(storage) && stored(storage).frames.length === 2, 'the queue in storage', 1500);
  first.mp.kill();
  await server.accept();
  const second = await launch(storage);
  const b = client(second.w, 'binary');
  await waitFor(() => framesFrom('binary').length === 2, 'both frames at the server');
  const [bin, text] = framesFrom('binary');
  assert.equal(bin.kind, 'binary');
  assert.deepEqual([...Buffer.from(bin.data, 'base64')], [...bytes]);
  assert.deepEqual(JSON.parse(text.data), { after: 'binary', mid: 1 });
  b.c.close();
  b.c.free();
});

test('storage that fails: a STORAGE error event with the platform errMsg; the messages still go out', async () => {
  const storage = new PhoneStorage();
  storage.failWrites('disk io error');
  await server.refuse();
  const { mp, w } = await launch(storage);
  const a = client(w, 'failing');
  a.c.send({ text: 'kept in memory' });
  await waitFor(() => a.errors.length > 0, 'the STORAGE error', 2000);
  assert.equal(a.errors[0].code, 'STORAGE');
  assert.equal(a.errors[0].errMsg, 'setStorage:fail disk io error');
  assert.equal(a.c.queuedCount, 1, 'nothing lost while the page lives');
  await server.accept();
  await waitFor(() => server.delivered('failing').messages.length === 1, 'the message delivered');
  a.c.close();
  a.c.free();
  assert.deepEqual(mp.errors.map(String), []);
});

test('storage that fills up: over 1 MB under one key, and over 10 MB in all, are STORAGE errors', async () => {
  const storage = new PhoneStorage();
  await server.refuse();
  const { w } = await launch(storage);
  const a = client(w, 'full', { queue: { persist: KEY, maxBytes: 4 * 1024 * 1024 } });
  const chunk = 'x'.repeat(300 * 1024);
  for (let i = 0; i < 4; i++) a.c.send({ i, chunk });
  await waitFor(() => a.errors.length > 0, 'the STORAGE error', 2000);
  assert.equal(a.errors[0].code, 'STORAGE');
  assert.match(a.errors[0].errMsg, /1MB per key/);
  assert.equal(a.c.queuedCount, 4);
  a.c.close();
  a.c.free();

  const crowded = new PhoneStorage();
  crowded.write('setStorageSync', 'photos', 'p'.repeat(1000 * 1024));
  for (let i = 0; i < 9; i++) crowded.write('setStorageSync', `photos-${i}`, 'p'.repeat(1000 * 1024));
  const again = await launch(crowded);
  const b = client(again.w, 'crowded');
  b.c.send({ chunk });
  await waitFor(() => b.errors.length > 0, 'the STORAGE error', 2000);
  assert.equal(b.errors[0].code, 'STORAGE');
  assert.match(b.errors[0].errMsg, /10MB/);
  b.c.close();
  b.c.free();
  await server.accept();
});
