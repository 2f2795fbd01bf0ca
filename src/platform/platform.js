// The JavaScript side of the platform layer: the few things that are smaller and faster written
// in JavaScript than bound one call at a time. Plain ES2017, no globalThis, no window, no eval.
//
// Every callback a platform object can call goes through one long-lived "sink" per client, wrapped in
// a guard: after `release()`, late calls from old tasks (SocketTask has no off* methods) do nothing
// instead of reaching freed WebAssembly closures.

// Event kinds passed to the sink: keep in step with `Kind` in platform/mod.rs.
var OPEN = 0, MESSAGE = 1, CLOSE = 2, ERROR = 3, SEND_FAILED = 4, HIDE = 5, SHOW = 6, NETWORK = 7, TIMER = 8,
  URL_OK = 9, URL_FAILED = 10;

export function guard(fn) {
  var f = fn;
  // The clock is read here and passed in: one call out of the module less per event.
  // A message's frameLength comes as `e` (NaN elsewhere).
  var g = function (a, b, c, d, e) {
    if (f !== null) return f(a, b, c, d, Date.now(), e);
  };
  g.release = function () { f = null; };
  return g;
}

export function release(g) {
  if (g && typeof g.release === 'function') g.release();
}

// The first platform found among the globals, or undefined.
export function detectPlatform() {
  if (typeof wx !== 'undefined' && wx && typeof wx.connectSocket === 'function') return wx;
  if (typeof tt !== 'undefined' && tt && typeof tt.connectSocket === 'function') return tt;
  if (typeof qq !== 'undefined' && qq && typeof qq.connectSocket === 'function') return qq;
  if (typeof uni !== 'undefined' && uni && typeof uni.connectSocket === 'function') return uni;
  if (typeof WebSocket === 'function') return WebSocket;
  return undefined;
}

// 0: object with connectSocket (wx and its siblings), 1: WebSocket constructor, -1: neither.
export function platformKind(p) {
  if (p && typeof p.connectSocket === 'function') return 0;
  if (typeof p === 'function') return 1;
  return -1;
}

function errText(e) {
  if (e && typeof e.errMsg === 'string') return e.errMsg;
  if (e && typeof e.message === 'string') return e.message;
  return String(e);
}

function noop() {}

// A connection over a wx-style SocketTask. `header` is an object or undefined, `protocols` an array or undefined.
function TaskConn(platform, url, header, protocols, timeoutMs, sink, gen) {
  var self = this;
  this.t = null;
  this.pendingClose = null;
  this.fail = function (e) { sink(gen, SEND_FAILED, errText(e)); };
  var opts = {
    url: url,
    timeout: timeoutMs,
    fail: function (e) { sink(gen, ERROR, errText(e)); },
    // uni-app returns a task only when a callback is given.
    complete: noop
  };
  if (header !== undefined) opts.header = header;
  if (protocols !== undefined) opts.protocols = protocols;
  var r = platform.connectSocket(opts);
  var bind = function (t) {
    if (!t || typeof t.onOpen !== 'function') {
      sink(gen, ERROR, 'connectSocket returned no SocketTask');
      return;
    }
    self.t = t;
    t.onOpen(function (ev) { sink(gen, OPEN, ev && ev.header); });
    t.onMessage(function (ev) { var d = ev ? ev.data : undefined; sink(gen, MESSAGE, d, undefined, frameLength(d)); });
    t.onClose(function (ev) { sink(gen, CLOSE, ev ? ev.code : undefined, ev ? ev.reason : undefined); });
    t.onError(function (ev) { sink(gen, ERROR, errText(ev)); });
    if (self.pendingClose) self.close(self.pendingClose[0], self.pendingClose[1]);
  };
  if (r && typeof r.then === 'function' && typeof r.onOpen !== 'function') {
    // Taro and promise-style uni: Promise<SocketTask>.
    r.then(bind, function (e) { sink(gen, ERROR, errText(e)); });
  } else {
    bind(r);
  }
}
TaskConn.prototype.send = function (data) {
  this.t.send({ data: data, fail: this.fail });
};
TaskConn.prototype.close = function (code, reason) {
  if (this.t === null) { this.pendingClose = [code, reason]; return; }
  this.t.close({ code: code, reason: reason, fail: noop });
};

