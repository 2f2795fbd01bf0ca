// Transports: a connection over a wx-style SocketTask (wx, tt, qq, uni and the frameworks' wrappers) or over
// a standard WebSocket constructor (browsers, npm ws). Each reports to the client's sink (src/platform/sink.rs)
// with its task's number and `Date.now()`; a SocketTask cannot remove its listeners, so a late callback from
// an old task arrives with that task's number and is ignored there.

import { describe as errText } from './errors.js';

// The socket platforms looked for among the globals, in this order (then a WebSocket constructor), each
// with its name: every one has connectSocket returning a wx-style SocketTask. (Globals are read by name
// with typeof: mini-programs have no globalThis to index.)
var PLATFORMS = [
  { name: 'wx', get: function () { return typeof wx !== 'undefined' ? wx : undefined; } },
  { name: 'tt', get: function () { return typeof tt !== 'undefined' ? tt : undefined; } },
  { name: 'qq', get: function () { return typeof qq !== 'undefined' ? qq : undefined; } },
  { name: 'uni', get: function () { return typeof uni !== 'undefined' ? uni : undefined; } }
];
// Their names, for messages: 'wx, tt, qq, uni'.
export function platformNames() {
  return PLATFORMS.map(function (p) { return p.name; }).join(', ');
}

// The first platform found among the globals, or undefined.
export function detectPlatform() {
  for (var i = 0; i < PLATFORMS.length; i++) {
    var p = PLATFORMS[i].get();
    if (p && typeof p.connectSocket === 'function') return p;
  }
  if (typeof WebSocket === 'function') return WebSocket;
  return undefined;
}

// An object with connectSocket: wx and its siblings (and the frameworks' wrappers).
export function hasConnectSocket(p) {
  return !!p && typeof p.connectSocket === 'function';
}

// What `platform` may be: an object with connectSocket, or a WebSocket constructor.
export function isPlatform(p) {
  return hasConnectSocket(p) || typeof p === 'function';
}

function noop() {}

// Whether the platform refused the URL itself: a WebSocket constructor throws a SyntaxError (the WHATWG
// WebSocket constructor for a URL it cannot parse; npm ws too), and wx-style platforms say "invalid url".
export function isUrlRefusal(e) {
  return !!e && (e.name === 'SyntaxError' || /invalid url/i.test(errText(e)));
}

// A connect failure to the sink: a refused URL, or any other failure.
function connectFailed(sink, gen, e) {
  if (isUrlRefusal(e)) sink.urlRefused(gen, errText(e), Date.now());
  else sink.failed(gen, errText(e), Date.now());
}

// A connection over a wx-style SocketTask. `header` is an object or undefined, `protocols` an array or undefined.
function TaskConn(platform, url, header, protocols, timeoutMs, sink, inbound, gen) {
  var self = this;
  // The fast path sends on the latest connection when the engine names its task (src/js/fast_path.js).
  inbound.fast.connected(this, gen);
  this.t = null;
  this.pendingClose = null;
  this.fail = function (e) { sink.sendFailed(gen, errText(e), Date.now()); };
  var opts = {
    url: url,
    timeout: timeoutMs,
    fail: function (e) { connectFailed(sink, gen, e); },
    // uni-app returns a task only when a callback is given.
    complete: noop
  };
  if (header !== undefined) opts.header = header;
  if (protocols !== undefined) opts.protocols = protocols;
  var r = platform.connectSocket(opts);
  var bind = function (t) {
    if (!t || typeof t.onOpen !== 'function') {
      sink.failed(gen, 'connectSocket returned no SocketTask', Date.now());
      return;
    }
    self.t = t;
    t.onOpen(function (ev) { sink.opened(gen, ev && ev.header, Date.now()); });
    t.onMessage(function (ev) { inbound.frame(gen, ev ? ev.data : undefined); });
    t.onClose(function (ev) { sink.closed(gen, ev ? ev.code : undefined, ev ? ev.reason : undefined, Date.now()); });
    t.onError(function (ev) { sink.failed(gen, errText(ev), Date.now()); });
    if (self.pendingClose) self.close(self.pendingClose[0], self.pendingClose[1]);
  };
  if (r && typeof r.then === 'function' && typeof r.onOpen !== 'function') {
    // Taro and promise-style uni: Promise<SocketTask>.
    r.then(bind, function (e) { connectFailed(sink, gen, e); });
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
// A SocketTask has no way to drop a socket without its closing handshake: close it.
TaskConn.prototype.abort = function (reason) {
  this.close(1000, reason);
};
// Nor does it say what it still holds.
TaskConn.prototype.bufferedAmount = function () {
  return -1;
};

// A connection over a standard WebSocket constructor (browsers, npm ws).
function WsConn(Ctor, url, header, protocols, sink, inbound, gen) {
  inbound.fast.connected(this, gen);
  var ws = protocols !== undefined && protocols.length ? new Ctor(url, protocols) : new Ctor(url);
  ws.binaryType = 'arraybuffer';
  ws.onopen = function () { sink.opened(gen, undefined, Date.now()); };
  ws.onmessage = function (ev) { inbound.frame(gen, ev.data); };
  ws.onclose = function (ev) { sink.closed(gen, ev.code, ev.reason, Date.now()); };
  ws.onerror = function (ev) { sink.failed(gen, ev && ev.message ? ev.message : 'WebSocket error', Date.now()); };
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
// The link is dead: npm ws's terminate() drops the socket now, where close() would keep it (and compete
// for the link) for 30 s waiting for a closing handshake that never comes. A browser WebSocket has no
// terminate; its close() is all there is.
// Bytes handed to send() that have not gone to the network yet (the heartbeat waits for them).
WsConn.prototype.bufferedAmount = function () {
  var b = this.ws.bufferedAmount;
  return typeof b === 'number' && b >= 0 ? b : -1;
};
WsConn.prototype.abort = function (reason) {
  var ws = this.ws;
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = noop;
  if (typeof ws.terminate === 'function') ws.terminate();
  else ws.close(1000, reason);
};

// `sink` hears the connection's events, `inbound` its frames (src/js/inbound.js).
export function openConnection(platform, url, header, protocols, timeoutMs, sink, inbound, gen) {
  if (hasConnectSocket(platform)) return new TaskConn(platform, url, header, protocols, timeoutMs, sink, inbound, gen);
  return new WsConn(platform, url, header, protocols, sink, inbound, gen);
}
