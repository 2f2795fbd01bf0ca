// Two stand-ins for the WeChat `wx` object, on one set of SocketTask rules:
// - `createFakeWx()`: a scripted fake, for tests that must control every socket event;
// - `wxOverWebSocket(WebSocketCtor)`: `wx.connectSocket` on a standard WebSocket constructor (the browser's
//   `WebSocket` or the npm `ws` package's), to run code written for `wx` against a real server.
//
// Self-contained ES module without dependencies: it runs in Node and in browsers and is loaded from Rust
// through `#[wasm_bindgen(module = "/tests/support/wx_sockets.js")]`, which copies this one file (so both
// stand-ins live here; fake_wx.js and wx_over_websocket.js only re-export them for Node callers).
//
// The SocketTask of both behaves like the phone's (see the platform notes):
// - `connectSocket(options)` returns the task synchronously; `success`/`complete` run later (setTimeout 0);
// - the task has `send`, `close`, `onOpen`, `onMessage`, `onClose`, `onError` and nothing else: no `off*`,
//   no `readyState`; a listener registered after an event is not called for it;
// - `send` before open fails with `sendSocketMessage:fail WebSocket is not connected`; `data` must be a
//   string or an ArrayBuffer (typed arrays are refused);
// - `close` accepts only code 1000 or 3000–4999 (a missing code is refused too) and a reason of at most
//   123 UTF-8 bytes; failures go to `fail` with a `closeSocket:fail ...` errMsg;
// - a `url` that is not a ws:// or wss:// string is refused; at most 5 live tasks (open, opening or
//   closing): the 6th gets onError then onClose (1006) and `fail` with
//   `connectSocket:fail fail reach max websocket connect count 5`;
// - API callbacks (`success`, `fail`, `complete`) and the events of a refused task arrive on a later
//   macrotask, like the native bridge's;
// - `wx` also has onAppHide/onAppShow/onNetworkStatusChange with their off* functions and
//   getNetworkType; the controller's `hide()`, `show()` and `setNetwork(isConnected, networkType?)` fire
//   them, `listenerCounts()` counts them and `network` is what getNetworkType reports.
// A listener that throws never breaks the plumbing: the error is kept in the controller's
// `listenerErrors` (what else happens to it, each stand-in says below).

// ---- the phone's rules, shared by both stand-ins ----

const MAX_TASKS = 5;
const NOT_CONNECTED = 'sendSocketMessage:fail WebSocket is not connected';
const KINDS = ['open', 'message', 'close', 'error'];

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