// A connection over a standard WebSocket constructor (browsers, npm ws).
function WsConn(Ctor, url, header, protocols, sink, gen) {
  var ws = protocols !== undefined && protocols.length ? new Ctor(url, protocols) : new Ctor(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = function () { sink(gen, OPEN, undefined); };
  ws.onmessage = function (ev) { sink(gen, MESSAGE, ev.data, undefined, frameLength(ev.data)); };
  ws.onclose = function (ev) { sink(gen, CLOSE, ev.code, ev.reason); };
  ws.onerror = function (ev) { sink(gen, ERROR, ev && ev.message ? ev.message : 'WebSocket error'); };
  this.ws = ws;
}
WsConn.prototype.send = function (data) {
  this.ws.send(data);
};
WsConn.prototype.close = function (code, reason) {
  var ws = this.ws;
  // Keep no-op handlers rather than none: npm ws emits 'error' when a connecting socket is closed, and
  // an EventEmitter 'error' without a listener would throw.
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = noop;
  ws.close(code, reason);
};

export function openConnection(platform, url, header, protocols, timeoutMs, sink, gen) {
  if (platformKind(platform) === 0) return new TaskConn(platform, url, header, protocols, timeoutMs, sink, gen);
  return new WsConn(platform, url, header, protocols, sink, gen);
}

// App lifecycle and network status, where the platform has them. Returns an object whose stop()
// removes every listener it added.
export function watchLifecycle(platform, sink) {
  var offs = [];
  var p = platformKind(platform) === 0 ? platform : null;
  var add = function (on, off, fn) {
    if (p && typeof p[on] === 'function') {
      p[on](fn);
      if (typeof p[off] === 'function') offs.push(function () { p[off](fn); });
    }
  };
  add('onAppHide', 'offAppHide', function () { sink(0, HIDE); });
  add('onAppShow', 'offAppShow', function () { sink(0, SHOW); });
  add('onNetworkStatusChange', 'offNetworkStatusChange', function (ev) { sink(0, NETWORK, !!(ev && ev.isConnected)); });
  if (!p && typeof addEventListener === 'function' && typeof removeEventListener === 'function') {
    var online = function () { sink(0, NETWORK, true); };
    var offline = function () { sink(0, NETWORK, false); };
    addEventListener('online', online);
    addEventListener('offline', offline);
    offs.push(function () { removeEventListener('online', online); removeEventListener('offline', offline); });
    if (typeof document !== 'undefined' && document && typeof document.addEventListener === 'function') {
      var vis = function () { sink(0, document.visibilityState === 'hidden' ? HIDE : SHOW); };
      document.addEventListener('visibilitychange', vis);
      offs.push(function () { document.removeEventListener('visibilitychange', vis); });
    }
  }
  return { stop: function () { for (var i = 0; i < offs.length; i++) offs[i](); offs.length = 0; } };
}

export function stopLifecycle(w) {
  if (w) w.stop();
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
    function (e) { sink(gen, URL_FAILED, errText(e)); }
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

var NON_ASCII = /[^\x00-\x7f]/;

// UTF-8 length of a string without copying it anywhere. ASCII (most JSON) is answered by one regex scan.
export function utf8Length(s) {
  if (!NON_ASCII.test(s)) return s.length;
  var n = s.length;
  var bytes = n;
  for (var i = 0; i < n; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) bytes += 1;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { bytes += 2; i++; } else bytes += 2;
      } else bytes += 2;
    }
  }
  return bytes;
}

