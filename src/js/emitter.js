// The listener registry of one client (`on`, `once`, `off`, emit over a snapshot) and its pending requests'
// promises.

import { makeError, describe as errText, SEE_ERRORS } from './errors.js';
import { callLogger } from './log.js';

// The listener registry of one client, and its pending requests' promises. A listener that throws does
// not stop the others; the error goes to `onListenerError` (the logger, or console.error).
export function Emitter(onListenerError) {
  this.l = {};
  this.e = onListenerError;
  this.logger = null;
  // Request handle -> [resolve, reject, id], and id -> handle for the pending requests (a frame carrying one
  // is its reply, handed into the module by its handle: src/js/inbound.js).
  this.r = {};
  this.ids = new Map();
  // The client's fast path (src/js/fast_path.js), which links itself here when it is made.
  this.fast = null;
  // Events not delivered yet, as name, payload, name, payload, …
  this.q = [];
  // The event being delivered (its name `dn` and payload `dp`): its listeners as they were when its delivery
  // began, and the index of the next one. Also `held` (until page code can have listeners: `started`) and
  // `gone` (freed: `dispose`), both false until set.
  this.dl = NONE;
  this.di = 0;
  // The client while it is connecting, open or waiting to retry: reachable from here, as the module holds
  // this emitter, so the garbage collector cannot close a live connection. js-shim/api.js sets it when the
  // client starts (the constructor, reconnect()); a state event to 'closed' clears it, and so does free().
  this.alive = null;
}
var NONE = [];

// ---------- delivery (docs/contract.md, "Re-entrancy and lifetimes") ----------
// No listener runs while a call into the module is on the stack: an event is queued on its emitter and
// delivered when the outermost call returns (`endCall` with `calls` back at 0). Every way into the module
// counts: the client's methods (js-shim/api.js) and the platform's callbacks (the sink's guard).
var calls = 0;
// Emitters with events to deliver, in order (one may be listed more than once: delivering an empty queue
// does nothing).
var due = [];

export function beginCall() {
  calls += 1;
}

export function endCall() {
  calls -= 1;
  while (calls === 0 && due.length > 0) {
    due.shift().deliver();
  }
}

