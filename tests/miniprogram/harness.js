'use strict';
/**
 * A mini-program runtime shaped like the phone, in a Node `vm` context, for running a built mini-program
 * (its app.js, pages and miniprogram_npm/ output) unchanged.
 *
 * What the page code sees (see the platform notes):
 * - No `WebAssembly`, `TextEncoder`, `TextDecoder`, `fetch`, `URL`, `window`, `self`, `global`,
 *   `globalThis`, `queueMicrotask`, `FinalizationRegistry`, `WeakRef` (options can put some back).
 *   Module code also gets `window`, `document`, `self`, `fetch`, `URL`, `XMLHttpRequest` and `WebSocket`
 *   as undefined wrapper parameters, the way the mini-program runtime shadows them.
 * - `WXWebAssembly.instantiate(path, imports)`: a path only (no bytes), to a `.wasm` or `.wasm.br` file
 *   inside the mini-program tree; `.br` only from base library 2.14.0; the module is compiled with the
 *   host's WebAssembly. Resolves with the Instance (as the official typings say), or `{ instance, module }`
 *   with `instantiateResult: 'pair'`. Every call is recorded in `attempts`, every success in `instantiated`.
 * - A CommonJS `require` limited to the tree: relative and `/`-absolute paths (`.js` optional, `index.js` of
 *   a folder), bare names from the nearest `miniprogram_npm/` up to the root; anything else throws
 *   `module "…" is not defined`.
 * - `App`, `Page`, `getApp`, `getCurrentPages`; `setData` with path keys; page event handlers named in the
 *   page's WXML must exist.
 * - `wx`: `connectSocket` on real sockets (npm `ws` through tests/support/wx_over_websocket.js: SocketTask
 *   without off*, the 5-task limit, errMsg strings), `onAppHide`/`onAppShow`/`onNetworkStatusChange` that a
 *   test triggers with `hide()`, `show()`, `setNetwork()`, `getSystemInfoSync`/`getAppBaseInfo` with
 *   `SDKVersion` (getAppBaseInfo from 2.25.3), `getFileSystemManager().readFileSync` inside the tree.
 * - Timers: setTimeout/setInterval and their clear functions; an error thrown by a callback is caught and
 *   kept in `errors` (as the runtime would report it) instead of crashing the test process. Every timer
 *   still pending is cleared by `close()`.
 *
 * Options of `MiniProgram.create(root, options)`:
 *   sdkVersion ('3.7.0'), wasm ('wx': WXWebAssembly only | 'webassembly': the standard one only, no
 *   WXWebAssembly | 'none'), instantiateResult ('instance' | 'pair'), WebSocket (npm `ws`),
 *   keepGlobals ([] names among the removed ones to keep), verbose (print the page's console).
 */

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const zlib = require('node:zlib');
const { pathToFileURL } = require('node:url');

const SHADOWED = ['window', 'document', 'self', 'fetch', 'URL', 'XMLHttpRequest', 'WebSocket'];
const REMOVED = ['WebAssembly', 'globalThis', 'FinalizationRegistry', 'WeakRef'];
// Never present in a fresh vm context, checked anyway by `absentGlobals()`.
const ABSENT = ['TextEncoder', 'TextDecoder', 'fetch', 'URL', 'window', 'self', 'global', 'queueMicrotask',
  'WebAssembly', 'globalThis', 'FinalizationRegistry', 'WeakRef', 'require', 'process', 'Buffer'];

function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

function inside(root, file) {
  const r = path.relative(root, file);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (_) {
    return false;
  }
}

// 'a.b[2].c' → ['a', 'b', 2, 'c']
function parsePath(key) {
  const parts = [];
  key.replace(/([^.[\]]+)|\[(\d+)\]/g, (_, name, index) => {
    parts.push(index !== undefined ? Number(index) : name);
    return '';
  });
  return parts;
}

function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

// npm `ws` masks outgoing data in place unless it can tell the buffer is the caller's: it recognises an
// ArrayBuffer with `instanceof`, so an ArrayBuffer from the page's realm is wrapped without a copy and the
// page's own buffer comes back scrambled. A phone's SocketTask never writes into the data it is given, so
// the sockets here get a host copy first.
function hostBuffers(WebSocketCtor) {
  class HostBufferWebSocket extends WebSocketCtor {
    send(data, ...rest) {
      if (Object.prototype.toString.call(data) === '[object ArrayBuffer]' && !(data instanceof ArrayBuffer)) {
        data = Buffer.from(new Uint8Array(data));
      }
      return super.send(data, ...rest);
    }
  }
  return HostBufferWebSocket;
}