// 0: string, 1: ArrayBuffer, 2: typed array or DataView, 3: anything else. Tag-based, so buffers
// from another realm (a vm context, an iframe) are recognised too.
export function frameKind(x) {
  if (typeof x === 'string') return 0;
  var tag = Object.prototype.toString.call(x);
  if (tag === '[object ArrayBuffer]') return 1;
  if (x && typeof x === 'object' && x.buffer && typeof x.byteLength === 'number' && typeof x.byteOffset === 'number' &&
      Object.prototype.toString.call(x.buffer) === '[object ArrayBuffer]') return 2;
  return 3;
}

// One call for what a frame is and how long: a string's length × 2, an ArrayBuffer's byteLength × 2 + 1,
// or -1 for anything else.
export function frameLength(x) {
  if (typeof x === 'string') return x.length * 2;
  if (x && typeof x.byteLength === 'number' && Object.prototype.toString.call(x) === '[object ArrayBuffer]') {
    return x.byteLength * 2 + 1;
  }
  return -1;
}

// What send() hands to the socket: an ArrayBuffer as is, a typed array's own bytes, and otherwise the
// codec's text (JSON, or the string itself under the text codec). Throws a WxSocketError SERIALIZE.
export function encodeFrame(v, textCodec) {
  if (typeof v === 'object' && v !== null && typeof v.byteLength === 'number') {
    var k = frameKind(v);
    if (k === 1) return v;
    if (k === 2) return ownBytes(v);
  }
  // A Blob's bytes can only be read asynchronously; as JSON it would go out as {}.
  if (typeof Blob === 'function' && v instanceof Blob) {
    throw makeError('SERIALIZE', 'a Blob cannot be sent as it is: send its bytes (await blob.arrayBuffer())');
  }
  if (textCodec) {
    if (typeof v === 'string') return v;
    throw makeError('SERIALIZE', "the text codec sends strings (or ArrayBuffers); use codec: 'json' for objects");
  }
  try {
    return encodeJson(v);
  } catch (e) {
    throw makeError('SERIALIZE', 'cannot encode as JSON: ' + errText(e));
  }
}

