'use strict';
// The re-entrancy fuzzer: seeded random sequences in which page code — listeners, `shouldReconnect`,
// `heartbeat.isPong`, a `url` function and the logger — calls random client methods (send, sendRaw, request,
// close, reconnect, free, Symbol.dispose, on, once, off, the getters) at random points, while a script plays
// the platform (the scripted fake wx: open, frames, replies, closes, errors, late callbacks from old tasks,
// app hide/show, network) or a real server (tests/server/server.js through npm ws). Checked per sequence:
// - no trap: no RuntimeError (or any other plain Error) out of the package: every throw and every rejection
//   is a WxSocketError with a code, and a platform callback never throws;
// - every request settles, once, and a resolved request got the reply carrying its own id;
// - one `close` event per close() that took effect (each close() has its own reason), none for one that
//   did not (already closed, bad arguments);
// - each listener hears state events as a chain (from = the previous to), and at rest the last `to` is
//   `state`; nothing is heard after free();
// and over a run: the JS values the module holds and the live closures back to their level.
//
// Library: runFake(seed), runReal(seed, server, WebSocket) → { violations, calls, steps, trace }.
// CLI (replay or a long run): node tests/reentry/fuzzer.js [--sequences N] [--real N] [--seed S] [--trace]
//   --seed S --trace   replays one sequence and prints what happened, step by step.

const path = require('node:path');
const { ROOT, importQuietly, gcFunction, prng } = require('../e2e/helpers.js');

// The package under test: pkg/, or another build (REENTRY_PKG=dir), e.g. to see what the fuzzer finds in an older one.
const PKG = process.env.REENTRY_PKG ? path.resolve(process.env.REENTRY_PKG) : path.join(ROOT, 'pkg');
const EVENTS = ['open', 'message', 'close', 'reconnecting', 'error', 'state'];
// Page-code calls one sequence may make in all: listeners that call reconnect() from every state event
// would otherwise go on for ever, as they would in a page.
const CALL_BUDGET = 60;
// The query string of every URL here: it must never reach an event or the logger.
const SECRET = 'token=s3cr3t';
const PARALLEL = 64;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function isTyped(err) {
  return !!err && err.name === 'WxSocketError' && typeof err.code === 'string' && err.code.length > 0;
}

function describe(err) {
  return err && err.stack ? String(err.stack).split('\n').slice(0, 3).join(' | ') : String(err);
}

// What send() and request() are given: mostly ordinary data, sometimes what must be refused.
function randomData(r) {
  switch (r.int(12)) {
    case 0: return 'text ' + r.int(100);
    case 1: return new Uint8Array(r.int(40)).subarray(1);
    case 2: return new ArrayBuffer(r.int(16));
    case 3: return new DataView(new ArrayBuffer(8), 2, 4);
    case 4: return typeof Blob === 'function' ? new Blob(['b']) : { blob: false };
    case 5: { const o = { self: null }; o.self = o; return o; }
    case 6: return BigInt(r.int(5));
    case 7: return undefined;
    case 8: return Object.freeze({ frozen: r.int(9) });
    case 9: return new Date(r.int(1000));
    case 10: return 'x'.repeat(r.int(3) * 300);
    default: return { k: 'm', n: r.int(1000) };
  }
}

/**
 * One sequence's page side: the client, its hooks (which call random methods), and the checks.
 * `platformStep(ctx)` plays the platform once (returns false when it has nothing to do).
 */
