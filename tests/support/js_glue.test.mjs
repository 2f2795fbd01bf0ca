// The package's JavaScript (src/js/*.js), tested directly:
// UTF-8 lengths, frame kinds across realms, request keys, the guard, and the listener registry.
import test from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import * as codec from '../../src/js/codec.js';
import * as requests from '../../src/js/requests.js';
import * as sink from '../../src/js/sink.js';
import * as emitter from '../../src/js/emitter.js';
import * as options from '../../src/js/options.js';
import * as log from '../../src/js/log.js';
import * as stats from '../../src/js/stats.js';
import * as transport from '../../src/js/transport.js';
import * as errors from '../../src/js/errors.js';

// Every file's exports under one name, as the module sees them.
const p = { ...codec, ...requests, ...sink, ...emitter, ...options, ...log, ...stats, ...transport, ...errors };

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

test('requestKey keeps numbers and strings apart and refuses other ids', () => {
  assert.equal(p.requestKey(7), 'n:7');
  assert.equal(p.requestKey('7'), 's:7');
  assert.notEqual(p.requestKey(7), p.requestKey('7'));
  assert.equal(p.requestKey(1.5), 'n:1.5');
  for (const x of [undefined, null, true, {}, []]) assert.equal(p.requestKey(x), undefined);
});

test('a released guard calls nothing', () => {
  const calls = [];
  const g = p.guard((a, b, c, d) => calls.push([a, b, c, d]));
  g(1, 2, 3, 4);
  p.release(g);
  g(5, 6, 7, 8);
  assert.deepEqual(calls, [[1, 2, 3, 4]]);
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