// A typed array's own bytes in a fresh ArrayBuffer (never the whole backing buffer).
export function ownBytes(view) {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

// JSON encode for `send`: the text, or a thrown description. Top-level values JSON cannot encode
// (undefined, functions, symbols) are refused here; BigInt and cycles throw inside stringify.
export function encodeJson(v) {
  var t = typeof v;
  if (t === 'undefined' || t === 'function' || t === 'symbol') throw new TypeError('a ' + t + ' cannot be sent as JSON');
  var s = JSON.stringify(v);
  if (typeof s !== 'string') throw new TypeError('this value has no JSON form');
  return s;
}

export function decodeJson(s) {
  return JSON.parse(s);
}

// The key a request id is matched by: numbers and strings kept apart; undefined for anything else.
export function requestKey(id) {
  if (typeof id === 'number') return 'n:' + id;
  if (typeof id === 'string') return 's:' + id;
  return undefined;
}

// `logger(level, message, { [key]: value })`.
export function log(logger, level, message, key, value) {
  var fields = {};
  fields[key] = value;
  callLogger(logger, level, message, fields);
}

// An engine event (see `Emitter.prototype.event`) to the logger: `state` at debug level, an error at warn
// with its message, the rest at info; `url` is the redacted URL of an open.
export function logEvent(logger, k, s, t, a, b, url) {
  var fields = k === 0 ? { from: s, to: t }
    : k === 1 ? { url: url, attempt: a, reconnected: b === 1 }
    : k === 2 ? { code: a, reason: s, willReconnect: b === 1 }
    : k === 3 ? { attempt: a, delayMs: b }
    : { code: s };
  callLogger(logger, k === 0 ? 'debug' : k < 4 ? 'info' : 'warn', k < 4 ? EVENT_OF_KIND[k] : t, fields);
}

// A warning to the logger, if there is one, for every unknown option name in `keys`.
export function warnUnknown(logger, keys) {
  if (typeof logger !== 'function') return;
  for (var i = 0; i < keys.length; i++) {
    callLogger(logger, 'warn', 'unknown option (ignored); check its spelling', { option: keys[i] });
  }
}

// A logger that throws is ignored: logging must not break the client.
function callLogger(logger, level, message, fields) {
  try { logger(level, message, fields); } catch (ignored) { /* ignored */ }
}

// The `stats` object; `rtt` is -1 before the first pong.
export function statsObject(connects, reconnects, sent, received, bytesSent, bytesReceived, dropped, rtt) {
  return {
    connects: connects,
    reconnects: reconnects,
    messagesSent: sent,
    messagesReceived: received,
    bytesSent: bytesSent,
    bytesReceived: bytesReceived,
    dropped: dropped,
    lastRttMs: rtt < 0 ? null : rtt
  };
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

export function makeError(code, message) {
  var e = new Error(message);
  e.name = 'WxSocketError';
  e.code = code;
  return e;
}

export function describe(e) {
  return errText(e);
}

// The listener registry of one client, and its pending requests' promises. A listener that throws does
// not stop the others; the error goes to `onListenerError` (the logger, or console.error).
export function Emitter(onListenerError) {
  this.l = {};
  this.e = onListenerError;
  // Request handle -> [resolve, reject].
  this.r = {};
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
  var list = this.l[ev];
  if (!list) return;
  for (var i = 0; i < list.length; i++) {
    try {
      list[i](payload);
    } catch (err) {
      try { this.e(ev, err); } catch (ignored) { /* a failing error reporter must not break delivery */ }
    }
  }
};
// A message to the `message` listeners.
Emitter.prototype.message = function (data) {
  this.emit('message', data);
};
// A text frame decoded and delivered to the `message` listeners in one call; false (nothing delivered)
// if it is not JSON.
Emitter.prototype.emitJson = function (text) {
  var v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return false;
  }
  this.emit('message', v);
  return true;
};
// An engine event, as platform/mod.rs `event_parts` gives it, to its listeners: `u` is an error's errMsg,
// `x` the open handshake's headers or a DECODE error's raw text.
var EVENT_OF_KIND = ['state', 'open', 'close', 'reconnecting', 'error'];
Emitter.prototype.event = function (k, s, t, u, a, b, c, x) {
  var p;
  if (k === 0) p = { from: s, to: t };
  else if (k === 1) p = { header: x, attempt: a, reconnected: b === 1 };
  else if (k === 2) p = { code: a, reason: s, willReconnect: b === 1, delayMs: c < 0 ? null : c };
  else if (k === 3) p = { attempt: a, delayMs: b };
  else {
    p = { code: s, message: t };
    if (a === 1) p.errMsg = u;
    if (x !== undefined) p.raw = x;
  }
  this.emit(EVENT_OF_KIND[k], p);
};
// A promise for request `h`, settled by `settle`.
Emitter.prototype.defer = function (h) {
  var r = this.r;
  return new Promise(function (resolve, reject) { r[h] = [resolve, reject]; });
};
// Resolves (ok) or rejects request `h`'s promise with `v`; nothing if it is not pending.
Emitter.prototype.settle = function (h, ok, v) {
  var f = this.r[h];
  if (f) {
    delete this.r[h];
    f[ok ? 0 : 1](v);
  }
};
Emitter.prototype.has = function (ev) {
  var list = this.l[ev];
  return !!(list && list.length);
};

function consoleError(ev, err) {
  if (typeof console !== 'undefined' && console.error) console.error('wxsocket: a "' + ev + '" listener threw', err);
}

// `onListenerError(event, error)`, or undefined for console.error.
export function newEmitter(onListenerError) {
  return new Emitter(typeof onListenerError === 'function' ? onListenerError : consoleError);
}

// The emitter of a SocketClient: a listener that throws is reported to `logger` (the option), or to
// console.error when there is none.
export function clientEmitter(logger) {
  return newEmitter(typeof logger === 'function' ? function (ev, err) {
    logger('error', 'a listener threw', { event: ev, error: errText(err) });
  } : undefined);
}

// ---------- options ----------
// `new SocketClient(options)` reads its options here: their shapes and types, every mistake a
// WxSocketError that names the option. The values are checked in Rust afterwards (the URL, the headers,
// the backoff and the config's ranges). Returns
// [url, header, headerPairs, protocols, platform, shouldReconnect, ping, pong, isPong, requestIdField,
//  logger, unknownKeys, numbers], where numbers holds, by index (a missing one means "the default"):
// 0 allowInsecure, 1 text codec, 2 connectTimeoutMs, 3 reconnect on, 4 maxRetries, 5 minDelayMs,
// 6 maxDelayMs, 7 factor, 8 jitter, 9 minUptimeMs, 10 heartbeat on, 11 intervalMs, 12 timeoutMs,
// 13 overflow (0 error, 1 drop-oldest, 2 drop-newest), 14 maxMessages, 15 maxBytes, 16 maxMessageBytes,
// 17 requestTimeoutMs, 18 lifecycle, 19 startClosed, 20 the pong's length. Keep in step with
// src/js_api/options.rs.
var KNOWN = ['url', 'header', 'protocols', 'platform', 'codec', 'connectTimeoutMs', 'reconnect', 'heartbeat', 'queue',
  'maxMessageBytes', 'requestTimeoutMs', 'requestIdField', 'lifecycle', 'allowInsecure', 'startClosed', 'logger'];
var OVERFLOW = ['error', 'drop-oldest', 'drop-newest'];
var TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isObject(v) {
  return typeof v === 'object' && v !== null;
}

function invalid(message) {
  return makeError('INVALID_OPTION', message);
}

function optBool(o, key, path, dflt) {
  var v = o[key];
  if (v === undefined) return dflt ? 1 : 0;
  if (typeof v !== 'boolean') throw invalid(path + ' must be true or false');
  return v ? 1 : 0;
}

// A number of milliseconds (or a count): finite, ≥ min, at most 2^53 (maxRetries may be Infinity).
function optNum(o, key, path, min) {
  var v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && ((v >= min && v <= 9007199254740991) || (v === Infinity && key === 'maxRetries'))) return v;
  throw invalid(path + ' must be a finite number ≥ ' + (min >= 1 ? 1 : 0));
}

