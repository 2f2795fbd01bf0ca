// Inbound frames, each decoded and classified once, here, as it arrives: the heartbeat's pong, a reply to a
// request (it carries an id), a message, text that is not JSON, or a frame too large to decode. The class
// goes into the module through the client's sink, one method per class, with the decoded value; the module
// decides what happens (a frame from an old task is dropped, a reply settles its request, or is an ordinary
// message when that request is no longer pending) and hands the value back to the client.

import { frameKind, ownBytes, utf8Length } from './codec.js';

// `options`: { text (the text codec), pong (text, or undefined without heartbeat), isPong (function or
// undefined), isError (the `isError` option, or undefined for the JSON-RPC 2.0 test), idField, maxBytes
// (maxMessageBytes), fast (the client's fast path, src/js/fast_path.js), ids (the client's pending requests,
// id -> request handle: the emitter's `ids` for the JS class, src/js/emitter.js, or the Rust client's map,
// src/client.rs) }.
export function Inbound(sink, options) {
  this.sink = sink;
  this.text = options.text;
  this.pong = options.pong;
  this.isPong = options.isPong;
  this.isError = options.isError === undefined ? isErrorReply : guarded(options.isError);
  this.idField = options.idField;
  this.maxBytes = options.maxBytes;
  // The client's fast path (src/js/fast_path.js).
  this.fast = options.fast;
  this.ids = options.ids;
}

export function newInbound(sink, text, pong, isPong, idField, maxBytes, isError, fast, ids) {
  return new Inbound(sink, { text: text, pong: pong, isPong: isPong, isError: isError, idField: idField, maxBytes: maxBytes, fast: fast, ids: ids });
}

// `isError(reply)` as a boolean; one that throws says "an error" (the request rejects with REMOTE_ERROR
// rather than resolving with a reply the page's own test could not vouch for).
function guarded(f) {
  return function (v) {
    try {
      return !!f(v);
    } catch (e) {
      return true;
    }
  };
}

// The default test for error replies: a JSON-RPC 2.0 reply (`jsonrpc: "2.0"`) with an `error` member.
export function isErrorReply(v) {
  return v !== null && typeof v === 'object' && v.jsonrpc === '2.0' && 'error' in v;
}

// A frame of task `task`: a string, an ArrayBuffer, or a typed array or DataView (copied as its own bytes).
// A message the engine lets this side deliver by itself goes out on the fast path (src/js/fast_path.js);
// everything else goes into the module with the clock read here.
Inbound.prototype.frame = function (task, data) {
  var sink = this.sink;
  var value, size;
  var binary = typeof data !== 'string';
  if (!binary) {
    var n = data.length;
    // UTF-8 size is between 1 and 3 bytes per UTF-16 unit: scan only when the bound decides nothing.
    size = n <= this.maxBytes && n * 3 > this.maxBytes ? utf8Length(data) : n;
    if (size > this.maxBytes) return sink.tooLarge(task, size, Date.now());
    if (this.pong !== undefined && data === this.pong) return sink.pong(task, size, Date.now());
    if (this.text) {
      value = data;
    } else {
      try {
        value = JSON.parse(data);
      } catch (ignored) {
        // The text itself goes with the DECODE error (as `raw`); the parser's description does not.
        return sink.undecodable(task, size, data, Date.now());
      }
    }
  } else {
    var kind = frameKind(data);
    // Binary frames are delivered as ArrayBuffer (views from odd platforms are copied); what is neither
    // (a platform bug) is passed on as it is, counted as 0 bytes.
    value = kind === 2 ? ownBytes(data) : data;
    size = kind === 1 || kind === 2 ? value.byteLength : 0;
    if (size > this.maxBytes) return sink.tooLarge(task, size, Date.now());
  }
  if (this.isPong !== undefined && askIsPong(this.isPong, value)) return sink.pong(task, size, Date.now());
  // Both clients keep the ids of their pending requests (id -> handle; numbers and strings are different
  // keys, as in a Map): a frame carrying one is that request's reply, handed in by the request's handle,
  // and never goes on the fast path. Any other frame is a message.
  var id = !binary && value !== null && typeof value === 'object' ? value[this.idField] : undefined;
  var request = id === undefined ? undefined : this.ids.get(id);
  if (request !== undefined) return sink.reply(task, size, request, this.isError(value), value, Date.now());
  if (this.fast.receive(task, size, value)) return;
  return sink.message(task, size, value, Date.now());
};

// `heartbeat.isPong(data)`; one that throws says "no".
function askIsPong(f, value) {
  try {
    return !!f(value);
  } catch (e) {
    return false;
  }
}
