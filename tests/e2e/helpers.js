'use strict';
// Shared plumbing for the end-to-end suites and the demo: load the built package, the test server and the
// wx-shaped platform; wait for events; read the server's log back into sequence numbers.
//
// Message and request shapes used everywhere:
//   messages: {"k":"m","seq":N}            (echoed by the server)
//   requests: {"id":<client id>,"method":"r","params":{"rseq":N}}   (answered by the server)

const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..', '..');

function loadPackage() {
  return require(path.join(ROOT, 'pkg'));
}

function loadServer() {
  return require(path.join(ROOT, 'tests', 'server', 'server.js'));
}

// The ES modules under tests/ live in directories without "type": "module"; Node warns once when it
// reparses one. The warning is noise here, so it is swallowed for that one import only.
async function importQuietly(file) {
  const original = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const text = String((warning && warning.message) || warning);
    if (/MODULE_TYPELESS_PACKAGE_JSON|Module type of file/.test(text) || rest.some((r) => r === 'MODULE_TYPELESS_PACKAGE_JSON' || (r && r.code === 'MODULE_TYPELESS_PACKAGE_JSON'))) return;
    return original.call(process, warning, ...rest);
  };
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    process.emitWarning = original;
  }
}

/** The wx-shaped platform over npm `ws` (real sockets). */
async function loadWxFactory() {
  return (await importQuietly(path.join(ROOT, 'tests', 'support', 'wx_over_websocket.js'))).wxOverWebSocket;
}

/** The scripted fake `wx` (no sockets; the test moves it). */
async function loadFakeWx() {
  return (await importQuietly(path.join(ROOT, 'tests', 'support', 'fake_wx.js'))).createFakeWx;
}

/** Builds the package (scripts/build-pkg.sh) when pkg/ has none. */
function ensurePackage() {
  if (!fs.existsSync(path.join(ROOT, 'pkg', 'index.cjs'))) {
    execFileSync('bash', [path.join(ROOT, 'scripts', 'build-pkg.sh')], { cwd: ROOT, stdio: 'inherit' });
  }
}

/** Node's `gc()`: the global one under --expose-gc, or one exposed now. */
function gcFunction() {
  if (typeof global.gc === 'function') return global.gc;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

/**
 * The real test server (tests/server/server.js) for the suite of the calling file: started before its
 * tests, stopped after them; `onStart(server)` hears it once it listens.
 */
function withServer(onStart, options = { port: 0 }) {
  const { startServer } = loadServer();
  let server = null;
  test.before(async () => {
    server = await startServer(options);
    onStart(server);
  });
  test.after(async () => {
    if (server) await server.stop();
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolve with the first payload of `event` for which `pred` holds; reject after `ms`. */
function waitEvent(client, event, pred = () => true, ms = 5000) {
  return new Promise((resolve, reject) => {
    let off = null;
    const timer = setTimeout(() => {
      if (off) off();
      reject(new Error(`no '${event}' event within ${ms} ms (state ${client.state})`));
    }, ms);
    off = client.on(event, (payload) => {
      let ok = false;
      try {
        ok = pred(payload);
      } catch (_) {
        ok = false;
      }
      if (!ok) return;
      clearTimeout(timer);
      // unsubscribe outside the dispatch loop
      setImmediate(() => off());
      resolve(payload);
    });
  });
}

/** Poll `cond` every 10 ms until true; reject after `ms`. */
async function waitUntil(cond, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await sleep(10);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Record every event of a client with a timestamp. */
function recorder(client) {
  const t0 = Date.now();
  const events = [];
  for (const name of ['open', 'close', 'reconnecting', 'error', 'state', 'message']) {
    client.on(name, (payload) => events.push({ t: Date.now() - t0, name, payload }));
  }
  return {
    events,
    of(name) {
      return events.filter((e) => e.name === name).map((e) => e.payload);
    },
    /** The events as short names: `state:<to>` and `error:<code>` for those two. */
    names() {
      return events.map((e) => (e.name === 'state' ? `state:${e.payload.to}` : e.name === 'error' ? `error:${e.payload.code}` : e.name));
    },
    clear() {
      events.length = 0;
    },
  };
}

/**
 * Read the server log: every text frame that is one of our messages or requests, in server order
 * (connections in order of opening, frames in order of arrival on each).
 */
function readLog(server) {
  const log = server.log();
  const messages = []; // { seq, conn }
  const requests = []; // { rseq, id, conn }
  const pings = [];
  for (const conn of log.connections) {
    for (const f of conn.frames) {
      if (f.kind !== 'text') continue;
      if (f.data === 'ping') {
        pings.push({ conn: conn.id, t: f.t });
        continue;
      }
      let v;
      try {
        v = JSON.parse(f.data);
      } catch (_) {
        continue;
      }
      if (!v || typeof v !== 'object') continue;
      if (v.k === 'm' && Number.isInteger(v.seq)) messages.push({ seq: v.seq, conn: conn.id, t: f.t });
      else if (v.method === 'r' && v.params && Number.isInteger(v.params.rseq)) {
        requests.push({ rseq: v.params.rseq, id: v.id, conn: conn.id, t: f.t });
      }
    }
  }
  return { log, messages, requests, pings };
}

/**
 * Compare the server's messages with what was sent (seq 0..sent-1).
 * Duplicates: a seq seen more than once anywhere in the log. Order: the seqs in server order (first
 * occurrence) must strictly increase.
 */
function checkMessages(serverMessages, sent) {
  const count = new Map();
  const order = [];
  for (const m of serverMessages) {
    const c = count.get(m.seq) || 0;
    count.set(m.seq, c + 1);
    if (c === 0) order.push(m.seq);
  }
  const missing = [];
  const duplicated = [];
  for (let s = 0; s < sent; s++) {
    const c = count.get(s) || 0;
    if (c === 0) missing.push(s);
    else if (c > 1) duplicated.push(s);
  }
  const unknown = [...count.keys()].filter((s) => s < 0 || s >= sent);
  let outOfOrder = 0;
  for (let i = 1; i < order.length; i++) if (order[i] <= order[i - 1]) outOfOrder += 1;
  return { received: serverMessages.length, distinct: count.size, missing, duplicated, unknown, outOfOrder, count };
}

/** Mulberry32: a small seeded PRNG; `next()` in [0, 1), with `int(n)`, `chance(p)` and `pick(list)` on it. */
function prng(seed) {
  let a = seed >>> 0;
  function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  next.int = (n) => Math.floor(next() * n);
  next.chance = (p) => next() < p;
  next.pick = (list) => list[Math.floor(next() * list.length)];
  return next;
}

/** Assert-friendly: run fn, return the thrown error (or null). */
function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return null;
}

/** Asserts that `err` is a WxSocketError with `code`. */
function assertCode(err, code, label) {
  assert.ok(err, `${label}: nothing was thrown`);
  assert.equal(err.name, 'WxSocketError', `${label}: ${err && err.message}`);
  assert.equal(err.code, code, `${label}: ${err.message}`);
}

/** What `promise` rejects with; a failed assertion if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

/** After the current task's microtasks and one macrotask. */
function nextTick() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

module.exports = {
  ROOT,
  loadPackage,
  loadServer,
  loadWxFactory,
  loadFakeWx,
  importQuietly,
  ensurePackage,
  gcFunction,
  withServer,
  sleep,
  waitEvent,
  waitUntil,
  recorder,
  readLog,
  checkMessages,
  prng,
  thrown,
  assertCode,
  rejection,
  nextTick,
};
