// Page code the driver waits on or asks: the url function's promise and `reconnect.shouldReconnect`. What
// comes back goes into the module through the client's sink (a `Sink`, src/platform/sink.rs: one method per
// kind of input, each taking `Date.now()` as read here).

import { describe } from './errors.js';

// What a url function returned, if it is a promise (an object with a then method): settled into the
// sink, and true; false for anything else (no futures executor: mini-programs have no global object for
// one to find).
export function whenSettled(p, sink, task) {
  var then;
  try {
    then = typeof p === 'object' && p !== null ? p.then : undefined;
  } catch (e) {
    return false;
  }
  if (typeof then !== 'function') return false;
  Promise.resolve(p).then(
    function (v) { sink.urlResolved(task, v, Date.now()); },
    function (e) { sink.urlRejected(task, describe(e), Date.now()); }
  );
  return true;
}

// The shouldReconnect option's verdict on a close from the server. One that throws is taken as "yes": a
// bug in it must not strand the client.
export function askShouldReconnect(f, code, reason) {
  try {
    return !!f({ code: code, reason: reason });
  } catch (e) {
    return true;
  }
}

function noop() {}

// A client's sink once the client is gone: its Rust side is freed (at once, or when the call into it that is
// running returns: wasm-bindgen then reports the delay by throwing, which is ignored here), and every method
// of this object does nothing from now on, because old tasks keep calling (a SocketTask cannot remove its
// listeners).
export function releaseSink(sink) {
  try {
    sink.free();
  } catch (inUse) {
    /* freed when the running call returns */
  }
  var proto = Object.getPrototypeOf(sink);
  Object.getOwnPropertyNames(proto).forEach(function (name) {
    if (name !== 'constructor' && typeof proto[name] === 'function') sink[name] = noop;
  });
}
