// A `wx`-shaped object on top of a standard WebSocket constructor: the browser's `WebSocket` or the npm
// `ws` package's. Used by the headless-Chromium tests and the Node mini-program harness to run code written
// for `wx.connectSocket` against a real server.
//
// Self-contained ES module without dependencies (it may be loaded through `#[wasm_bindgen(module = ...)]`,
// which copies only this file; that is why the small checks shared with fake_wx.js are repeated here).
//
// The SocketTask follows the phone's rules (see the platform notes):
// - `send`, `close`, `onOpen`, `onMessage`, `onClose`, `onError` only: no `off*`, no `readyState`;
// - `send` before open fails with `sendSocketMessage:fail WebSocket is not connected`; `data` must be a
//   string or an ArrayBuffer;
// - `close` accepts code 1000 or 3000–4999 (a missing code is refused) and a reason of at most 123 UTF-8
//   bytes, else `fail` gets a `closeSocket:fail ...` errMsg;
// - at most 5 live tasks; the 6th gets onError then onClose (1006) and `fail` with
//   `connectSocket:fail fail reach max websocket connect count 5`;
// - binary frames arrive as ArrayBuffer (binaryType 'arraybuffer').
// `header` is passed as handshake headers when the constructor is `ws`; browsers cannot set headers, so
// there it is ignored. With `ws`, onOpen's `header` holds the server's response headers; in a browser it
// is `{}`. `perMessageDeflate` is off unless the options ask for it (wx's default).
//
// export function wxOverWebSocket(WebSocketCtor, opts?)
//   → { wx, hide(), show(), setNetwork(isConnected, networkType?), liveCount(), listenerCounts(), listenerErrors }
//   opts.maxTasks (default 5); opts.nodeWs (default: detected) says whether the constructor is `ws`;
//   opts.onListenerError(err) receives errors thrown by callbacks (default: rethrown on a fresh macrotask).
//   `timeout` in connectSocket's options is honoured: not open by then → onError `connectSocket:fail timeout`,
//   then the socket is closed.

const NOT_CONNECTED = 'sendSocketMessage:fail WebSocket is not connected';

function later(fn) {
  setTimeout(fn, 0);
}

function typeName(value) {
  if (value === null) return 'Null';
  if (value === undefined) return 'Undefined';
  return Object.prototype.toString.call(value).slice(8, -1);
}

