// A scripted fake of the WeChat `wx` object, for tests that must control every socket event.
//
// Self-contained ES module without dependencies: it runs in Node and in browsers and is loaded from Rust
// through `#[wasm_bindgen(module = "/tests/support/fake_wx.js")]`, which copies this one file.
//
// The SocketTask it hands out behaves like the phone's (see the platform notes):
// - `connectSocket(options)` returns the task synchronously; `success`/`complete` run later (setTimeout 0);
// - the task has `send`, `close`, `onOpen`, `onMessage`, `onClose`, `onError` and nothing else: no `off*`,
//   no `readyState`;
// - `send` before open fails with `sendSocketMessage:fail WebSocket is not connected`; `data` must be a
//   string or an ArrayBuffer (typed arrays are refused);
// - `close` accepts only code 1000 or 3000–4999 (a missing code is refused too) and a reason of at most
//   123 UTF-8 bytes; failures go to `fail` with a `closeSocket:fail ...` errMsg;
// - at most 5 live tasks (open, opening or closing); the 6th gets onError then onClose and `fail` with
//   `connectSocket:fail fail reach max websocket connect count 5`;
// - a listener registered after an event is not called for it.
// API callbacks (`success`, `fail`, `complete`) and the events of a refused task arrive on a later
// macrotask, like the native bridge's. Events the test script triggers (`serverOpen`, `serverMessage`,
// `serverClose`, `serverError`, `fireLate`) are delivered synchronously, before the script call returns.
//
// After a successful `task.close()` the fake delivers onClose with the same code and reason on a later
// macrotask, unless the script closes the task first. Set `ctrl.autoClose` (or one record's `autoClose`) to
// false to leave the task in `closing` until the script calls `serverClose`.
//
// A listener that throws: the error is kept in `ctrl.listenerErrors`; when the script triggered the event,
// the first such error is thrown again from the script call once every listener has run, so a panic in
// code under test fails the test.
//
// Script side: `createFakeWx()` (see below). From Rust, the `fake*` functions at the end take the
// controller or a task record as their first argument.

const MAX_TASKS = 5;
const NOT_CONNECTED = 'sendSocketMessage:fail WebSocket is not connected';
const MAX_REACHED = 'connectSocket:fail fail reach max websocket connect count ' + MAX_TASKS;

function later(fn) {
  setTimeout(fn, 0);
}

