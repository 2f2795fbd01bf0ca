// The way back into the module: every callback a platform object can call goes through one long-lived
// "sink" per client, wrapped in a guard. After `release()`, late calls from old tasks (a SocketTask has no
// off* methods) do nothing instead of reaching freed WebAssembly closures. Also here: the client's one timer
// and the clock, read on this side and passed in (one call out of the module less per event).

import { describe } from './errors.js';
import { beginCall, endCall } from './emitter.js';

// Sink call kinds, as src/platform/mod.rs reads them.
export var OPEN = 0, MESSAGE = 1, CLOSE = 2, ERROR = 3, SEND_FAILED = 4, HIDE = 5, SHOW = 6, NETWORK = 7, TIMER = 8,
  URL_OK = 9, URL_FAILED = 10;

export function guard(fn) {
  var f = fn;
  // A message's frameLength comes as `e` (NaN elsewhere).
  // A call into the module: the events it produces are delivered when it returns (emitter.js).
  var g = function (a, b, c, d, e) {
    if (f === null) return;
    beginCall();
    try {
      f(a, b, c, d, Date.now(), e);
    } finally {
      endCall();
    }
  };
  g.release = function () { f = null; };
  return g;
}

export function release(g) {
  if (g && typeof g.release === 'function') g.release();
}

// What a url function returned, if it is a promise (an object with a then method): settled into the
// sink, and true; false for anything else (no futures executor: mini-programs have no global object for
// one to find).
export function whenSettled(p, sink, gen) {
  var then;
  try {
    then = typeof p === 'object' && p !== null ? p.then : undefined;
  } catch (e) {
    return false;
  }
  if (typeof then !== 'function') return false;
  Promise.resolve(p).then(
    function (v) { sink(gen, URL_OK, v); },
    function (e) { sink(gen, URL_FAILED, describe(e)); }
  );
  return true;
}

// One timer per client, on the global setTimeout (mini-programs and Node have no window).
export function timerSet(sink, ms) {
  return setTimeout(function () { sink(0, TIMER); }, ms);
}

export function timerClear(h) {
  clearTimeout(h);
}

export function now() {
  return Date.now();
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
