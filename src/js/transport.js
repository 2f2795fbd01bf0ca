// Transports: a connection over a wx-style SocketTask (wx, tt, qq, uni and the frameworks' wrappers) or over
// a standard WebSocket constructor (browsers, npm ws). Each reports to the client's sink with its task's number.

import { describe as errText } from './errors.js';
import { frameLength } from './codec.js';
import { OPEN, MESSAGE, CLOSE, ERROR, SEND_FAILED } from './sink.js';

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
// A SocketTask has no way to drop a socket without its closing handshake: close it.
TaskConn.prototype.abort = function (reason) {
  this.close(1000, reason);
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
// The link is dead: npm ws's terminate() drops the socket now, where close() would keep it (and compete
// for the link) for 30 s waiting for a closing handshake that never comes. A browser WebSocket has no
// terminate; its close() is all there is.
WsConn.prototype.abort = function (reason) {
  var ws = this.ws;
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = noop;
  if (typeof ws.terminate === 'function') ws.terminate();
  else ws.close(1000, reason);
};

export function openConnection(platform, url, header, protocols, timeoutMs, sink, gen) {
  if (platformKind(platform) === 0) return new TaskConn(platform, url, header, protocols, timeoutMs, sink, gen);
  return new WsConn(platform, url, header, protocols, sink, gen);
}
