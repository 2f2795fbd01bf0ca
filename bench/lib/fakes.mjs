// Lean fakes for the overhead benchmark (plain ES module: Node and the browser page load the same file).
//
// - `createBenchWx()`: a `wx` whose `connectSocket` returns a SocketTask shaped like the phone's (send, close,
//   onOpen, onMessage, onClose, onError, nothing else). The script drives it through the record:
//   `rec.open()`, `rec.message(data)`, `rec.closed(code, reason)` deliver synchronously. `send` only checks
//   the state and counts: no copies, no success/fail callbacks on a timer (tests/support/fake_wx.js does
//   that, which would put a setTimeout into every measured send).
// - `FakeWebSocket`: the least a WebSocket class needs for npm `reconnecting-websocket` and for our
//   client's WebSocket path (constants, readyState, on* properties, add/removeEventListener, send, close),
//   driven by `ws.serverOpen()`, `ws.serverMessage(data)`, `ws.serverClose(code, reason)`.
//
// Every variant measured over a fake pays the same fake cost, so the ratios compare the code above it.

function fire(list, ev) {
  for (let i = 0; i < list.length; i++) list[i](ev);
}

export function createBenchWx() {
  const ctl = { tasks: [], last: null, wx: null };
  function makeTask(options) {
    const l = { open: [], message: [], close: [], error: [] };
    const rec = {
      url: options.url,
      state: 'connecting',
      sent: 0,
      sentBytes: 0,
      task: null,
      open() {
        rec.state = 'open';
        fire(l.open, { header: {} });
      },
      message(data) {
        fire(l.message, { data: data });
      },
      closed(code, reason) {
        rec.state = 'closed';
        fire(l.close, { code: code === undefined ? 1000 : code, reason: reason === undefined ? '' : reason });
      },
      drop() {
        // Forget the listeners (what a finished native task amounts to).
        l.open.length = l.message.length = l.close.length = l.error.length = 0;
      },
    };
    rec.task = {
      send(o) {
        if (rec.state !== 'open') {
          if (o && typeof o.fail === 'function') o.fail({ errMsg: 'sendSocketMessage:fail WebSocket is not connected' });
          return;
        }
        rec.sent += 1;
        rec.sentBytes += typeof o.data === 'string' ? o.data.length : o.data.byteLength;
      },
      close() {
        if (rec.state === 'connecting' || rec.state === 'open') rec.state = 'closing';
      },
      onOpen(fn) { l.open.push(fn); },
      onMessage(fn) { l.message.push(fn); },
      onClose(fn) { l.close.push(fn); },
      onError(fn) { l.error.push(fn); },
    };
    return rec;
  }
  ctl.wx = {
    connectSocket(options) {
      const rec = makeTask(options || {});
      ctl.last = rec;
      return rec.task;
    },
  };
  ctl.forget = function () {
    ctl.last = null;
  };
  return ctl;
}

export class FakeWebSocket {
  constructor(url, protocols) {
    this.url = url;
    this.protocol = '';
    this.extensions = '';
    this.bufferedAmount = 0;
    this.binaryType = 'blob';
    this.readyState = 0;
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this.sent = 0;
    this.sentBytes = 0;
    this._l = { open: [], message: [], close: [], error: [] };
    void protocols;
    FakeWebSocket.last = this;
  }
  addEventListener(type, fn) {
    if (this._l[type]) this._l[type].push(fn);
  }
  removeEventListener(type, fn) {
    const list = this._l[type];
    if (!list) return;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }
  send(data) {
    if (this.readyState !== 1) throw new Error('InvalidStateError: the socket is not open');
    this.sent += 1;
    this.sentBytes += typeof data === 'string' ? data.length : data.byteLength;
  }
  close() {
    if (this.readyState < 2) this.readyState = 2;
  }
  _fire(type, ev) {
    const h = this['on' + type];
    if (typeof h === 'function') h.call(this, ev);
    const list = this._l[type];
    for (let i = 0; i < list.length; i++) list[i].call(this, ev);
  }
  serverOpen() {
    this.readyState = 1;
    this._fire('open', { type: 'open', target: this });
  }
  serverMessage(data) {
    this._fire('message', { type: 'message', target: this, data: data });
  }
  serverClose(code, reason) {
    this.readyState = 3;
    this._fire('close', { type: 'close', target: this, code: code === undefined ? 1000 : code, reason: reason || '', wasClean: true });
  }
}
FakeWebSocket.CONNECTING = 0;
FakeWebSocket.OPEN = 1;
FakeWebSocket.CLOSING = 2;
FakeWebSocket.CLOSED = 3;
FakeWebSocket.prototype.CONNECTING = 0;
FakeWebSocket.prototype.OPEN = 1;
FakeWebSocket.prototype.CLOSING = 2;
FakeWebSocket.prototype.CLOSED = 3;
FakeWebSocket.last = null;
