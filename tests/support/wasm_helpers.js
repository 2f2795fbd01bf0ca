// Small helpers for the wasm-bindgen-test suites (Node and Chromium): building option objects,
// recording events, sleeping, reading errors. ES module, no dependencies.

export function options(platform, json) {
  const o = json ? JSON.parse(json) : {};
  o.platform = platform;
  if (o.url === undefined) o.url = 'ws://127.0.0.1:9/ws';
  return o;
}

export function setPath(obj, path, value) {
  const parts = path.split('.');
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    if (typeof o[parts[i]] !== 'object' || o[parts[i]] === null) o[parts[i]] = {};
    o = o[parts[i]];
  }
  o[parts[parts.length - 1]] = value;
  return obj;
}

export function recorder() {
  return { log: [] };
}

export function listener(rec, name) {
  return function (payload) { rec.log.push({ name: name, payload: payload }); };
}

export function throwingListener() {
  return function () { throw new Error('listener failure on purpose'); };
}

export function eventNames(rec) {
  return rec.log.map((e) => e.name).join(',');
}

export function eventsJson(rec, name) {
  return JSON.stringify(rec.log.filter((e) => e.name === name).map((e) => e.payload));
}

export function eventCount(rec, name) {
  return rec.log.filter((e) => e.name === name).length;
}

export function lastEvent(rec, name) {
  const list = rec.log.filter((e) => e.name === name);
  return list.length ? list[list.length - 1].payload : undefined;
}

export function json(v) {
  return JSON.stringify(v);
}

export function parse(s) {
  return JSON.parse(s);
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function errorCode(e) {
  return e && typeof e.code === 'string' ? e.code : '';
}

export function errorName(e) {
  return e && e.name ? String(e.name) : '';
}

export function errorMessage(e) {
  return e && e.message ? String(e.message) : '';
}

// Settles a promise into { ok, value | code } so Rust tests can await rejections.
export function settle(p) {
  return p.then(
    (value) => ({ ok: true, value: value }),
    (e) => ({ ok: false, code: e && e.code, name: e && e.name, message: e && e.message })
  );
}

export function bytes(list) {
  return new Uint8Array(list).buffer;
}

export function subarrayOf(list, start, end) {
  return new Uint8Array(list).subarray(start, end);
}

export function bufferBytes(buf) {
  return Array.from(new Uint8Array(buf)).join(',');
}

export function isArrayBuffer(x) {
  return Object.prototype.toString.call(x) === '[object ArrayBuffer]';
}

export function cyclic() {
  const o = { a: 1 };
  o.self = o;
  return o;
}

export function bigint() {
  return { n: BigInt(1) };
}

export function symbol() {
  return Symbol('s');
}

export function fn() {
  return function () {};
}

export function memoryBytes(memory) {
  return memory.buffer.byteLength;
}

export function get(obj, key) {
  return obj[key];
}

export function urlFunction(url) {
  let calls = 0;
  const f = function () { calls += 1; return url; };
  f.calls = function () { return calls; };
  return f;
}

export function asyncUrlFunction(url) {
  return function () { return Promise.resolve(url); };
}

export function logSink() {
  const lines = [];
  const f = function (level, message, fields) { lines.push(level + ' ' + message + ' ' + JSON.stringify(fields)); };
  f.lines = lines;
  return f;
}

export function logLines(f) {
  return f.lines.join('\n');
}

// Control of the real test server from a page (CORS is open on the control port).
export function control(base, path) {
  return fetch(base + path).then((r) => r.json());
}

export function globalWebSocket() {
  return typeof WebSocket === 'function' ? WebSocket : undefined;
}

// Resolves when `pred()` is true, polling every 5 ms; rejects after `ms`.
export function until(pred, ms) {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      let ok = false;
      try { ok = pred(); } catch (e) { ok = false; }
      if (ok) resolve(Date.now() - start);
      else if (Date.now() - start > ms) reject(new Error('condition not met within ' + ms + ' ms'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

export function nowMs() {
  return Date.now();
}