// A client's sink (src/platform/sink.rs) whose every method is a call into the module, as the client's own
// methods are: the platform's callbacks reach the module through it. The methods of its class are wrapped
// once, on this side, so an input costs no crossing for the bracket. (The module's own timer, which fires
// without passing through here, brackets itself.)
export function guardedSink(sink) {
  var proto = Object.getPrototypeOf(sink);
  if (!proto.__wxGuarded) {
    Object.getOwnPropertyNames(proto).forEach(function (name) {
      var method = proto[name];
      if (name === 'constructor' || name === 'free' || name.slice(0, 2) === '__' || typeof method !== 'function') return;
      proto[name] = function () {
        beginCall();
        try {
          return method.apply(this, arguments);
        } finally {
          endCall();
        }
      };
    });
    proto.__wxGuarded = true;
  }
  return sink;
}
var EVENTS = ['open', 'message', 'close', 'reconnecting', 'error', 'state'];
Emitter.prototype.on = function (ev, fn) {
  if (EVENTS.indexOf(ev) < 0) {
    throw makeError('INVALID_OPTION', 'unknown event "' + String(ev) + '"; events are ' + EVENTS.join(', '));
  }
  if (typeof fn !== 'function') throw makeError('INVALID_OPTION', 'on(' + String(ev) + ', listener): listener must be a function');
  // Copy on write, as off() does: an emit in progress keeps iterating the list it started with, so a
  // listener added during an emit hears the next event, not this one (contract: re-entrancy and lifetimes).
  this.l[ev] = (this.l[ev] || []).concat([fn]);
  var self = this;
  return function () { self.off(ev, fn); };
};
Emitter.prototype.once = function (ev, fn) {
  var self = this;
  var off = null;
  var wrapped = function (x) { off(); return fn.call(this, x); };
  wrapped.inner = fn;
  off = this.on(ev, wrapped);
  return off;
};
Emitter.prototype.off = function (ev, fn) {
  var list = this.l[ev];
  if (!list) return;
  for (var i = 0; i < list.length; i++) {
    if (list[i] === fn || list[i].inner === fn) {
      this.l[ev] = list.slice(0, i).concat(list.slice(i + 1));
      return;
    }
  }
};
Emitter.prototype.emit = function (ev, payload) {
  if (this.gone) return;
  if (ev === 'state') {
    if (payload.to === 'closed') this.alive = null;
    // Closed while waiting, before its `reconnecting` event went out (close() from a listener or the logger):
    // the retry it announces will not happen, so it is withdrawn. (From 'waiting' to 'connecting' the retry
    // does happen, possibly in the same call when its delay is 0.)
    for (var i = this.q.length - 2; payload.from === 'waiting' && payload.to === 'closed' && i >= 0; i -= 2) {
      if (this.q[i] === 'reconnecting') this.q.splice(i, 2);
    }
  }
  this.q.push(ev, payload);
  if (this.held) return;
  if (calls === 0) this.deliver();
  else due.push(this);
};
// Delivers what is queued, in order, each event to the listeners it had when its delivery started (a
// listener added meanwhile hears the next event). Called again from inside a listener (it called close()),
// it first gives the event being delivered to its remaining listeners, so every listener hears every event
// in the order they happened, and close() returns after its close event.
Emitter.prototype.deliver = function () {
  for (;;) {
    if (this.held) return;
    if (this.di < this.dl.length) {
      var fn = this.dl[this.di];
      this.di += 1;
      try {
        fn(this.dp);
      } catch (err) {
        try { this.e(this.dn, err); } catch (ignored) { /* a failing error reporter must not break delivery */ }
      }
      continue;
    }
    if (this.q.length === 0) return;
    this.begin(this.q.shift(), this.q.shift());
  }
};
// Starts the delivery of event `ev`: to the listeners it has now.
Emitter.prototype.begin = function (ev, payload) {
  this.dn = ev;
  this.dp = payload;
  this.dl = this.l[ev] || NONE;
  this.di = 0;
};
// The constructor of `client` has returned (`live`: it is not closed). Its events (a first attempt that
// failed at once) wait until page code has had the chance to add listeners, also after
// `await connect(options)`: a macrotask later.
Emitter.prototype.started = function (client, live) {
  var self = this;
  if (live) this.alive = client;
  if (this.q.length === 0) return;
  this.held = true;
  setTimeout(function () {
    self.held = false;
    self.deliver();
  }, 0);
};
// After free(): nothing more is delivered, nothing kept.
Emitter.prototype.dispose = function () {
  this.gone = true;
  this.q = [];
  this.dl = NONE;
  this.alive = null;
};
// A message to the `message` listeners. With nothing queued or being delivered and no call under way it
// is delivered at once, as `emit` and `deliver` would (the common case, a frame from the socket).
Emitter.prototype.message = function (data) {
  if (calls === 0 && this.q.length === 0 && this.di >= this.dl.length && !this.held && !this.gone) {
    this.begin('message', data);
    this.deliver();
    return;
  }
  this.emit('message', data);
};
// The client's events (docs/contract.md, "Events"), one method each: logged (`state` at debug level, `open`,
// `close` and `reconnecting` at info, errors at warn with their message), then emitted. `url` is the
// redacted URL of the attempt that opened; `errMsg` the platform's text, `raw` a DECODE error's frame.
Emitter.prototype.emitState = function (from, to) {
  this.log('debug', 'state', { from: from, to: to });
  this.emit('state', { from: from, to: to });
};
Emitter.prototype.emitOpen = function (attempt, reconnected, header, url) {
  this.log('info', 'open', { url: url, attempt: attempt, reconnected: reconnected });
  this.emit('open', { header: header, attempt: attempt, reconnected: reconnected });
};
Emitter.prototype.emitClose = function (code, reason, willReconnect, delayMs) {
  this.log('info', 'close', { code: code, reason: reason, willReconnect: willReconnect });
  this.emit('close', { code: code, reason: reason, willReconnect: willReconnect, delayMs: delayMs === undefined ? null : delayMs });
};
Emitter.prototype.emitReconnecting = function (attempt, delayMs) {
  this.log('info', 'reconnecting', { attempt: attempt, delayMs: delayMs });
  this.emit('reconnecting', { attempt: attempt, delayMs: delayMs });
};
Emitter.prototype.emitError = function (code, message, errMsg, raw, count) {
  this.log('warn', message, { code: code });
  var p = { code: code, message: message + SEE_ERRORS };
  if (errMsg !== undefined) p.errMsg = errMsg;
  if (raw !== undefined) p.raw = raw;
  if (count !== undefined) p.count = count;
  this.emit('error', p);
};
// To the `logger` option, if any.
Emitter.prototype.log = function (level, message, fields) {
  if (this.logger) callLogger(this.logger, level, message, fields);
};
// A promise for request `h`, whose reply carries `id`, settled by `settle`. `ids` maps the id of every pending
// request to its handle, from the moment the module hands the handle out to the moment it settles it: an
// inbound frame carrying one is its reply (src/js/inbound.js).
Emitter.prototype.defer = function (h, id) {
  var r = this.r;
  this.ids.set(id, h);
  return new Promise(function (resolve, reject) { r[h] = [resolve, reject, id]; });
};
// Resolves (ok) or rejects request `h`'s promise with `v`; nothing if it is not pending.
Emitter.prototype.settle = function (h, ok, v) {
  var f = this.r[h];
  if (f) {
    delete this.r[h];
    this.ids.delete(f[2]);
    f[ok ? 0 : 1](v);
  }
};

function consoleError(ev, err) {
  if (typeof console !== 'undefined' && console.error) console.error('wxsocket: a "' + ev + '" listener threw', err);
}

// `onListenerError(event, error)`, or undefined for console.error.
export function newEmitter(onListenerError) {
  return new Emitter(typeof onListenerError === 'function' ? onListenerError : consoleError);
}

// The emitter of a SocketClient, which logs its events to `logger` (the option): a listener that throws is
// reported there too, or to console.error when there is none.
export function clientEmitter(logger) {
  var e = newEmitter(typeof logger === 'function' ? function (ev, err) {
    logger('error', 'a listener threw', { event: ev, error: errText(err) });
  } : undefined);
  if (typeof logger === 'function') e.logger = logger;
  return e;
}