let wxOverWebSocketPromise = null;
function loadWxOverWebSocket() {
  if (!wxOverWebSocketPromise) {
    const file = path.join(__dirname, '..', 'support', 'wx_over_websocket.js');
    wxOverWebSocketPromise = import(pathToFileURL(file).href).then((m) => m.wxOverWebSocket);
  }
  return wxOverWebSocketPromise;
}

class MiniProgram {
  static async create(root, options = {}) {
    const wxOverWebSocket = await loadWxOverWebSocket();
    return new MiniProgram(path.resolve(root), options, wxOverWebSocket);
  }

  constructor(root, options, wxOverWebSocket) {
    this.root = root;
    this.options = options;
    this.sdkVersion = options.sdkVersion || '3.7.0';
    this.errors = [];
    this.logs = [];
    this.instantiated = [];
    this.attempts = [];
    this.filesRead = [];
    this.cache = new Map();
    this.pages = [];
    this.app = null;
    this.timers = new Set();
    this.closed = false;

    const WebSocketCtor = hostBuffers(options.WebSocket || require('ws'));
    this.sockets = wxOverWebSocket(WebSocketCtor, { onListenerError: (err) => this.errors.push(err) });
    this.wx = this.makeWx();
    this.context = this.makeContext();
  }

  // ---- the global scope ----

  makeContext() {
    const mp = this;
    const keep = new Set(this.options.keepGlobals || []);
    const guard = (fn, args) => {
      try {
        fn(...args);
      } catch (err) {
        mp.errors.push(err);
      }
    };
    const sandbox = {
      console: this.makeConsole(),
      setTimeout(fn, ms, ...args) {
        const h = setTimeout(() => {
          mp.timers.delete(h);
          guard(fn, args);
        }, ms);
        mp.timers.add(h);
        return h;
      },
      clearTimeout(h) {
        mp.timers.delete(h);
        clearTimeout(h);
      },
      setInterval(fn, ms, ...args) {
        const h = setInterval(() => guard(fn, args), ms);
        mp.timers.add(h);
        return h;
      },
      clearInterval(h) {
        mp.timers.delete(h);
        clearInterval(h);
      },
      wx: this.wx,
      App: (def) => {
        if (mp.app) throw new Error('App() called twice');
        mp.app = def;
      },
      getApp: () => mp.app,
      Page: (def) => {
        if (!mp.pendingPage) throw new Error('Page() called outside a page module');
        mp.pendingPage.def = def;
      },
      getCurrentPages: () => mp.pages.slice(),
    };
    if (this.options.wasm === undefined || this.options.wasm === 'wx') sandbox.WXWebAssembly = this.makeWXWebAssembly();
    const context = vm.createContext(sandbox, { name: 'mini-program' });
    for (const name of REMOVED) {
      if (keep.has(name)) continue;
      if (name === 'WebAssembly' && this.options.wasm === 'webassembly') continue;
      vm.runInContext(`delete this[${JSON.stringify(name)}];`, context);
    }
    return context;
  }