function makeSequence(seed, SocketClient, setup) {
  const r = prng(seed);
  const trace = [];
  const violations = [];
  const ctx = {
    r,
    trace,
    violations,
    client: null,
    freed: false,
    userClosed: false,
    calls: 0,
    budget: CALL_BUDGET,
    requests: [],
    closeReasons: new Map(), // reason → { expected: 0 | 1, heard: n }
    closeCounter: 0,
    listeners: [],
    // The main recorder's view of the state chain.
    lastTo: null,
    heardAfterFree: 0,
  };
  const note = (s) => { if (trace.length < 400) trace.push(s); };
  const violate = (what) => {
    violations.push(what);
    note('VIOLATION ' + what);
  };
  ctx.note = note;
  ctx.violate = violate;

  // A call into the package from page code: any throw must be typed.
  function guarded(label, f) {
    ctx.calls += 1;
    try {
      return f();
    } catch (e) {
      if (!isTyped(e)) violate(`${label} threw a plain error: ${describe(e)}`);
      else note(`  ${label} → ${e.code}`);
      return undefined;
    }
  }

  function trackRequest(p, data, label) {
    const entry = { label, settled: 0, data, id: undefined };
    ctx.requests.push(entry);
    if (data !== null && typeof data === 'object' && !Object.isFrozen(data)) entry.id = data.id;
    if (!p || typeof p.then !== 'function') {
      violate(`${label} returned no promise`);
      entry.settled = 1;
      return;
    }
    p.then(
      (reply) => {
        entry.settled += 1;
        if (!reply || reply.id !== entry.id) violate(`${label} (id ${entry.id}) resolved with a reply for id ${reply && reply.id}`);
      },
      (e) => {
        entry.settled += 1;
        if (!isTyped(e)) violate(`${label} rejected with a plain error: ${describe(e)}`);
      }
    );
  }

  // One random page-code action on the client (from the script or from a hook).
  function act(where) {
    const c = ctx.client;
    if (c === null || ctx.budget <= 0) return;
    ctx.budget -= 1;
    const k = r.int(100);
    if (k < 22) {
      const d = randomData(r);
      note(`${where}: send(${typeof d})`);
      guarded('send', () => c.send(d));
    } else if (k < 27) {
      const d = randomData(r);
      note(`${where}: sendRaw(${typeof d})`);
      guarded('sendRaw', () => c.sendRaw(d));
    } else if (k < 42) {
      let d;
      const pending = ctx.requests.filter((q) => q.settled === 0 && q.id !== undefined);
      if (r.chance(0.15) && pending.length) d = { id: r.pick(pending).id, method: 'dup' };
      else if (r.chance(0.2)) d = { id: r.chance(0.5) ? r.int(5) : 'u' + r.int(5), method: 'user' };
      else if (r.chance(0.1)) d = r.chance(0.5) ? randomData(r) : r.pick([{ id: NaN }, Object.defineProperty({}, 'id', { value: 1 }), Object.create({ id: 2 })]);
      else d = { method: 'auto' };
      const opts = r.chance(0.2) ? { timeoutMs: r.pick([1, 5, 20, 0, -1, NaN, 'x']) } : undefined;
      note(`${where}: request(${d && typeof d === 'object' ? JSON.stringify(Object.keys(d)) : typeof d})`);
      const p = guarded('request', () => c.request(d, opts));
      if (p !== undefined) trackRequest(p, d, `request#${ctx.requests.length}`);
    } else if (k < 52) {
      const bad = r.chance(0.1);
      const code = bad ? r.pick([1005, 2999, 70000, 1.5]) : r.pick([1000, 3000, 4000, 4999]);
      ctx.closeCounter += 1;
      const reason = bad && r.chance(0.5) ? 'r'.repeat(200) : 'c' + seed + '.' + ctx.closeCounter;
      // A close() takes effect once per closing: not after an earlier close() (until reconnect()), not
      // after free(), not with bad arguments.
      const effective = !ctx.freed && !ctx.userClosed && !bad;
      note(`${where}: close(${code}, ${reason.length > 20 ? 'long' : reason}) effective=${effective}`);
      // Noted before the call: page code it runs (the logger) may call reconnect() or free() meanwhile.
      if (effective) ctx.userClosed = true;
      if (!ctx.closeReasons.has(reason)) ctx.closeReasons.set(reason, { expected: effective ? 1 : 0, heard: 0, where });
      guarded('close', () => c.close(code, reason));
      // From the script or a listener (no call into the module below), close() returns after its close
      // event, once the constructor's events are out and unless free() came meanwhile.
      const entry = ctx.closeReasons.get(reason);
      if (effective && ctx.holdOver && !ctx.freed && (where === 'script' || where.startsWith('listener')) && entry.heard !== 1) {
        violate(`close() from ${where} returned before its close event`);
      }
    } else if (k < 60) {
      note(`${where}: reconnect()`);
      if (!ctx.freed) ctx.userClosed = false;
      guarded('reconnect', () => c.reconnect());
    } else if (k < 63) {
      note(`${where}: free()`);
      ctx.freed = true;
      ctx.freedBy = where;
      guarded('free', () => c.free());
    } else if (k < 64 && typeof Symbol.dispose === 'symbol') {
      note(`${where}: [Symbol.dispose]()`);
      ctx.freed = true;
      ctx.freedBy = where;
      guarded('dispose', () => c[Symbol.dispose]());
    } else if (k < 76) {
      const ev = r.chance(0.05) ? 'bogus' : r.pick(EVENTS);
      const once = r.chance(0.3);
      const fn = hookListener(ev);
      note(`${where}: ${once ? 'once' : 'on'}(${ev})`);
      const off = guarded(once ? 'once' : 'on', () => (once ? c.once(ev, fn) : c.on(ev, fn)));
      if (typeof off === 'function') ctx.listeners.push({ ev, fn, off });
    } else if (k < 84) {
      if (ctx.listeners.length === 0) return;
      const l = ctx.listeners.splice(r.int(ctx.listeners.length), 1)[0];
      note(`${where}: off(${l.ev})`);
      if (r.chance(0.5)) guarded('off', () => c.off(l.ev, l.fn));
      else guarded('unsubscribe', () => l.off());
    } else {
      const g = r.pick(['state', 'retryCount', 'queuedCount', 'bufferedAmount', 'url', 'stats']);
      guarded(g, () => c[g]);
    }
  }
  ctx.act = act;

  // Page code in a hook: now and then one or two actions.
  function hook(where, p) {
    if (ctx.client !== null && r.chance(p)) {
      act(where);
      if (r.chance(0.3)) act(where);
    }
  }
  ctx.hook = hook;

  function hookListener(ev) {
    return function (payload) {
      if (ctx.freed) ctx.heardAfterFree += 1;
      void payload;
      hook('listener(' + ev + ')', 0.5);
    };
  }

  const options = setup(r, ctx);
  const userLogger = options.logger;
  options.logger = function (level, message, fields) {
    // A listener that threw is reported here: hooks never throw, so this is the package's own error.
    if (message === 'a listener threw') violate(`a listener threw: ${JSON.stringify(fields)}`);
    if ((message + JSON.stringify(fields)).includes(SECRET)) violate(`the logger saw the URL's query: ${message} ${JSON.stringify(fields)}`);
    if (userLogger) userLogger(level, message, fields);
  };
  ctx.options = options;

  ctx.start = function () {
    note(`new SocketClient(${JSON.stringify(Object.keys(options))})`);
    let c = null;
    try {
      c = new SocketClient(options);
    } catch (e) {
      if (!isTyped(e)) violate(`the constructor threw a plain error: ${describe(e)}`);
      else note(`  constructor → ${e.code}`);
      return false;
    }
    ctx.client = c;
    ctx.stateAfterConstructor = c.state;
    // Scheduled after the constructor's own timer: when it runs, the constructor's events are out.
    setTimeout(() => { ctx.holdOver = true; }, 0);
    // The recorder: the state chain, the close events by reason, nothing after free().
    c.on('state', (e) => {
      if (ctx.freed) ctx.heardAfterFree += 1;
      if (ctx.lastTo !== null && e.from !== ctx.lastTo) violate(`state chain broken: ${ctx.lastTo} then ${e.from}→${e.to}`);
      ctx.lastTo = e.to;
      note(`  state ${e.from}→${e.to}`);
    });
    c.on('close', (e) => {
      if (ctx.freed) ctx.heardAfterFree += 1;
      if (String(e.reason).includes(SECRET)) violate(`a close event carries the URL's query: ${e.reason}`);
      note(`  close ${e.code} ${e.reason} willReconnect=${e.willReconnect}`);
      const entry = ctx.closeReasons.get(e.reason);
      if (entry) entry.heard += 1;
    });
    for (const ev of ['open', 'message', 'reconnecting', 'error']) {
      c.on(ev, (p) => {
        if (ctx.freed) ctx.heardAfterFree += 1;
        note(`  ${ev}${ev === 'error' ? ' ' + p.code : ''}`);
        if (ev === 'error') ctx.errorsHeard = (ctx.errorsHeard || 0) + 1;
        // A retry is announced right after the state event to 'waiting' (a close() meanwhile withdraws it).
        if (ev === 'reconnecting' && !ctx.freed && ctx.lastTo !== 'waiting') violate(`a reconnecting event heard after the state went to ${ctx.lastTo}`);
        if (ev === 'error' && JSON.stringify(p).includes(SECRET)) violate(`an error event carries the URL's query: ${JSON.stringify(p)}`);
      });
    }
    // Page code's own listeners.
    for (let i = r.int(4); i > 0; i--) {
      const ev = r.pick(EVENTS);
      const fn = hookListener(ev);
      ctx.listeners.push({ ev, fn, off: c.on(ev, fn) });
    }
    return true;
  };

  // At rest (nothing running): the checks that hold between steps.
  ctx.checkAtRest = function (label) {
    const c = ctx.client;
    if (c === null || ctx.freed) return;
    let state;
    try {
      state = c.state;
    } catch (e) {
      violate(`state threw at rest: ${describe(e)}`);
      return;
    }
    if (ctx.lastTo !== null && ctx.lastTo !== state) violate(`${label}: the last state event said ${ctx.lastTo}, state is ${state}`);
  };

  // The end: free(), then every request settled once, each effective close() heard once.
  ctx.finish = async function () {
    const c = ctx.client;
    // Events held since the constructor (a first attempt that failed at once) are delivered a macrotask on.
    await sleep(0);
    const failedAtOnce = ctx.stateAfterConstructor === 'waiting' || (ctx.stateAfterConstructor === 'closed' && !ctx.options.startClosed);
    if (c !== null && failedAtOnce && !(ctx.freed && ctx.freedBy !== 'end') && !ctx.errorsHeard) {
      violate(`the first attempt failed in the constructor (state ${ctx.stateAfterConstructor}) and no error event was heard`);
    }
    if (c !== null && !ctx.freed) {
      ctx.freed = true;
      ctx.freedBy = 'end';
      guarded('free (end)', () => c.free());
    }
    await Promise.resolve();
    await sleep(0);
    for (const q of ctx.requests) {
      if (q.settled !== 1) violate(`${q.label} settled ${q.settled} times`);
    }
    for (const [reason, e] of ctx.closeReasons) {
      // A close() made while the module was running page code (a hook inside it) may be heard later;
      // free() may come first. Heard more often than expected is always wrong.
      if (e.heard > e.expected) violate(`close(${reason}) from ${e.where}: ${e.heard} close events, expected ${e.expected}`);
      if (e.expected === 1 && e.heard === 0 && e.where === 'script' && ctx.freedBy === 'end') violate(`close(${reason}) from the script: no close event before free()`);
    }
    if (ctx.heardAfterFree > 0) violate(`${ctx.heardAfterFree} listener calls after free()`);
  };
  return ctx;
}