// Why connectSocket refuses `url` with `live` tasks already live, or null.
function connectProblem(url, live, maxTasks) {
  if (typeof url !== 'string') {
    return 'connectSocket:fail parameter error: parameter.url should be String instead of ' + typeName(url) + ';';
  }
  if (!/^wss?:\/\//i.test(url)) return 'connectSocket:fail invalid url "' + url + '"';
  if (live >= maxTasks) return 'connectSocket:fail fail reach max websocket connect count ' + maxTasks;
  return null;
}

// Why send({ data }) on a task in `state` is refused, or null.
function sendProblem(data, state) {
  if (typeof data !== 'string' && !isArrayBuffer(data)) {
    return 'sendSocketMessage:fail parameter error: parameter.data should be String or ArrayBuffer instead of ' +
      typeName(data) + ';';
  }
  return state === 'open' ? null : NOT_CONNECTED;
}

// Why a close({ code, reason }) is refused, or null.
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

function errorText(err) {
  return String((err && err.message) || err);
}

// Calling code under test: an error it throws is kept in `errors` and handed to `report`.
function callbacks(report) {
  const errors = [];
  function call(fn, arg) {
    try {
      fn(arg);
      return null;
    } catch (err) {
      errors.push(err);
      report(err);
      return err;
    }
  }
  return {
    errors,
    call,
    // Every function of a copy of `list`; the first error thrown, or null.
    callAll(list, payload) {
      let first = null;
      for (const fn of list.slice()) {
        const err = call(fn, payload);
        if (err && !first) first = err;
      }
      return first;
    },
    // The success or fail callback of an API call, then complete, on a later macrotask.
    callLater(options, ok, result) {
      const o = options || {};
      later(() => {
        const fn = ok ? o.success : o.fail;
        if (typeof fn === 'function') call(fn, result);
        if (typeof o.complete === 'function') call(o.complete, result);
      });
    },
  };
}

// The listener half of a SocketTask: `methods` are its onOpen … onError; `emit` calls one kind's
// listeners and returns the first error thrown; `refuse` ends a task that never connects (onError then
// onClose, and `fail`, all on a later macrotask).
function taskListeners(cb) {
  const lists = { open: [], message: [], close: [], error: [] };
  const add = (kind) => (fn) => {
    if (typeof fn === 'function') lists[kind].push(fn);
  };
  const emit = (kind, payload) => cb.callAll(lists[kind], payload);
  return {
    lists,
    emit,
    methods: { onOpen: add('open'), onMessage: add('message'), onClose: add('close'), onError: add('error') },
    refuse(errMsg, options) {
      later(() => {
        emit('error', { errMsg: errMsg });
        emit('close', { code: 1006, reason: '' });
      });
      cb.callLater(options, false, { errMsg: errMsg });
    },
  };
}

// App lifecycle and network: the functions of `wx`, and the controller's side that fires them. With
// `rethrow`, the first error a listener throws is thrown again from the controller call.
function addAppEvents(wx, ctrl, cb, networkType, rethrow) {
  const app = { hide: [], show: [], network: [] };
  function emitApp(list, payload) {
    const err = cb.callAll(list, payload);
    if (err && rethrow) throw err;
  }
  const add = (list) => (fn) => {
    if (typeof fn === 'function') list.push(fn);
  };
  const remove = (list) => (fn) => {
    if (fn === undefined) {
      list.length = 0;
      return;
    }
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
  Object.assign(wx, {
    onAppHide: add(app.hide),
    offAppHide: remove(app.hide),
    onAppShow: add(app.show),
    offAppShow: remove(app.show),
    onNetworkStatusChange: add(app.network),
    offNetworkStatusChange: remove(app.network),
    getNetworkType(o) {
      const result = () => ({ networkType: ctrl.network.networkType, errMsg: 'getNetworkType:ok' });
      if (!o || (o.success === undefined && o.fail === undefined && o.complete === undefined)) {
        return new Promise((resolve) => later(() => resolve(result())));
      }
      cb.callLater(o, true, result());
      return undefined;
    },
  });
  Object.assign(ctrl, {
    network: { isConnected: true, networkType: networkType || 'wifi' },
    hide() {
      emitApp(app.hide, {});
    },
    show() {
      emitApp(app.show, { path: 'pages/index/index', query: {}, scene: 1001, referrerInfo: {} });
    },
    setNetwork(isConnected, type) {
      const t = type || (isConnected ? 'wifi' : 'none');
      ctrl.network = { isConnected: Boolean(isConnected), networkType: t };
      emitApp(app.network, { isConnected: Boolean(isConnected), networkType: t });
    },
    listenerCounts() {
      return { appHide: app.hide.length, appShow: app.show.length, networkStatusChange: app.network.length };
    },
  });
}

// ---- the scripted fake ----
//
// Events the test script triggers (`serverOpen`, `serverMessage`, `serverClose`, `serverError`,
// `fireLate`) are delivered synchronously, before the script call returns.
//
// After a successful `task.close()` the fake delivers onClose with the same code and reason on a later
// macrotask, unless the script closes the task first. Set `ctrl.autoClose` (or one record's `autoClose`) to
// false to leave the task in `closing` until the script calls `serverClose`.
//
// A listener that throws: when the script triggered the event (or called hide/show/setNetwork), the first
// such error is thrown again from the script call once every listener has run, so a panic in code under
// test fails the test.
//
// Script side: `createFakeWx()` (see below). From Rust, the `fake*` functions at the end take the
// controller or a task record as their first argument.

const PROFILE = {
  fetchStart: 0,
  domainLookUpStart: 0,
  domainLookUpEnd: 0,
  connectStart: 0,
  connectEnd: 0,
  rtt: 0,
  handshakeCost: 0,
  cost: 0,
};

/**
 * Create a fake `wx` and its controller.
 * @param {{ autoClose?: boolean, networkType?: string }} [options]
 */
export function createFakeWx(options) {
  const opts = options || {};
  const tasks = [];
  const cb = callbacks(() => {});
  const ctrl = {
    wx: null,
    tasks,
    listenerErrors: cb.errors,
    autoClose: opts.autoClose !== false,
    lastTask() {
      return tasks.length ? tasks[tasks.length - 1] : null;
    },
    liveCount() {
      let n = 0;
      for (const t of tasks) if (t.live) n += 1;
      return n;
    },
  };

  function makeTask(connectOptions) {
    const listeners = taskListeners(cb);
    let closeTimer = null;

    // What the code under test gets: only the methods a real SocketTask has.
    const task = Object.assign({
      send(o) {
        const so = o || {};
        const problem = sendProblem(so.data, record.state) || record.sendFailure;
        if (problem) {
          cb.callLater(so, false, { errMsg: problem });
        } else {
          record.sent.push(isArrayBuffer(so.data) ? so.data.slice(0) : so.data);
          cb.callLater(so, true, { errMsg: 'sendSocketMessage:ok' });
        }
      },
      close(o) {
        const co = o || {};
        const problem = closeProblem(co.code, co.reason);
        record.closeCalls.push({ code: co.code, reason: co.reason, ok: problem === null });
        if (problem) {
          cb.callLater(co, false, { errMsg: problem });
          return;
        }
        if (record.state === 'connecting' || record.state === 'open') {
          record.state = 'closing';
          if (record.autoClose === undefined ? ctrl.autoClose : record.autoClose) {
            const code = co.code;
            const reason = co.reason === undefined ? '' : co.reason;
            closeTimer = setTimeout(() => {
              closeTimer = null;
              if (record.state !== 'closed') finish(code, reason, false);
            }, 0);
          }
        }
        cb.callLater(co, true, { errMsg: 'closeSocket:ok' });
      },
    }, listeners.methods);

    function emit(kind, payload, rethrow) {
      const err = listeners.emit(kind, payload);
      if (rethrow && err) throw err;
    }

    function finish(code, reason, rethrow) {
      if (closeTimer !== null) {
        clearTimeout(closeTimer);
        closeTimer = null;
      }
      record.state = 'closed';
      record.live = false;
      emit('close', { code: code, reason: reason }, rethrow);
    }

    function expectState(action, allowed) {
      if (allowed.indexOf(record.state) < 0) {
        throw new Error('fake_wx: ' + action + ' on a task in state ' + record.state);
      }
    }

    // What the test script gets.
    const record = {
      index: tasks.length,
      task,
      options: connectOptions,
      sent: [],
      closeCalls: [],
      state: 'connecting',
      live: true,
      // undefined: follow ctrl.autoClose; true or false: this task's own setting.
      autoClose: undefined,
      // errMsg with which send fails while open, or null.
      sendFailure: null,
      listenerCounts() {
        const l = listeners.lists;
        return { open: l.open.length, message: l.message.length, close: l.close.length, error: l.error.length };
      },
      serverOpen(header) {
        expectState('serverOpen', ['connecting']);
        record.state = 'open';
        emit('open', { header: header || {}, profile: Object.assign({}, PROFILE) }, true);
      },
      serverMessage(data) {
        expectState('serverMessage', ['open', 'closing']);
        let payload = data;
        if (ArrayBuffer.isView(data)) {
          payload = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
        } else if (typeof data !== 'string' && !isArrayBuffer(data)) {
          throw new Error('fake_wx: serverMessage takes a string or an ArrayBuffer, got ' + typeName(data));
        }
        emit('message', { data: payload }, true);
      },
      serverClose(code, reason) {
        expectState('serverClose', ['connecting', 'open', 'closing']);
        finish(code === undefined ? 1000 : code, reason === undefined ? '' : reason, true);
      },
      serverError(errMsg) {
        expectState('serverError', ['connecting', 'open', 'closing']);
        emit('error', { errMsg: errMsg === undefined ? 'WebSocket error' : String(errMsg) }, true);
      },
      // Call the listeners of `kind` whatever the state, as a late callback from the platform would.
      fireLate(kind, payload) {
        if (KINDS.indexOf(kind) < 0) throw new Error('fake_wx: fireLate kind must be one of ' + KINDS.join(', '));
        let p = payload;
        if (p === undefined) {
          if (kind === 'open') p = { header: {}, profile: Object.assign({}, PROFILE) };
          else if (kind === 'message') p = { data: 'late' };
          else if (kind === 'close') p = { code: 1006, reason: 'late' };
          else p = { errMsg: 'late error' };
        }
        emit(kind, p, true);
      },
    };
    return { record, listeners };
  }

  const wx = {
    connectSocket(options) {
      const o = options || {};
      const problem = connectProblem(o.url, ctrl.liveCount(), MAX_TASKS);
      const made = makeTask(Object.assign({}, o));
      const record = made.record;
      tasks.push(record);
      if (problem) {
        record.state = 'closed';
        record.live = false;
        made.listeners.refuse(problem, o);
      } else {
        cb.callLater(o, true, { errMsg: 'connectSocket:ok' });
      }
      return record.task;
    },
  };
  addAppEvents(wx, ctrl, cb, opts.networkType, true);
  ctrl.wx = wx;
  return ctrl;
}

// Plain functions for Rust tests (wasm-bindgen imports).
export function fakeWxNew(options) { return createFakeWx(options); }
export function fakeWx(ctrl) { return ctrl.wx; }
export function fakeLastTask(ctrl) { return ctrl.lastTask(); }
export function fakeTask(ctrl, index) { return ctrl.tasks[index] || null; }
export function fakeTaskCount(ctrl) { return ctrl.tasks.length; }
export function fakeLiveCount(ctrl) { return ctrl.liveCount(); }
export function fakeServerOpen(task, header) { task.serverOpen(header); }
export function fakeServerMessage(task, data) { task.serverMessage(data); }
export function fakeServerClose(task, code, reason) { task.serverClose(code, reason); }
export function fakeServerError(task, msg) { task.serverError(msg); }
export function fakeFireLate(task, kind, payload) { task.fireLate(kind, payload); }
export function fakeSent(task) { return task.sent.slice(); }
export function fakeCloseCalls(task) { return task.closeCalls.map((c) => Object.assign({}, c)); }
export function fakeTaskState(task) { return task.state; }
export function fakeTaskOptions(task) { return Object.assign({}, task.options); }
export function fakeTaskListenerCounts(task) { return task.listenerCounts(); }
export function fakeSetSendFailure(task, errMsg) { task.sendFailure = errMsg || null; }
export function fakeSetAutoClose(ctrl, on) { ctrl.autoClose = Boolean(on); }
export function fakeHide(ctrl) { ctrl.hide(); }
export function fakeShow(ctrl) { ctrl.show(); }
export function fakeSetNetwork(ctrl, isConnected, networkType) { ctrl.setNetwork(isConnected, networkType); }
export function fakeListenerCounts(ctrl) { return ctrl.listenerCounts(); }
export function fakeListenerErrors(ctrl) { return ctrl.listenerErrors.slice(); }

// ---- wx over a standard WebSocket ----
//
// Binary frames arrive as ArrayBuffer (binaryType 'arraybuffer'). `header` is passed as handshake headers
// when the constructor is `ws`; browsers cannot set headers, so there it is ignored. With `ws`, onOpen's
// `header` holds the server's response headers; in a browser it is `{}`. `perMessageDeflate` is off unless
// the options ask for it (wx's default). `timeout` in connectSocket's options is honoured: not open by then
// → onError `connectSocket:fail timeout`, then the socket is closed.

function looksLikeNodeWs(Ctor) {
  return typeof Ctor === 'function' && !!Ctor.prototype && typeof Ctor.prototype.terminate === 'function';
}

/**
 * `wx` on a WebSocket constructor, and its controller:
 * → { wx, hide(), show(), setNetwork(isConnected, networkType?), network, liveCount(), listenerCounts(),
 *     listenerErrors }
 * @param {Function} WebSocketCtor a standard WebSocket constructor (browser `WebSocket` or npm `ws`)
 * @param {{ maxTasks?: number, nodeWs?: boolean, onListenerError?: (err: any) => void }} [opts]
 *   maxTasks: default 5; nodeWs: whether the constructor is `ws` (default: detected); onListenerError
 *   receives errors thrown by callbacks (default: rethrown from a fresh macrotask, the way a runtime
 *   reports an uncaught error).
 */
export function wxOverWebSocket(WebSocketCtor, opts) {
  const o = opts || {};
  const cb = callbacks((err) => {
    if (typeof o.onListenerError === 'function') o.onListenerError(err);
    else later(() => {
      throw err;
    });
  });
  const maxTasks = o.maxTasks === undefined ? MAX_TASKS : o.maxTasks;
  const nodeWs = o.nodeWs === undefined ? looksLikeNodeWs(WebSocketCtor) : Boolean(o.nodeWs);
  let live = 0;

  function makeTask(options) {
    const listeners = taskListeners(cb);
    const emit = listeners.emit;
    let state = 'connecting'; // connecting | open | closing | closed
    let socket = null;
    let counted = false;
    let timeoutTimer = null;
    let responseHeader = {};

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

    function refuse(errMsg) {
      state = 'closed';
      listeners.refuse(errMsg, options);
    }

    function start() {
      const url = options.url;
      const problem = connectProblem(url, live, maxTasks);
      if (problem) {
        refuse(problem);
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
        refuse('connectSocket:fail ' + errorText(err));
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
      cb.callLater(options, true, { errMsg: 'connectSocket:ok' });
    }

    const task = Object.assign({
      send(so) {
        const s = so || {};
        const problem = sendProblem(s.data, state);
        if (problem) {
          cb.callLater(s, false, { errMsg: problem });
          return;
        }
        try {
          socket.send(s.data);
        } catch (err) {
          cb.callLater(s, false, { errMsg: 'sendSocketMessage:fail ' + errorText(err) });
          return;
        }
        cb.callLater(s, true, { errMsg: 'sendSocketMessage:ok' });
      },
      close(co) {
        const c = co || {};
        const problem = closeProblem(c.code, c.reason);
        if (problem) {
          cb.callLater(c, false, { errMsg: problem });
          return;
        }
        if (socket && (state === 'connecting' || state === 'open')) {
          state = state === 'open' ? 'closing' : state;
          try {
            socket.close(c.code, c.reason === undefined ? '' : c.reason);
          } catch (err) {
            cb.callLater(c, false, { errMsg: 'closeSocket:fail ' + errorText(err) });
            return;
          }
        }
        cb.callLater(c, true, { errMsg: 'closeSocket:ok' });
      },
    }, listeners.methods);
    start();
    return task;
  }

  const wx = {
    connectSocket(options) {
      return makeTask(Object.assign({}, options || {}));
    },
  };
  const ctrl = {
    wx,
    liveCount() {
      return live;
    },
    listenerErrors: cb.errors,
  };
  addAppEvents(wx, ctrl, cb, 'wifi', false);
  return ctrl;
}