function optFn(o, key, path) {
  var v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'function') throw invalid(path + ' must be a function');
  return v;
}

function textOf(v, dflt, path) {
  if (v === undefined) return dflt;
  if (typeof v === 'string') return v;
  try {
    return encodeJson(v);
  } catch (e) {
    throw invalid(path + ' must be a string or a JSON value');
  }
}

export function readOptions(o) {
  try {
    return read(o);
  } catch (e) {
    if (e && e.name === 'WxSocketError') throw e;
    throw invalid('the options could not be read: ' + errText(e));
  }
}

function read(o) {
  if (!isObject(o)) throw invalid('new SocketClient(options): options must be an object with at least { url }');
  var n = [];
  var unknown = Object.keys(o).filter(function (k) { return KNOWN.indexOf(k) < 0; });
  n[0] = optBool(o, 'allowInsecure', 'allowInsecure', false);
  var url = o.url;
  if (typeof url !== 'string' && typeof url !== 'function') {
    throw makeError('INVALID_URL', 'url is required: a ws:// or wss:// string, or a function returning one (or a promise of one)');
  }
  var header = o.header;
  var pairs = [];
  if (header !== undefined) {
    if (!isObject(header) || Array.isArray(header)) throw invalid('header must be an object of string values');
    Object.keys(header).forEach(function (name) {
      var value = header[name];
      if (typeof value !== 'string') throw invalid('header "' + name + '" must be a string');
      pairs.push(name, value);
    });
  }
  var protocols = o.protocols;
  if (protocols !== undefined) {
    if (!Array.isArray(protocols)) throw invalid('protocols must be an array of strings');
    protocols.forEach(function (p, i) {
      if (typeof p !== 'string' || !TOKEN.test(p)) throw invalid('protocols must be an array of non-empty token strings');
      // A handshake offering one subprotocol twice is refused by every server and browser: say so now
      // instead of failing every attempt.
      if (protocols.indexOf(p) !== i) throw invalid('protocols lists "' + p + '" twice; each subprotocol may appear once');
    });
  }
  var platform = o.platform;
  if (platform === undefined || platform === null) {
    platform = detectPlatform();
    if (platform === undefined) {
      throw makeError('NO_PLATFORM', 'no socket platform found (none of wx, tt, qq, uni or WebSocket exists); pass options.platform');
    }
  } else if (platformKind(platform) < 0) {
    throw invalid('platform must be an object with connectSocket (wx, tt, qq, uni) or a WebSocket constructor');
  }
  var codec = o.codec;
  if (codec !== undefined && codec !== 'json' && codec !== 'text') throw invalid("codec must be 'json' or 'text'");
  n[1] = codec === 'text' ? 1 : 0;
  n[2] = optNum(o, 'connectTimeoutMs', 'connectTimeoutMs', 1);

  var r = o.reconnect;
  var should;
  n[3] = r === false ? 0 : 1;
  if (r !== undefined && typeof r !== 'boolean') {
    if (!isObject(r)) throw invalid('reconnect must be false or an object');
    n[4] = optNum(r, 'maxRetries', 'reconnect.maxRetries', 0);
    n[5] = optNum(r, 'minDelayMs', 'reconnect.minDelayMs', 0);
    n[6] = optNum(r, 'maxDelayMs', 'reconnect.maxDelayMs', 0);
    n[7] = optNum(r, 'factor', 'reconnect.factor', 1);
    n[8] = optNum(r, 'jitter', 'reconnect.jitter', 0);
    n[9] = optNum(r, 'minUptimeMs', 'reconnect.minUptimeMs', 0);
    should = optFn(r, 'shouldReconnect', 'reconnect.shouldReconnect');
  }

  var h = o.heartbeat;
  var ping, pong, isPong;
  n[10] = 0;
  if (h !== undefined && h !== null && h !== false) {
    if (h === true) h = {};
    else if (!isObject(h)) throw invalid('heartbeat must be true, false or an object');
    n[10] = 1;
    n[11] = optNum(h, 'intervalMs', 'heartbeat.intervalMs', 1);
    n[12] = optNum(h, 'timeoutMs', 'heartbeat.timeoutMs', 1);
    ping = textOf(h.message, 'ping', 'heartbeat.message');
    pong = textOf(h.pong, 'pong', 'heartbeat.pong');
    isPong = optFn(h, 'isPong', 'heartbeat.isPong');
    n[20] = pong.length;
  }

  var q = o.queue;
  if (q !== undefined) {
    if (!isObject(q)) throw invalid('queue must be an object { maxMessages, maxBytes, overflow }');
    if (q.overflow !== undefined) {
      n[13] = OVERFLOW.indexOf(q.overflow);
      if (n[13] < 0) throw invalid("queue.overflow must be 'error', 'drop-oldest' or 'drop-newest'");
    }
    n[14] = optNum(q, 'maxMessages', 'queue.maxMessages', 0);
    n[15] = optNum(q, 'maxBytes', 'queue.maxBytes', 0);
  }
  n[16] = optNum(o, 'maxMessageBytes', 'maxMessageBytes', 1);
  n[17] = optNum(o, 'requestTimeoutMs', 'requestTimeoutMs', 1);
  var idField = o.requestIdField;
  if (idField === undefined) idField = 'id';
  else if (typeof idField !== 'string' || idField === '') throw invalid('requestIdField must be a non-empty string');
  n[18] = optBool(o, 'lifecycle', 'lifecycle', true);
  n[19] = optBool(o, 'startClosed', 'startClosed', false);
  var logger = optFn(o, 'logger', 'logger');
  return [url, header, pairs, protocols, platform, should, ping, pong, isPong, idField, logger, unknown, n];
}