// Options and hooks common to both platforms.
function commonOptions(r, ctx) {
  const o = {};
  if (r.chance(0.3)) o.reconnect = false;
  else {
    o.reconnect = {
      minDelayMs: r.pick([0, 1, 2]),
      maxDelayMs: r.pick([2, 5]),
      jitter: 0,
      maxRetries: r.pick([0, 1, 3, Infinity]),
    };
    if (r.chance(0.6)) {
      o.reconnect.shouldReconnect = (e) => {
        ctx.note(`  shouldReconnect(${e.code})`);
        ctx.hook('shouldReconnect', 0.5);
        if (r.chance(0.1)) throw new Error('a predicate with a bug');
        return r.chance(0.7);
      };
    }
  }
  if (r.chance(0.3)) {
    o.heartbeat = { intervalMs: r.pick([1, 3, 10]), timeoutMs: r.pick([2, 20]) };
    if (r.chance(0.5)) {
      o.heartbeat.isPong = (m) => {
        ctx.hook('isPong', 0.3);
        return m === 'pong' || (m && m.pong === true);
      };
    }
  }
  if (r.chance(0.2)) o.codec = 'text';
  if (r.chance(0.3)) o.maxMessageBytes = r.pick([8, 64, 1024]);
  if (r.chance(0.3)) o.requestTimeoutMs = r.pick([1, 5, 50]);
  if (r.chance(0.2)) o.queue = { maxMessages: r.pick([0, 1, 3]), overflow: r.pick(['error', 'drop-oldest', 'drop-newest']) };
  if (r.chance(0.1)) o.startClosed = true;
  if (r.chance(0.4)) o.logger = () => ctx.hook('logger', 0.05);
  return o;
}

