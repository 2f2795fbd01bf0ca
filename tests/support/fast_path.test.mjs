// src/js/fast_path.js on its own, over a real WebAssembly.Memory: it does only what the lanes allow, counts
// what it did where the module reads it, and keeps doing so after the memory has grown (its views over
// the old buffer are detached then). The offsets are checked against the Rust struct by tests/fast_path.rs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { newFastPath, releaseFastPath } from '../../src/js/fast_path.js';
import { newEmitter } from '../../src/js/emitter.js';

// The block's fields as the module lays them out (src/core/fast_path.rs, FastBlock).
const ADDRESS = 1024;
function block(memory) {
  const u32 = new Uint32Array(memory.buffer, ADDRESS, 2);
  const f64 = new Float64Array(memory.buffer, ADDRESS + 8, 4);
  return {
    publish(send, receive) {
      u32[0] = send;
      u32[1] = receive;
    },
    counters() {
      return { sent: f64[0], sentBytes: f64[1], received: f64[2], receivedBytes: f64[3] };
    },
  };
}

function rig() {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const failed = [];
  const sink = { sendFailed: (task, msg) => failed.push([task, msg]) };
  const emitter = newEmitter();
  const heard = [];
  emitter.on('message', (m) => heard.push(m));
  const fast = newFastPath(memory, ADDRESS, sink, emitter);
  assert.equal(emitter.fast, fast, 'the package finds the fast path through the emitter');
  const sent = [];
  const conn = { send: (d) => sent.push(d) };
  fast.connected(conn, 5);
  return { memory, fast, emitter, heard, sent, failed, conn };
}

test('closed lanes send and deliver nothing; open ones do it and count it', () => {
  const r = rig();
  const b = block(r.memory);
  assert.equal(r.fast.send('abc'), false);
  assert.equal(r.fast.receive(5, 3, 'm'), false);
  b.publish(4, 4); // another task's lanes
  assert.equal(r.fast.send('abc'), false);
  assert.equal(r.fast.receive(5, 3, 'm'), false);
  assert.deepEqual(r.sent, []);
  b.publish(5, 5);
  assert.equal(r.fast.send('abc'), true);
  assert.equal(r.fast.send(new ArrayBuffer(7)), true);
  assert.equal(r.fast.receive(5, 3, 'm'), true);
  assert.equal(r.fast.receive(4, 3, 'old task'), false);
  assert.equal(r.sent.length, 2);
  assert.deepEqual(r.heard, ['m']);
  assert.deepEqual(b.counters(), { sent: 2, sentBytes: 10, received: 1, receivedBytes: 3 });
  b.publish(5, 0); // receive closed (the engine is not sampling)
  assert.equal(r.fast.receive(5, 3, 'n'), false);
  assert.equal(r.fast.send('x'), true);
});

test('a socket that throws on send is reported to the sink, and the frame counts as sent', () => {
  const r = rig();
  block(r.memory).publish(5, 5);
  r.conn.send = () => { throw new Error('socket is closing'); };
  assert.equal(r.fast.send('abc'), true);
  assert.deepEqual(r.failed, [[5, 'socket is closing']]);
  assert.equal(block(r.memory).counters().sent, 1);
});

test('after memory.grow the views are rebuilt: the lanes are read and the counters land in the new buffer', () => {
  const r = rig();
  block(r.memory).publish(5, 5);
  assert.equal(r.fast.send('ab'), true);
  const old = new Uint32Array(r.memory.buffer);
  r.memory.grow(1);
  assert.equal(old.length, 0, 'the old buffer is detached');
  assert.equal(r.fast.send('cde'), true);
  assert.equal(r.fast.receive(5, 4, 'm'), true);
  assert.deepEqual(block(r.memory).counters(), { sent: 2, sentBytes: 5, received: 1, receivedBytes: 4 });
  // A lane closed in the grown memory is seen as closed.
  block(r.memory).publish(0, 0);
  assert.equal(r.fast.send('x'), false);
  assert.equal(r.sent.length, 2);
});

test('two clients share one pair of views; a released one never touches its block again', () => {
  const a = rig();
  const memory = a.memory;
  const emitter = newEmitter();
  const b = newFastPath(memory, ADDRESS + 64, { sendFailed() {} }, emitter);
  const sent = [];
  b.connected({ send: (d) => sent.push(d) }, 9);
  new Uint32Array(memory.buffer, ADDRESS + 64, 1)[0] = 9;
  block(memory).publish(5, 5);
  memory.grow(1);
  assert.equal(a.fast.send('1'), true);
  assert.equal(b.send('2'), true);
  assert.deepEqual([a.sent, sent], [['1'], ['2']]);
  releaseFastPath(a.fast);
  assert.equal(a.fast.send('3'), false);
  assert.equal(a.fast.receive(5, 1, 'm'), false);
  assert.equal(block(memory).counters().sent, 1, 'nothing written after the release');
});
