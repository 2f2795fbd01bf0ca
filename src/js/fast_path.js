// The fast path's JavaScript side (src/core/fast_path.rs): one client's block of wasm memory, read and
// written by name. The engine publishes there on which task this side may send by itself and which
// task's messages it may deliver by itself; this side adds what it did to the block's counters, which the
// module collects before every call into it and every getter. Nothing here decides anything: a lane
// that is 0, or names another task, means "go through the module".

import { describe as errText } from './errors.js';

// Byte offsets of the fields of `FastBlock` (src/core/fast_path.rs, `FastBlock::FIELDS`; tests/fast_path.rs
// fails if these disagree with the Rust struct).
var SEND_TASK = 0;
var RECEIVE_TASK = 4;
var SENT_MESSAGES = 8;
var SENT_BYTES = 16;
var RECEIVED_MESSAGES = 24;
var RECEIVED_BYTES = 32;

// One pair of views over the module's memory for every client. A view over memory that has grown is
// detached (its length is 0 and every read gives undefined): the first read that finds it so builds the
// pair again over the new buffer.
var memory = null;
var U32 = new Uint32Array(0);
var F64 = new Float64Array(0);
function views() {
  U32 = new Uint32Array(memory.buffer);
  F64 = new Float64Array(memory.buffer);
}

// The block at byte `address` of `mem` (the module's WebAssembly.Memory); `sink` is the client's sink (a
// failed send goes there), `receiver` what delivers messages (the client's emitter: its `message(data)`),
// or undefined where messages go through the module only (the Rust client).
export function FastPath(mem, address, sink, receiver) {
  if (memory !== mem) {
    memory = mem;
    views();
  }
  this.sendTask = (address + SEND_TASK) >> 2;
  this.receiveTask = (address + RECEIVE_TASK) >> 2;
  this.sentMessages = (address + SENT_MESSAGES) >> 3;
  this.sentBytes = (address + SENT_BYTES) >> 3;
  this.receivedMessages = (address + RECEIVED_MESSAGES) >> 3;
  this.receivedBytes = (address + RECEIVED_BYTES) >> 3;
  this.sink = sink;
  this.receiver = receiver === undefined ? null : receiver;
  // The package's send() finds the fast path through the client's emitter (js-shim/api.js).
  if (receiver !== undefined) receiver.fast = this;
  // The latest connection (src/js/transport.js) and its task number; 0: none (or the client is gone).
  this.conn = null;
  this.task = 0;
}

export function newFastPath(mem, address, sink, receiver) {
  return new FastPath(mem, address, sink, receiver);
}

// A connection was made for task `task`.
FastPath.prototype.connected = function (conn, task) {
  this.conn = conn;
  this.task = task;
};

// The client is gone (its block is freed): nothing here is used again.
export function releaseFastPath(f) {
  f.conn = null;
  f.task = 0;
  f.receiver = null;
}

// The lane at u32 index `i`, with the views rebuilt if the memory has grown.
function lane(i) {
  var t = U32[i];
  if (t === undefined) {
    views();
    t = U32[i];
  }
  return t;
}

// Sends `frame` (a string or an ArrayBuffer, as encodeFrame made it) by itself if the engine allows it on
// the latest connection: true when sent (or handed to a socket that failed it, which the sink hears),
// false when the module must take it. The counters are written before the socket runs any code.
FastPath.prototype.send = function (frame) {
  var task = this.task;
  if (lane(this.sendTask) !== task || task === 0) return false;
  F64[this.sentMessages] += 1;
  F64[this.sentBytes] += typeof frame === 'string' ? frame.length : frame.byteLength;
  try {
    this.conn.send(frame);
  } catch (e) {
    this.sink.sendFailed(task, errText(e), Date.now());
  }
  return true;
};

// Delivers message `value` (`size` bytes) of task `task` by itself if the engine allows it: true when
// delivered, false when the module must take it. A reply to a pending request never comes here
// (src/js/inbound.js hands it in by its request's handle). No clock is read: the engine takes the frame
// as proof of life when it collects the counters, within a bound it keeps (src/core/fast_path.rs, "any
// frame is alive").
FastPath.prototype.receive = function (task, size, value) {
  var to = this.receiver;
  if (lane(this.receiveTask) !== task || task === 0 || to === null) return false;
  F64[this.receivedMessages] += 1;
  F64[this.receivedBytes] += size;
  to.message(value);
  return true;
};