function urlOption(r, ctx, url) {
  if (!r.chance(0.3)) return url;
  return () => {
    ctx.note('  url()');
    ctx.hook('url function', 0.4);
    const k = r.int(10);
    if (k === 0) throw new Error('no token');
    if (k === 1) return 42;
    if (k === 2) return Promise.resolve(url);
    if (k === 3) return Promise.reject(new Error('token service down'));
    return url;
  };
}

/** One sequence over the scripted fake wx. */
async function runFake(seed, SocketClient, createFakeWx) {
  const fake = createFakeWx();
  const ctx = makeSequence(seed, SocketClient, (r, c) => {
    const o = commonOptions(r, c);
    o.url = urlOption(r, c, 'wss://fuzz.test/s?' + SECRET);
    o.platform = fake.wx;
    return o;
  });
  const { r, note, violate } = ctx;
  ctx.start();
  const steps = 10 + r.int(24);
  // Replies and duplicates for what the client sent.
  const replyFor = (task) => {
    for (let i = task.sent.length - 1; i >= 0; i--) {
      const f = task.sent[i];
      if (typeof f !== 'string') continue;
      try {
        const v = JSON.parse(f);
        if (v && typeof v === 'object' && v.id !== undefined) return JSON.stringify({ id: v.id, result: 'r' });
      } catch (e) { /* not JSON */ }
    }
    return null;
  };
  for (let s = 0; s < steps; s++) {
    const task = fake.lastTask();
    const k = r.int(100);
    // The platform's side; a throw out of a platform callback is a violation.
    const platform = (label, f) => {
      note(`platform: ${label}`);
      try {
        f();
      } catch (e) {
        violate(`platform ${label} threw: ${describe(e)}`);
      }
    };
    if (k < 35) {
      ctx.act('script');
    } else if (task && task.state === 'connecting' && k < 55) {
      platform('open', () => task.serverOpen({}));
    } else if (task && task.state === 'open' && k < 70) {
      const frame = r.pick([
        () => replyFor(task) || '{"push":1}',
        () => replyFor(task) || 'pong',
        () => '{"push":' + r.int(9) + '}',
        () => 'pong',
        () => '{"pong":true}',
        () => 'not json {',
        () => new Uint8Array(r.int(100)),
        () => 'y'.repeat(r.int(2000)),
        () => '"' + 'é'.repeat(r.int(40)) + '"',
      ])();
      platform('message', () => task.serverMessage(frame));
    } else if (task && (task.state === 'open' || task.state === 'connecting' || task.state === 'closing') && k < 78) {
      const code = r.pick([1000, 1006, 4000, 4001, 1011]);
      platform(`close ${code}`, () => task.serverClose(code, 'server'));
    } else if (task && task.state !== 'closed' && k < 82) {
      platform('error', () => task.serverError('boom ' + 'wss://fuzz.test/s?' + SECRET));
    } else if (k < 86 && fake.tasks.length > 1) {
      const old = fake.tasks[r.int(fake.tasks.length - 1)];
      platform('late callback', () => old.fireLate(r.pick(['open', 'message', 'close', 'error'])));
    } else if (k < 90) {
      const w = r.int(3);
      platform(['hide', 'show', 'network'][w], () => {
        if (w === 0) fake.hide();
        else if (w === 1) fake.show();
        else fake.setNetwork(r.chance(0.6));
      });
    } else {
      note('tick');
      await sleep(r.int(3));
    }
    ctx.checkAtRest(`after step ${s}`);
  }
  await sleep(1);
  ctx.checkAtRest('at the end');
  await ctx.finish();
  return { violations: ctx.violations, calls: ctx.calls, steps, trace: ctx.trace };
}

