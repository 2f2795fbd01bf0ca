'use strict';
// The fast path on the built package (src/core/fast_path.rs, src/js/fast_path.js): an open, idle client
// sends and delivers without calling into the module, also after the module's memory has grown (the
// views over it are rebuilt), with a request in flight, and with the heartbeat on, whose ping any frame
// still postpones; `stats` counts every frame. Calls into the module are counted by wrapping the
// instance's exports, as bench/parts/crossings.mjs does.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

let calls = 0;
let memory = null;
const Real = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const inst = new Real(module, imports);
  const exports = {};
  for (const [name, v] of Object.entries(inst.exports)) {
    if (v instanceof WebAssembly.Memory) memory = v;
    exports[name] = typeof v === 'function' ? function (...args) { calls += 1; return v.apply(this, args); } : v;
  }
  return { exports };
};
const { SocketClient } = require(path.join(ROOT, 'pkg'));
WebAssembly.Instance = Real;

// A wx whose SocketTask delivers synchronously and records what it was sent.
function fakeWx() {
  const ctl = { task: null };
  ctl.wx = {
    connectSocket() {
      const l = {};
      const t = {
        sent: [],
        open() { l.open({ header: {} }); },
        message(data) { l.message({ data }); },
        send(o) { t.sent.push(o.data); },
        close() {},
        onOpen(f) { l.open = f; },
        onMessage(f) { l.message = f; },
        onClose(f) { l.close = f; },
        onError(f) { l.error = f; },
      };
      ctl.task = t;
      return t;
    },
  };
  return ctl;
}

function openClient(extra) {
  const wx = fakeWx();
  const client = new SocketClient({ url: 'wss://fast.example/ws', platform: wx.wx, lifecycle: false, ...extra });
  const heard = [];
  client.on('message', (m) => heard.push(m));
  wx.task.open();
  assert.equal(client.state, 'open');
  return { client, task: wx.task, heard };
}

// Calls into the module made by `f`.
function callsOf(f) {
  const before = calls;
  f();
  return calls - before;
}

test('an open client sends and receives without calling into the module, also after memory.grow', () => {
  assert.ok(memory, 'the module exports its memory');
  const { client, task, heard } = openClient();
  const stats0 = client.stats;
  assert.equal(callsOf(() => { for (let i = 0; i < 100; i++) client.send({ i }); }), 0, 'sends');
  assert.equal(callsOf(() => { for (let i = 0; i < 100; i++) task.message(JSON.stringify({ n: i })); }), 0, 'messages');
  const pagesBefore = memory.buffer.byteLength;
  memory.grow(2);
  assert.ok(memory.buffer.byteLength > pagesBefore);
  assert.equal(callsOf(() => { for (let i = 100; i < 150; i++) client.send({ i }); }), 0, 'sends after the memory grew');
  assert.equal(callsOf(() => { for (let i = 100; i < 150; i++) task.message(JSON.stringify({ n: i })); }), 0, 'messages after the memory grew');
  assert.deepEqual(task.sent.map((s) => JSON.parse(s).i), [...Array(150).keys()]);
  assert.deepEqual(heard.map((m) => m.n), [...Array(150).keys()]);
  const s = client.stats;
  assert.equal(s.messagesSent - stats0.messagesSent, 150);
  assert.equal(s.messagesReceived - stats0.messagesReceived, 150);
  assert.equal(s.bytesSent - stats0.bytesSent, task.sent.reduce((n, f) => n + f.length, 0));
  client.close();
  assert.ok(callsOf(() => assert.throws(() => client.send({ late: 1 }), { code: 'CLOSED' })) > 0, 'closed: through the module');
  client.free();
});

test('a request in flight leaves fast receive on; its reply goes through the module and settles it', async () => {
  const { client, task, heard } = openClient();
  const reply = client.request({ method: 'sub' }, { timeoutMs: 60000 });
  const id = JSON.parse(task.sent[task.sent.length - 1]).id;
  assert.equal(callsOf(() => { for (let i = 0; i < 20; i++) task.message(JSON.stringify({ n: i, id: 'other' })); }), 0);
  assert.equal(heard.length, 20, 'frames with other ids are messages');
  assert.ok(callsOf(() => task.message(JSON.stringify({ id, result: 'ok' }))) > 0, 'the reply goes through the module');
  assert.deepEqual(await reply, { id, result: 'ok' });
  assert.equal(heard.length, 20, 'the reply is not a message');
  assert.equal(callsOf(() => task.message(JSON.stringify({ id, again: true }))), 0, 'settled: its id is an ordinary message now');
  assert.equal(heard.length, 21);
  client.close();
  client.free();
});

test('with the heartbeat on, frames on the fast path postpone the ping; silence brings it', async () => {
  // intervalMs 1000: the engine samples the fast path every 100 ms while frames come.
  const { client, task } = openClient({ heartbeat: { intervalMs: 1000, timeoutMs: 5000 } });
  const pings = () => task.sent.filter((s) => s === 'ping').length;
  const started = Date.now();
  let frames = 0;
  let fast = 0;
  while (Date.now() - started < 2500) {
    if (callsOf(() => task.message('{"tick":1}')) === 0) fast += 1;
    frames += 1;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(pings(), 0, 'no ping while frames arrive every 20 ms (interval 1000 ms)');
  assert.ok(fast >= frames * 0.7, `${fast} of ${frames} frames on the fast path`);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(pings(), 1, 'a ping once the interval passed without a frame');
  assert.equal(client.stats.messagesReceived, frames);
  client.close();
  client.free();
});

test('page code that runs inside a call into the module (the logger) sends after what the module has still to send', async () => {
  // Opening flushes the queue: an expired frame is reported (EXPIRED, logged) before the two others are
  // handed to the task. A send from the logger then must not overtake them: the fast path is closed
  // until the module has performed everything.
  const wx = fakeWx();
  let client = null;
  let fromLogger = 0;
  const logger = (level, message, fields) => {
    if (fields && fields.code === 'EXPIRED') fromLogger += client.send({ k: 'from-logger' }) ? 1 : 0;
  };
  client = new SocketClient({ url: 'wss://fast.example/ws', platform: wx.wx, lifecycle: false, logger });
  assert.equal(client.send({ k: 'stale' }, { ttlMs: 1 }), false);
  await new Promise((r) => setTimeout(r, 20));
  client.send({ k: 'q1' });
  client.send({ k: 'q2' });
  wx.task.open();
  assert.equal(fromLogger, 1, 'the logger heard EXPIRED and its send went out at once');
  assert.deepEqual(wx.task.sent.map((s) => JSON.parse(s).k), ['q1', 'q2', 'from-logger']);
  assert.equal(callsOf(() => client.send({ k: 'after' })), 0, 'afterwards the fast path is open again');
  client.close();
  client.free();
});