function isArrayBuffer(value) {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

// UTF-8 length of a JS string without TextEncoder (a lone surrogate counts as U+FFFD, 3 bytes).
function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i += 1;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function closeProblem(code, reason) {
  if (typeof code !== 'number' || !(code === 1000 || (code >= 3000 && code <= 4999)) || Math.floor(code) !== code) {
    return 'closeSocket:fail The code must be either 1000, or between 3000 and 4999. ' + String(code) + ' is neither.';
  }
  if (reason !== undefined && typeof reason !== 'string') {
    return 'closeSocket:fail parameter error: parameter.reason should be String instead of ' + typeName(reason) + ';';
  }
  if (reason !== undefined && utf8Length(reason) > 123) {
    return 'closeSocket:fail The message must not be greater than 123 bytes.';
  }
  return null;
}

function dataProblem(data) {
  if (typeof data === 'string' || isArrayBuffer(data)) return null;
  return 'sendSocketMessage:fail parameter error: parameter.data should be String or ArrayBuffer instead of ' +
    typeName(data) + ';';
}


function looksLikeNodeWs(Ctor) {
  return typeof Ctor === 'function' && !!Ctor.prototype && typeof Ctor.prototype.terminate === 'function';
}

/**
 * @param {Function} WebSocketCtor a standard WebSocket constructor (browser `WebSocket` or npm `ws`)
 * @param {{ maxTasks?: number, nodeWs?: boolean }} [opts]
 */
export function wxOverWebSocket(WebSocketCtor, opts) {
  const o = opts || {};
  const listenerErrors = [];

  // A throwing callback must not break the socket plumbing. The error is kept, then handed to
  // opts.onListenerError, or thrown from a fresh macrotask the way a runtime reports an uncaught error.
  function safeCall(fn, arg) {
    try {
      fn(arg);
    } catch (err) {
      listenerErrors.push(err);
      if (typeof o.onListenerError === 'function') o.onListenerError(err);
      else later(() => {
        throw err;
      });
    }
  }

  function callLater(options, ok, result) {
    const co = options || {};
    later(() => {
      const fn = ok ? co.success : co.fail;
      if (typeof fn === 'function') safeCall(fn, result);
      if (typeof co.complete === 'function') safeCall(co.complete, result);
    });
  }

  const maxTasks = o.maxTasks === undefined ? 5 : o.maxTasks;
  const nodeWs = o.nodeWs === undefined ? looksLikeNodeWs(WebSocketCtor) : Boolean(o.nodeWs);
  const maxReached = 'connectSocket:fail fail reach max websocket connect count ' + maxTasks;
  const app = { hide: [], show: [], network: [] };
  let network = { isConnected: true, networkType: 'wifi' };
  let live = 0;

  function makeTask(options) {
    const listeners = { open: [], message: [], close: [], error: [] };
    let state = 'connecting'; // connecting | open | closing | closed
    let socket = null;
    let counted = false;
    let timeoutTimer = null;
    let responseHeader = {};

    function emit(kind, payload) {
      for (const fn of listeners[kind].slice()) safeCall(fn, payload);
    }

    function finish(code, reason) {
      if (state === 'closed') return;
      state = 'closed';
      if (timeoutTimer !== null) {
        clearTimeout(timeoutTimer);
        timeoutTimer = null;
      }
      if (counted) {
        counted = false;
        live -= 1;
      }
      emit('close', { code: code, reason: reason });
    }

    // A task that never gets a socket: onError then onClose, and `fail`, on a later macrotask.
    function refuse(errMsg) {
      state = 'closed';
      later(() => {
        emit('error', { errMsg: errMsg });
        emit('close', { code: 1006, reason: '' });
      });
      callLater(options, false, { errMsg: errMsg });
    }

    function start() {
      const url = options.url;
      if (typeof url !== 'string') {
        refuse('connectSocket:fail parameter error: parameter.url should be String instead of ' + typeName(url) + ';');
        return;
      }
      if (!/^wss?:\/\//i.test(url)) {
        refuse('connectSocket:fail invalid url "' + url + '"');
        return;
      }
      if (live >= maxTasks) {
        refuse(maxReached);
        return;
      }
      const protocols = Array.isArray(options.protocols) && options.protocols.length ? options.protocols : undefined;
      try {
        if (nodeWs) {
          socket = new WebSocketCtor(url, protocols, {
            headers: options.header || {},
            perMessageDeflate: Boolean(options.perMessageDeflate),
          });
        } else {
          socket = protocols ? new WebSocketCtor(url, protocols) : new WebSocketCtor(url);
        }
      } catch (err) {
        refuse('connectSocket:fail ' + String((err && err.message) || err));
        return;
      }
      live += 1;
      counted = true;
      socket.binaryType = 'arraybuffer';
      if (nodeWs && typeof socket.on === 'function') {
        socket.on('upgrade', (res) => {
          responseHeader = Object.assign({}, res.headers);
        });
      }
      socket.addEventListener('open', () => {
        if (state !== 'connecting') return;
        state = 'open';
        if (timeoutTimer !== null) {
          clearTimeout(timeoutTimer);
          timeoutTimer = null;
        }
        emit('open', { header: responseHeader, profile: {} });
      });
      socket.addEventListener('message', (ev) => {
        if (state === 'closed') return;
        emit('message', { data: ev.data });
      });
      socket.addEventListener('error', (ev) => {
        if (state === 'closed') return;
        const detail = (ev && (ev.message || (ev.error && ev.error.message))) || 'WebSocket error';
        emit('error', { errMsg: state === 'connecting' ? 'connectSocket:fail ' + detail : detail });
      });
      socket.addEventListener('close', (ev) => {
        finish(ev.code, ev.reason || '');
      });
      if (typeof options.timeout === 'number' && options.timeout > 0) {
        timeoutTimer = setTimeout(() => {
          timeoutTimer = null;
          if (state !== 'connecting') return;
          emit('error', { errMsg: 'connectSocket:fail timeout' });
          try {
            socket.close();
          } catch (_) {
            // closing a connecting socket may throw on some engines; the close event still follows
          }
        }, options.timeout);
      }
      callLater(options, true, { errMsg: 'connectSocket:ok' });
    }

    const task = {
      send(so) {
        const s = so || {};
        const problem = dataProblem(s.data);
        if (problem) {
          callLater(s, false, { errMsg: problem });
          return;
        }
        if (state !== 'open') {
          callLater(s, false, { errMsg: NOT_CONNECTED });
          return;
        }
        try {
          socket.send(s.data);
        } catch (err) {
          callLater(s, false, { errMsg: 'sendSocketMessage:fail ' + String((err && err.message) || err) });
          return;
        }
        callLater(s, true, { errMsg: 'sendSocketMessage:ok' });
      },
      close(co) {
        const c = co || {};
        const problem = closeProblem(c.code, c.reason);
        if (problem) {
          callLater(c, false, { errMsg: problem });
          return;
        }
        if (socket && (state === 'connecting' || state === 'open')) {
          state = state === 'open' ? 'closing' : state;
          try {
            socket.close(c.code, c.reason === undefined ? '' : c.reason);
          } catch (err) {
            callLater(c, false, { errMsg: 'closeSocket:fail ' + String((err && err.message) || err) });
            return;
          }
        }
        callLater(c, true, { errMsg: 'closeSocket:ok' });
      },
      onOpen(fn) {
        if (typeof fn === 'function') listeners.open.push(fn);
      },
      onMessage(fn) {
        if (typeof fn === 'function') listeners.message.push(fn);
      },
      onClose(fn) {
        if (typeof fn === 'function') listeners.close.push(fn);
      },
      onError(fn) {
        if (typeof fn === 'function') listeners.error.push(fn);
      },
    };
    start();
    return task;
  }

  function emitApp(list, payload) {
    for (const fn of list.slice()) safeCall(fn, payload);
  }

  function removeApp(list, fn) {
    if (fn === undefined) {
      list.length = 0;
      return;
    }
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }

  const wx = {
    connectSocket(options) {
      return makeTask(Object.assign({}, options || {}));
    },
    onAppHide(fn) { if (typeof fn === 'function') app.hide.push(fn); },
    offAppHide(fn) { removeApp(app.hide, fn); },
    onAppShow(fn) { if (typeof fn === 'function') app.show.push(fn); },
    offAppShow(fn) { removeApp(app.show, fn); },
    onNetworkStatusChange(fn) { if (typeof fn === 'function') app.network.push(fn); },
    offNetworkStatusChange(fn) { removeApp(app.network, fn); },
    getNetworkType(go) {
      const result = () => ({ networkType: network.networkType, errMsg: 'getNetworkType:ok' });
      if (!go || (go.success === undefined && go.fail === undefined && go.complete === undefined)) {
        return new Promise((resolve) => later(() => resolve(result())));
      }
      callLater(go, true, result());
      return undefined;
    },
  };

  return {
    wx,
    hide() {
      emitApp(app.hide, {});
    },
    show() {
      emitApp(app.show, { path: 'pages/index/index', query: {}, scene: 1001, referrerInfo: {} });
    },
    setNetwork(isConnected, networkType) {
      const type = networkType || (isConnected ? 'wifi' : 'none');
      network = { isConnected: Boolean(isConnected), networkType: type };
      emitApp(app.network, { isConnected: Boolean(isConnected), networkType: type });
    },
    liveCount() {
      return live;
    },
    listenerErrors,
    listenerCounts() {
      return { appHide: app.hide.length, appShow: app.show.length, networkStatusChange: app.network.length };
    },
  };
}
