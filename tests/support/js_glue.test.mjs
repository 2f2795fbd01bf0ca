// The package's JavaScript (src/js/*.js), tested directly:
// UTF-8 lengths, frame kinds across realms, request keys, the sink's release, the listener registry, the
// named events.
import test from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import * as codec from '../../src/js/codec.js';
import * as inbound from '../../src/js/inbound.js';
import * as callbacks from '../../src/js/callbacks.js';
import * as emitter from '../../src/js/emitter.js';
import * as log from '../../src/js/log.js';
import * as stats from '../../src/js/stats.js';
import * as transport from '../../src/js/transport.js';
import * as errors from '../../src/js/errors.js';

// Every file's exports under one name, as the module sees them.
const p = { ...codec, ...inbound, ...callbacks, ...emitter,  ...log, ...stats, ...transport, ...errors };

test('utf8Length equals the encoded length, for ASCII, CJK, emoji and lone surrogates', () => {
  const cases = ['', 'abc', '{"a":1}', 'é', '世界', '🌏', 'a\ud800b', '\udc00', 'x'.repeat(5000) + '世', '\u007f\u0080\u07ff\u0800\uffff'];
  for (const s of cases) assert.equal(p.utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
});

test('frameKind recognises strings, ArrayBuffers and views, also from another realm', () => {
  assert.equal(p.frameKind('s'), 0);
  assert.equal(p.frameKind(new ArrayBuffer(2)), 1);
  assert.equal(p.frameKind(new Uint8Array(2)), 2);
  assert.equal(p.frameKind(new DataView(new ArrayBuffer(2))), 2);
  assert.equal(p.frameKind(vm.runInNewContext('new ArrayBuffer(3)')), 1);
  for (const x of [undefined, null, 1, {}, [], { buffer: 1, byteLength: 1, byteOffset: 0 }]) assert.equal(p.frameKind(x), 3);
});

test('ownBytes copies only the view\'s bytes', () => {
  const view = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 3);
  assert.deepEqual([...new Uint8Array(p.ownBytes(view))], [2, 3]);
});

// A fast path whose lanes are closed: every frame goes into the sink.
const CLOSED_FAST_PATH = { receive: () => false };
// No request pending.
const NO_IDS = new Map();

// A sink that records what the classifier fed it.
function recordingSink() {
  const calls = [];
  const rec = (name) => (...args) => calls.push([name, ...args.slice(0, -1)]);
  return { calls, sink: { message: rec('message'), reply: rec('reply'), pong: rec('pong'), undecodable: rec('undecodable'), tooLarge: rec('tooLarge') } };
}

test('inbound frames are classified once: message, reply, error reply, pong, not JSON, too large', () => {
  const { calls, sink } = recordingSink();
  const c = p.newInbound(sink, false, 'pong', undefined, 'id', 40, undefined, CLOSED_FAST_PATH, new Map([[7, 41], [3, 43]]));
  c.frame(1, '{"a":1}');
  c.frame(1, '{"id":7,"ok":1}');
  c.frame(1, '{"id":"7"}');
  c.frame(1, '{"jsonrpc":"2.0","id":3,"error":{}}');
  c.frame(1, '{"id":null}');
  c.frame(2, 'pong');
  c.frame(2, 'nope{');
  c.frame(2, 'x'.repeat(41));
  c.frame(2, '世'.repeat(14));
  assert.deepEqual(calls.map((c) => c.slice(0, 2)), [
    ['message', 1], ['reply', 1], ['message', 1], ['reply', 1], ['message', 1], ['pong', 2], ['undecodable', 2], ['tooLarge', 2], ['tooLarge', 2],
  ]);
  assert.deepEqual(calls[1].slice(2, 5), [15, 41, false]);
  assert.deepEqual(calls[3].slice(3, 5), [43, true], 'a JSON-RPC 2.0 error reply');
  assert.equal(calls[6][3], 'nope{');
  assert.equal(calls[8][2], 42, 'fourteen CJK characters are 42 UTF-8 bytes');
});

test('a frame carrying the id of a pending request is its reply, handed in by the request\'s handle and never on the fast path; other ids are messages', () => {
  const { calls, sink } = recordingSink();
  // What the client keeps (src/js/emitter.js `ids` for the JS class, the Rust client's map in src/client.rs):
  // id -> handle of each pending request.
  const ids = new Map([[7, 41], ['7', 42]]);
  const offered = [];
  // A fast path that would take every message it is offered.
  const fast = { receive: (task, size, value) => { offered.push(value); return false; } };
  const c = p.newInbound(sink, false, 'pong', undefined, 'id', 1024, undefined, fast, ids);
  c.frame(1, '{"id":7,"ok":1}');
  c.frame(1, '{"id":"7"}');
  c.frame(1, '{"jsonrpc":"2.0","id":"7","error":{}}');
  c.frame(1, '{"id":8}');
  c.frame(1, '{"a":1}');
  assert.deepEqual(calls.map((c) => c.slice(0, 2)), [['reply', 1], ['reply', 1], ['reply', 1], ['message', 1], ['message', 1]]);
  assert.deepEqual(calls[0].slice(2, 5), [15, 41, false], 'the number id 7 is request 41');
  assert.deepEqual(calls[1].slice(3, 5), [42, false], 'the string id "7" is request 42, not 41');
  assert.equal(calls[2][4], true, 'a JSON-RPC 2.0 error reply');
  assert.deepEqual(offered, [{ id: 8 }, { a: 1 }], 'only the messages were offered to the fast path');
  // Settled: the id is no longer kept, and its next frame is a message.
  ids.delete(7);
  c.frame(1, '{"id":7}');
  assert.deepEqual(calls[5].slice(0, 1), ['message']);
});