  makeConsole() {
    const mp = this;
    const out = {};
    for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
      out[level] = (...args) => {
        mp.logs.push({ level, args });
        if (mp.options.verbose) console[level === 'debug' ? 'log' : level]('[mini-program]', ...args);
      };
    }
    return out;
  }

  /** Names from the list that the page code can see (should be none). */
  presentGlobals(names = ABSENT) {
    const probe = `(function (${SHADOWED.join(', ')}) { return [${names.map((n) => `typeof ${n} !== 'undefined' ? ${JSON.stringify(n)} : null`).join(', ')}]; })()`;
    return Array.from(vm.runInContext(probe, this.context)).filter(Boolean);
  }

  // ---- WXWebAssembly and files ----

  packagePath(p, what) {
    if (typeof p !== 'string' || p === '') throw new TypeError(`${what}: the path must be a non-empty string`);
    const file = path.join(this.root, p.startsWith('/') ? p.slice(1) : p);
    if (!inside(this.root, file)) throw new Error(`${what}: ${p} is outside the code package`);
    return file;
  }

  makeWXWebAssembly() {
    const mp = this;
    return {
      instantiate(p, imports) {
        mp.attempts.push(p);
        return new Promise((resolve, reject) => {
          if (typeof p !== 'string') {
            throw new TypeError('WXWebAssembly.instantiate: the first argument must be a path to a .wasm file in the code package, not ' + Object.prototype.toString.call(p));
          }
          const file = mp.packagePath(p, 'WXWebAssembly.instantiate');
          const br = p.endsWith('.wasm.br');
          if (!br && !p.endsWith('.wasm')) throw new Error(`WXWebAssembly.instantiate: ${p} is not a .wasm or .wasm.br file`);
          if (br && compareVersions(mp.sdkVersion, '2.14.0') < 0) {
            throw new Error(`WXWebAssembly.instantiate: .br files need base library 2.14.0 (this is ${mp.sdkVersion})`);
          }
          if (!isFile(file)) throw new Error(`WXWebAssembly.instantiate: no such file ${p}`);
          let bytes = fs.readFileSync(file);
          if (br) bytes = zlib.brotliDecompressSync(bytes);
          mp.instantiated.push({ path: p, file: path.relative(mp.root, file).split(path.sep).join('/'), bytes: bytes.length });
          WebAssembly.instantiate(bytes, imports).then((r) => {
            resolve(mp.options.instantiateResult === 'pair' ? r : r.instance);
          }, reject);
        });
      },
    };
  }

  makeWx() {
    const mp = this;
    const wx = Object.assign({}, this.sockets.wx);
    const info = () => ({ SDKVersion: mp.sdkVersion, platform: 'devtools', version: '8.0.50', language: 'zh_CN' });
    wx.getSystemInfoSync = () => Object.assign(info(), { brand: 'devtools', model: 'harness', system: 'Node ' + process.version });
    if (compareVersions(this.sdkVersion, '2.25.3') >= 0) wx.getAppBaseInfo = () => info();
    wx.getFileSystemManager = () => ({
      readFileSync(p, encoding) {
        let file;
        try {
          file = mp.packagePath(p, 'readFileSync');
        } catch (err) {
          throw new Error(`readFileSync:fail ${err.message}`);
        }
        if (!isFile(file)) throw new Error(`readFileSync:fail no such file or directory, open ${p}`);
        mp.filesRead.push(p);
        const buf = fs.readFileSync(file);
        if (encoding) return buf.toString(encoding);
        return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      },
    });
    wx.showToast = () => {};
    wx.showModal = () => {};
    return wx;
  }

  // ---- modules ----

  resolve(fromDir, spec) {
    if (typeof spec !== 'string' || spec === '') throw new Error('require: the module name must be a non-empty string');
    const candidates = (base) => [base, base + '.js', base + '.json', path.join(base, 'index.js')];
    let bases;
    if (spec.startsWith('/')) bases = [path.join(this.root, spec.slice(1))];
    else if (spec.startsWith('./') || spec.startsWith('../')) bases = [path.resolve(fromDir, spec)];
    else {
      bases = [];
      for (let dir = fromDir; inside(this.root, dir); dir = path.dirname(dir)) {
        bases.push(path.join(dir, 'miniprogram_npm', spec));
        if (dir === this.root) break;
      }
    }
    for (const base of bases) {
      for (const file of candidates(base)) {
        if (inside(this.root, file) && isFile(file)) return file;
      }
    }
    throw new Error(`module "${spec}" is not defined (required from ${path.relative(this.root, fromDir) || '/'})`);
  }

  load(file) {
    const cached = this.cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} };
    this.cache.set(file, module);
    const source = fs.readFileSync(file, 'utf8');
    const name = path.relative(this.root, file).split(path.sep).join('/');
    if (file.endsWith('.json')) {
      module.exports = vm.runInContext(`(${source})`, this.context, { filename: name });
      return module.exports;
    }
    const wrapper = vm.runInContext(
      `(function (require, module, exports, ${SHADOWED.join(', ')}) {${source}\n})`,
      this.context,
      { filename: name },
    );
    const dir = path.dirname(file);
    const req = (spec) => this.load(this.resolve(dir, spec));
    try {
      wrapper.call(undefined, req, module, module.exports);
    } catch (err) {
      this.cache.delete(file);
      throw err;
    }
    return module.exports;
  }

  /** require() as page code at the root would call it. */
  require(spec) {
    return this.load(this.resolve(this.root, spec));
  }

  /** Runs an expression in the page's global scope. */
  evaluate(code) {
    return vm.runInContext(code, this.context);
  }

  // ---- app and pages ----

  appJson() {
    return JSON.parse(fs.readFileSync(path.join(this.root, 'app.json'), 'utf8'));
  }

  launch(options = { path: '', query: {}, scene: 1001 }) {
    this.load(path.join(this.root, 'app.js'));
    if (!this.app) throw new Error('app.js did not call App()');
    if (typeof this.app.onLaunch === 'function') this.app.onLaunch(options);
    if (typeof this.app.onShow === 'function') this.app.onShow(options);
    return this.app;
  }

  openPage(route, query = {}) {
    const pages = this.appJson().pages || [];
    if (!pages.includes(route)) throw new Error(`${route} is not in app.json pages`);
    const base = path.join(this.root, route);
    for (const ext of ['.js', '.wxml']) if (!isFile(base + ext)) throw new Error(`${route}${ext} is missing`);
    this.pendingPage = {};
    try {
      this.load(base + '.js');
    } finally {
      this.pendingPage.route = route;
    }
    const def = this.pendingPage.def;
    this.pendingPage = null;
    if (!def) throw new Error(`${route}.js did not call Page()`);

    const page = {};
    for (const key of Object.keys(def)) page[key] = key === 'data' ? clone(def.data) : def[key];
    if (!page.data) page.data = {};
    page.route = route;
    page.options = query;
    page.renders = 0;
    page.setData = (patch, callback) => {
      for (const key of Object.keys(patch)) {
        const parts = parsePath(key);
        let target = page.data;
        for (let i = 0; i < parts.length - 1; i++) {
          if (target[parts[i]] === undefined || target[parts[i]] === null) target[parts[i]] = typeof parts[i + 1] === 'number' ? [] : {};
          target = target[parts[i]];
        }
        target[parts[parts.length - 1]] = clone(patch[key]);
      }
      page.renders += 1;
      if (typeof callback === 'function') this.context.setTimeout(callback, 0);
    };

    // Event handlers the WXML names must exist on the page.
    const wxml = fs.readFileSync(base + '.wxml', 'utf8');
    const handlers = [...wxml.matchAll(/\b(?:bind|catch|capture-bind|capture-catch|mut-bind):?[a-z]+\s*=\s*"([^"{}]+)"/g)].map((m) => m[1]);
    for (const h of handlers) {
      if (typeof page[h] !== 'function') throw new Error(`${route}.wxml binds "${h}", which the page does not define`);
    }
    page.handlers = handlers;

    this.pages.push(page);
    if (typeof page.onLoad === 'function') page.onLoad(query);
    if (typeof page.onShow === 'function') page.onShow();
    if (typeof page.onReady === 'function') page.onReady();
    return page;
  }

  closePage(page) {
    const i = this.pages.indexOf(page);
    if (i < 0) return;
    this.pages.splice(i, 1);
    if (typeof page.onUnload === 'function') page.onUnload();
  }

  // ---- what the phone does ----

  /** The app goes to the background: wx.onAppHide listeners, App.onHide, the top page's onHide. */
  hide() {
    this.sockets.hide();
    if (this.app && typeof this.app.onHide === 'function') this.app.onHide();
    const top = this.pages[this.pages.length - 1];
    if (top && typeof top.onHide === 'function') top.onHide();
  }

  /** The app comes back: wx.onAppShow listeners, App.onShow, the top page's onShow. */
  show() {
    this.sockets.show();
    if (this.app && typeof this.app.onShow === 'function') this.app.onShow({ path: '', query: {}, scene: 1001 });
    const top = this.pages[this.pages.length - 1];
    if (top && typeof top.onShow === 'function') top.onShow();
  }

  setNetwork(isConnected, networkType) {
    this.sockets.setNetwork(isConnected, networkType);
  }

  liveSockets() {
    return this.sockets.liveCount();
  }

  /** Unloads every page (their onUnload closes their clients) and clears the timers still pending. */
  close() {
    if (this.closed) return;
    this.closed = true;
    while (this.pages.length) this.closePage(this.pages[this.pages.length - 1]);
    for (const h of this.timers) {
      clearTimeout(h);
      clearInterval(h);
    }
    this.timers.clear();
  }
}

/** Resolves once `check()` returns a truthy value (returned), or rejects after `ms` with `what`. */
async function waitFor(check, what, ms = 5000, step = 10) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, step));
  }
}

module.exports = { MiniProgram, waitFor, ABSENT, SHADOWED };