function typeName(value) {
  if (value === null) return 'Null';
  if (value === undefined) return 'Undefined';
  const tag = Object.prototype.toString.call(value);
  return tag.slice(8, -1);
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

function dataProblem(data) {
  if (typeof data === 'string' || isArrayBuffer(data)) return null;
  return 'sendSocketMessage:fail parameter error: parameter.data should be String or ArrayBuffer instead of ' +
    typeName(data) + ';';
}

// Run the success or fail callback, then complete, on a later macrotask.
function callLater(options, ok, result, errors) {
  const o = options || {};
  later(() => {
    const fn = ok ? o.success : o.fail;
    if (typeof fn === 'function') safeCall(fn, result, errors);
    if (typeof o.complete === 'function') safeCall(o.complete, result, errors);
  });
}

function safeCall(fn, arg, errors) {
  try {
    fn(arg);
    return null;
  } catch (err) {
    errors.push(err);
    return err;
  }
}

function copyBuffer(buf) {
  return buf.slice(0);
}

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

const KINDS = ['open', 'message', 'close', 'error'];

/**
 * Create a fake `wx` and its controller.
 * @param {{ autoClose?: boolean, networkType?: string }} [options]
 */
export function createFakeWx(options) {
  const opts = options || {};
  const tasks = [];
  const listenerErrors = [];
  const app = { hide: [], show: [], network: [] };
  const ctrl = {
    wx: null,
    tasks,
    listenerErrors,
    autoClose: opts.autoClose !== false,
    network: { isConnected: true, networkType: opts.networkType || 'wifi' },
    lastTask() {
      return tasks.length ? tasks[tasks.length - 1] : null;
    },
    liveCount() {
      let n = 0;
      for (const t of tasks) if (t.live) n += 1;
      return n;
    },
    hide() {
      emitApp(app.hide, {});
    },
    show() {
      emitApp(app.show, { path: 'pages/index/index', query: {}, scene: 1001, referrerInfo: {} });
    },
    setNetwork(isConnected, networkType) {
      const type = networkType || (isConnected ? 'wifi' : 'none');
      ctrl.network = { isConnected: Boolean(isConnected), networkType: type };
      emitApp(app.network, { isConnected: Boolean(isConnected), networkType: type });
    },
    listenerCounts() {
      return { appHide: app.hide.length, appShow: app.show.length, networkStatusChange: app.network.length };
    },
  };

  function emitApp(list, payload) {
    const errs = [];
    for (const fn of list.slice()) {
      const err = safeCall(fn, payload, listenerErrors);
      if (err) errs.push(err);
    }
    if (errs.length) throw errs[0];
  }

  function addApp(list, fn) {
    if (typeof fn === 'function') list.push(fn);
  }

  function removeApp(list, fn) {
    if (fn === undefined) {
      list.length = 0;
      return;
    }
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }

  function makeTask(connectOptions) {
    const listeners = { open: [], message: [], close: [], error: [] };
    let closeTimer = null;

    // What the code under test gets: only the methods a real SocketTask has.
    const task = {
      send(o) {
        const so = o || {};
        const problem = dataProblem(so.data);
        if (problem) {
          callLater(so, false, { errMsg: problem }, listenerErrors);
        } else if (record.state !== 'open') {
          callLater(so, false, { errMsg: NOT_CONNECTED }, listenerErrors);
        } else if (record.sendFailure) {
          callLater(so, false, { errMsg: record.sendFailure }, listenerErrors);
        } else {
          record.sent.push(isArrayBuffer(so.data) ? copyBuffer(so.data) : so.data);
          callLater(so, true, { errMsg: 'sendSocketMessage:ok' }, listenerErrors);
        }
      },
      close(o) {
        const co = o || {};
        const problem = closeProblem(co.code, co.reason);
        record.closeCalls.push({ code: co.code, reason: co.reason, ok: problem === null });
        if (problem) {
          callLater(co, false, { errMsg: problem }, listenerErrors);
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
        callLater(co, true, { errMsg: 'closeSocket:ok' }, listenerErrors);
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

    function emit(kind, payload, rethrow) {
      const errs = [];
      for (const fn of listeners[kind].slice()) {
        const err = safeCall(fn, payload, listenerErrors);
        if (err) errs.push(err);
      }
      if (rethrow && errs.length) throw errs[0];
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
        return {
          open: listeners.open.length,
          message: listeners.message.length,
          close: listeners.close.length,
          error: listeners.error.length,
        };
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
    // A task that never connects: onError then onClose, and `fail`, all on a later macrotask.
    function refuse(errMsg, callbacks) {
      record.state = 'closed';
      record.live = false;
      later(() => {
        emit('error', { errMsg: errMsg }, false);
        emit('close', { code: 1006, reason: '' }, false);
      });
      callLater(callbacks, false, { errMsg: errMsg }, listenerErrors);
    }
    return { record, refuse };
  }

  const wx = {
    connectSocket(options) {
      const o = options || {};
      const live = ctrl.liveCount();
      const made = makeTask(Object.assign({}, o));
      const record = made.record;
      tasks.push(record);
      if (typeof o.url !== 'string') {
        made.refuse('connectSocket:fail parameter error: parameter.url should be String instead of ' +
          typeName(o.url) + ';', o);
      } else if (!/^wss?:\/\//i.test(o.url)) {
        made.refuse('connectSocket:fail invalid url "' + o.url + '"', o);
      } else if (live >= MAX_TASKS) {
        made.refuse(MAX_REACHED, o);
      } else {
        callLater(o, true, { errMsg: 'connectSocket:ok' }, listenerErrors);
      }
      return record.task;
    },
    onAppHide(fn) { addApp(app.hide, fn); },
    offAppHide(fn) { removeApp(app.hide, fn); },
    onAppShow(fn) { addApp(app.show, fn); },
    offAppShow(fn) { removeApp(app.show, fn); },
    onNetworkStatusChange(fn) { addApp(app.network, fn); },
    offNetworkStatusChange(fn) { removeApp(app.network, fn); },
    getNetworkType(o) {
      const result = () => ({ networkType: ctrl.network.networkType, errMsg: 'getNetworkType:ok' });
      if (!o || (o.success === undefined && o.fail === undefined && o.complete === undefined)) {
        return new Promise((resolve) => later(() => resolve(result())));
      }
      callLater(o, true, result(), listenerErrors);
      return undefined;
    },
  };
  ctrl.wx = wx;
  return ctrl;
}

// ---- plain functions for Rust tests (wasm-bindgen imports) ----

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