test('inbound binary frames: views are copied to their own bytes and counted; isPong decides on decoded values', () => {
  const { calls, sink } = recordingSink();
  const c = p.newInbound(sink, false, undefined, (v) => v && v.type === 'pong', 'id', 1024, undefined, CLOSED_FAST_PATH, NO_IDS);
  c.frame(1, new Uint8Array([1, 2, 3, 4]).subarray(1, 3));
  c.frame(1, '{"type":"pong"}');
  c.frame(1, vm.runInNewContext('new ArrayBuffer(5)'));
  assert.equal(calls[0][0], 'message');
  assert.equal(calls[0][2], 2);
  assert.deepEqual([...new Uint8Array(calls[0][3])], [2, 3]);
  assert.equal(calls[1][0], 'pong');
  assert.deepEqual(calls[2].slice(0, 3), ['message', 1, 5]);
  const throwing = recordingSink();
  p.newInbound(throwing.sink, true, undefined, () => { throw new Error('bug'); }, 'id', 10, undefined, CLOSED_FAST_PATH, NO_IDS).frame(1, 'hi');
  assert.deepEqual(throwing.calls.map((x) => x[0]), ['message'], 'an isPong that throws says no');
});

test('a released sink is freed once and then answers every call with nothing', () => {
  const calls = [];
  class FakeSink {
    opened(task) { calls.push(['opened', task]); }
    message(task) { calls.push(['message', task]); }
    free() { calls.push(['free']); }
  }
  const s = new FakeSink();
  s.opened(1);
  p.releaseSink(s);
  s.opened(2);
  s.message(2);
  s.free();
  assert.deepEqual(calls, [['opened', 1], ['free']]);
});

test('releaseSink ignores the report of a free delayed by a running call', () => {
  class BusySink { free() { throw new Error('attempted to take ownership of Rust value while it was borrowed'); } opened() {} }
  const s = new BusySink();
  assert.doesNotThrow(() => p.releaseSink(s));
  assert.equal(s.opened(), undefined);
});

test('each event is emitted with its named payload and logged at its level', () => {
  const logged = [];
  const e = p.clientEmitter((level, message, fields) => logged.push([level, message, fields]));
  const got = [];
  for (const ev of ['state', 'open', 'close', 'reconnecting', 'error']) e.on(ev, (x) => got.push([ev, x]));
  e.emitState('connecting', 'open');
  e.emitOpen(2, true, { h: '1' }, 'wss://x/?token=[redacted]');
  e.emitClose(4000, 'bye', false, undefined);
  e.emitReconnecting(3, 1200);
  e.emitError('DECODE', 'not JSON', undefined, 'raw!');
  e.emitError('CONNECT_FAILED', 'failed', 'errMsg text', undefined);
  e.emitError('UNCONFIRMED_LOST', '3 frames lost', undefined, undefined, 3);
  assert.deepEqual(got, [
    ['state', { from: 'connecting', to: 'open' }],
    ['open', { header: { h: '1' }, attempt: 2, reconnected: true }],
    ['close', { code: 4000, reason: 'bye', willReconnect: false, delayMs: null }],
    ['reconnecting', { attempt: 3, delayMs: 1200 }],
    ['error', { code: 'DECODE', message: 'not JSON (see README#errors)', raw: 'raw!' }],
    ['error', { code: 'CONNECT_FAILED', message: 'failed (see README#errors)', errMsg: 'errMsg text' }],
    ['error', { code: 'UNCONFIRMED_LOST', message: '3 frames lost (see README#errors)', count: 3 }],
  ]);
  assert.deepEqual(logged.map((l) => l.slice(0, 2)), [
    ['debug', 'state'], ['info', 'open'], ['info', 'close'], ['info', 'reconnecting'], ['warn', 'not JSON'], ['warn', 'failed'], ['warn', '3 frames lost'],
  ]);
  assert.equal(logged[1][2].url, 'wss://x/?token=[redacted]');
});

test('the emitter: a throwing listener does not stop the others; off, once and unsubscribe', () => {
  const errors = [];
  const e = p.newEmitter((ev, err) => errors.push([ev, err.message]));
  const got = [];
  e.on('message', () => { throw new Error('boom'); });
  const unsub = e.on('message', (x) => got.push(['a', x]));
  e.once('message', (x) => got.push(['once', x]));
  e.emit('message', 1);
  unsub();
  e.emit('message', 2);
  assert.deepEqual(got, [['a', 1], ['once', 1]]);
  assert.deepEqual(errors, [['message', 'boom'], ['message', 'boom']]);
  assert.throws(() => e.on('message', 'not a function'), (err) => err.name === 'WxSocketError' && err.code === 'INVALID_OPTION');
  assert.throws(() => e.on('m', () => {}), (err) => err.name === 'WxSocketError' && err.code === 'INVALID_OPTION' && /unknown event "m"/.test(err.message));
});

test('encodeJson refuses what JSON cannot say; makeError is a WxSocketError', () => {
  for (const v of [undefined, () => 1, Symbol('s'), { n: 1n }]) assert.throws(() => p.encodeJson(v));
  const cyclic = {}; cyclic.self = cyclic;
  assert.throws(() => p.encodeJson(cyclic));
  assert.equal(p.encodeJson({ a: [1, 'é'] }), '{"a":[1,"é"]}');
  const err = p.makeError('TIMEOUT', 'late');
  assert.equal(err.name, 'WxSocketError');
  assert.equal(err.code, 'TIMEOUT');
  assert.ok(err instanceof Error);
});