/** One sequence over a real socket to the test server. */
async function runReal(seed, SocketClient, server, WebSocket) {
  const ctx = makeSequence(seed, SocketClient, (r, c) => {
    const o = commonOptions(r, c);
    o.url = urlOption(r, c, server.url + '/s?' + SECRET);
    o.platform = WebSocket;
    return o;
  });
  const { r, note } = ctx;
  ctx.start();
  const steps = 6 + r.int(10);
  for (let s = 0; s < steps; s++) {
    const k = r.int(100);
    if (k < 45) ctx.act('script');
    else if (k < 60) {
      note('server: push');
      server.push(1 + r.int(3), r.pick(['{"push":{i}}', 'pong', 'not json']));
    } else if (k < 68) {
      note('server: close');
      server.closeAll(r.pick([1000, 4000, 4001, 1011]), 'server');
    } else if (k < 72) {
      note('server: kill');
      server.kill();
    }
    note('wait');
    await sleep(2 + r.int(15));
    ctx.checkAtRest(`after step ${s}`);
  }
  await sleep(20);
  ctx.checkAtRest('at the end');
  await ctx.finish();
  return { violations: ctx.violations, calls: ctx.calls, steps, trace: ctx.trace };
}

async function run({ sequences, real, firstSeed, gc, log }) {
  const { capture } = await importQuietly(path.join(ROOT, 'tests', 'leak', 'measure.mjs'));
  const probe = capture();
  const { SocketClient } = require(PKG);
  const { createFakeWx } = await importQuietly(path.join(ROOT, 'tests', 'support', 'fake_wx.js'));
  const WebSocket = require('ws');
  const { startServer } = require(path.join(ROOT, 'tests', 'server', 'server.js'));
  const failures = [];
  let calls = 0;
  let steps = 0;
  const uncaught = [];
  const onUncaught = (e) => uncaught.push(describe(e));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const settle = async () => {
    for (let k = 0; k < 3; k++) {
      await sleep(5);
      gc();
    }
  };
  const t0 = Date.now();
  // A warm-up, so that the reading before is taken with the caches filled.
  for (let i = 0; i < 50; i++) await runFake(0x7fff0000 + i, SocketClient, createFakeWx);
  await settle();
  const before = probe.stats(false);
  // The reading is live: one client holds JS values, which its free() gives back.
  const witness = new SocketClient({ url: 'wss://fuzz.test/witness', platform: createFakeWx().wx });
  const withOne = probe.stats(false);
  witness.free();
  const record = (kind, seed, out) => {
    calls += out.calls;
    steps += out.steps;
    if (out.violations.length) failures.push({ kind, seed, violations: out.violations.slice(0, 5) });
  };
  // Sequences on the fake run PARALLEL at a time (each with its own fake and client; they only interleave
  // where they wait for a timer), sequences on real sockets one at a time.
  for (let i = 0; i < sequences; i += PARALLEL) {
    const batch = [];
    for (let j = i; j < Math.min(sequences, i + PARALLEL); j++) {
      const seed = firstSeed + j;
      batch.push(runFake(seed, SocketClient, createFakeWx).then((out) => record('fake', seed, out)));
    }
    await Promise.all(batch);
    if (log && Math.floor((i + PARALLEL) / 10000) > Math.floor(i / 10000)) {
      log(`${Math.min(sequences, i + PARALLEL)} sequences, ${failures.length} failing, ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  }
  const fakeMs = Date.now() - t0;
  let server = null;
  const t1 = Date.now();
  if (real > 0) {
    server = await startServer({ port: 0 });
    try {
      for (let i = 0; i < real; i++) {
        const seed = firstSeed + sequences + i;
        record('real', seed, await runReal(seed, SocketClient, server, WebSocket));
      }
    } finally {
      await server.stop();
    }
  }
  const realMs = Date.now() - t1;
  await settle();
  await settle();
  const after = probe.stats(false);
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  return {
    sequences,
    real,
    calls,
    steps,
    failures,
    uncaught,
    fakeMs,
    realMs,
    ms: Date.now() - t0,
    refsIn: before.refsIn,
    withOneClient: withOne.liveRefs,
    before: { liveRefs: before.liveRefs, liveClosures: before.liveClosures },
    after: { liveRefs: after.liveRefs, liveClosures: after.liveClosures },
  };
}

function summary(out) {
  return `reentry fuzzer: ${out.sequences} sequences on the fake wx in ${(out.fakeMs / 1000).toFixed(1)} s, ` +
    `${out.real} on real sockets in ${(out.realMs / 1000).toFixed(1)} s; ` +
    `${(out.calls / (out.sequences + out.real)).toFixed(1)} page-code calls and ${(out.steps / (out.sequences + out.real)).toFixed(1)} steps per sequence ` +
    `(${out.calls} calls); JS values held (${out.refsIn}) ${out.before.liveRefs} → ${out.after.liveRefs}, live closures ${out.before.liveClosures} → ${out.after.liveClosures}; ` +
    `${out.failures.length} failing sequences`;
}

async function main(argv) {
  const arg = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const seed = arg('--seed', undefined);
  if (seed !== undefined) {
    // Replay one sequence with its trace.
    const { SocketClient } = require(PKG);
    const kind = arg('--kind', 'fake');
    let out;
    if (kind === 'real') {
      const { startServer } = require(path.join(ROOT, 'tests', 'server', 'server.js'));
      const server = await startServer({ port: 0 });
      try {
        out = await runReal(Number(seed), SocketClient, server, require('ws'));
      } finally {
        await server.stop();
      }
    } else {
      const { createFakeWx } = await importQuietly(path.join(ROOT, 'tests', 'support', 'fake_wx.js'));
      out = await runFake(Number(seed), SocketClient, createFakeWx);
    }
    if (argv.includes('--trace')) console.log(out.trace.join('\n'));
    console.log(`seed ${seed} (${kind}): ${out.steps} steps, ${out.calls} calls, ${out.violations.length} violations`);
    for (const v of out.violations) console.log('  ' + v);
    process.exitCode = out.violations.length ? 1 : 0;
    return;
  }
  const out = await run({
    sequences: Number(arg('--sequences', 10000)),
    real: Number(arg('--real', 100)),
    firstSeed: Number(arg('--first-seed', 1)),
    gc: gcFunction(),
    log: (s) => console.log(s),
  });
  console.log(summary(out));
  for (const f of out.failures.slice(0, 20)) {
    console.log(`FAILED seed ${f.seed} (${f.kind}): ${f.violations.join(' ; ')}\n  replay: node tests/reentry/fuzzer.js --seed ${f.seed} --kind ${f.kind} --trace`);
  }
  for (const u of out.uncaught.slice(0, 5)) console.log('uncaught: ' + u);
  process.exitCode = out.failures.length || out.uncaught.length ? 1 : 0;
}

module.exports = { runFake, runReal, run, summary, gcFunction, prng };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
