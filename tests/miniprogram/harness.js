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
 * - `App`, `Page`, `getApp`, `getCurrentPages`; `Component` and `Behavior` (definitions kept in `components`); `setData` with path keys; page event handlers named in the
 *   page's WXML must exist.
 * - `wx`: `connectSocket` on real sockets (npm `ws` through tests/support/wx_over_websocket.js: SocketTask
 *   without off*, the 5-task limit, errMsg strings), `onAppHide`/`onAppShow`/`onNetworkStatusChange` that a
 *   test triggers with `hide()`, `show()`, `setNetwork()`, `getSystemInfoSync`/`getAppBaseInfo` with
 *   `SDKVersion` (getAppBaseInfo from 2.25.3), `getFileSystemManager().readFileSync` inside the tree.
 * - Storage: `setStorage`, `setStorageSync`, `getStorageSync`, `removeStorageSync`, `getStorageInfoSync` on a
 *   `PhoneStorage` (tests/miniprogram/storage.js: WeChat's 1 MB per key and 10 MB in all, writes that can be
 *   made to fail), which outlives the app: `kill()` destroys the app the way WeChat does (no onHide, no
 *   onUnload; its timers stop, its sockets drop, its late calls change nothing), and a new
 *   `MiniProgram.create(root, { storage })` with the same storage is the relaunch.
 * - Timers: setTimeout/setInterval and their clear functions; an error thrown by a callback is caught and
 *   kept in `errors` (as the runtime would report it) instead of crashing the test process. Every timer
 *   still pending is cleared by `close()`.
 *
 * - `engine: 'mvp'`: an old engine, such as the JavaScriptCore that WXWebAssembly runs on below iOS 15.1
 *   (no reference types, no bulk memory): WXWebAssembly.instantiate, and the standard WebAssembly's
 *   instantiate/compile/Module where it exists, refuse any module that uses a feature after the 2017
 *   WebAssembly MVP (`mvpRefusal` below decides, with wasm-opt --mvp-features), rejecting the way a device
 *   does (a CompileError); every refusal is kept in `refused`.
 *
 * - `os: 'ios'`: iPhone WeChat. Its WXWebAssembly page says exports may be functions, Memory and Table, and
 *   "iOS 平台暂不支持 Global": instantiate refuses a module that exports a Global (a LinkError, as a device
 *   would fail), kept in `refused`. (Combine with `engine: 'mvp'` for iOS below 15.1.)
 * - `platform: 'douyin'`: Douyin's shape: the platform object is `tt` (no `wx`), the WebAssembly object is
 *   `TTWebAssembly` (resolves `{ module, instance }`; `.br` from base library 2.92.0.0, Douyin's own
 *   numbering; default sdkVersion '3.60.0.0').
 *
 * Options of `MiniProgram.create(root, options)`:
 *   appGlobal (false: true gives page code WeChat's writable `global` object), platform ('wechat' | 'douyin'), os ('android' | 'ios'), sdkVersion ('3.7.0'), wasm ('wx': WXWebAssembly only | 'webassembly': the standard one only, no
 *   WXWebAssembly | 'none'), engine ('current' | 'mvp'), instantiateResult ('instance' | 'pair'),
 *   WebSocket (npm `ws`), storage (a PhoneStorage; default a fresh one), keepGlobals ([] names among the removed ones to keep), verbose (print the
 *   page's console).
 */

const childProcess = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const zlib = require('node:zlib');
const { pathToFileURL } = require('node:url');
const { PhoneStorage } = require('./storage.js');

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

// ---- an engine that knows only the WebAssembly MVP ----

// Why an engine that implements only the 2017 WebAssembly MVP (1.0) would refuse `bytes`, or null when it
// would not: the verdict of binaryen's validator with every later feature off (`wasm-opt --mvp-features`, the
// tool and flag the package build uses), its first complaint as the reason ('memory.copy operations require
// bulk memory operations', 'all used features should be allowed (i32.extend8_s)', …); bytes it cannot parse
// are 'malformed: …'. wasm-opt takes 0.2–0.6 s a module here (1.4–1.9 s on a loaded machine), so a verdict
// is kept under the module's SHA-256 and the binaryen version, in memory and in node_modules/.cache/wxsocket-mvp/:
// each module is checked once.
const WASM_OPT = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'wasm-opt');
const MVP_CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'wxsocket-mvp');
const mvpVerdicts = new Map();

function mvpRefusal(input) {
  // Bytes from the page's realm too (its ArrayBuffer is not this realm's).
  const bytes = ArrayBuffer.isView(input) ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(new Uint8Array(input));
  const binaryen = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'node_modules', 'binaryen', 'package.json'), 'utf8')).version;
  const key = `${binaryen}-${crypto.createHash('sha256').update(bytes).digest('hex')}`;
  if (mvpVerdicts.has(key)) return mvpVerdicts.get(key);
  const stored = path.join(MVP_CACHE, key + '.json');
  let verdict;
  try {
    verdict = JSON.parse(fs.readFileSync(stored, 'utf8')).refusal;
  } catch {
    verdict = wasmOptRefusal(bytes);
    fs.mkdirSync(MVP_CACHE, { recursive: true });
    const tmp = `${stored}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify({ refusal: verdict }));
    fs.renameSync(tmp, stored);
  }
  mvpVerdicts.set(key, verdict);
  return verdict;
}

// Runs `wasm-opt --mvp-features` on `bytes` (no passes: it parses and validates) and makes its first
// complaint a reason.
function wasmOptRefusal(bytes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-mvp-'));
  try {
    const file = path.join(dir, 'module.wasm');
    fs.writeFileSync(file, bytes);
    const run = childProcess.spawnSync(WASM_OPT, ['--mvp-features', '--quiet', file, '-o', os.devNull], { encoding: 'utf8' });
    if (run.error) throw run.error;
    if (run.status === 0) return null;
    const lines = run.stderr.split('\n');
    const parse = /^\[parse exception: (.*?)(?: \(at [\d:]+\))?\]$/.exec(lines[0]);
    if (parse) return 'malformed: ' + parse[1];
    const at = lines.findIndex((l) => l.startsWith('[wasm-validator error'));
    if (at < 0) throw new Error(`wasm-opt failed without a validator error:\n${run.stderr}`);
    const why = lines[at].replace(/^\[wasm-validator error[^\]]*\] (?:unexpected (?:true|false): )?/, '').replace(/, on\s*$/, '');
    const next = (lines[at + 1] || '').trim();
    const what = next.startsWith('Fatal:') ? '' : next.replace(/^\(/, '');
    return what ? `${why} (${what})` : why;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function compileError(why, what) {
  const err = new Error(`CompileError: WebAssembly.Module doesn't parse: ${why} (${what})`);
  err.name = 'CompileError';
  return err;
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
    if (![undefined, 'current', 'mvp'].includes(options.engine)) throw new Error(`engine: 'current' or 'mvp', not ${options.engine}`);
    if (![undefined, 'wechat', 'douyin'].includes(options.platform)) throw new Error(`platform: 'wechat' or 'douyin', not ${options.platform}`);
    if (![undefined, 'android', 'ios'].includes(options.os)) throw new Error(`os: 'android' or 'ios', not ${options.os}`);
    this.douyin = options.platform === 'douyin';
    this.sdkVersion = options.sdkVersion || (this.douyin ? '3.60.0.0' : '3.7.0');
    this.brotliSince = this.douyin ? '2.92.0.0' : '2.14.0';
    this.errors = [];
    this.logs = [];
    this.instantiated = [];
    this.attempts = [];
    this.refused = [];
    this.filesRead = [];
    this.cache = new Map();
    this.pages = [];
    this.components = [];
    this.app = null;
    this.timers = new Set();
    this.closed = false;
    this.dead = false;
    this.storage = options.storage || new PhoneStorage();
    this.tasks = [];

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
        if (mp.dead) return 0;
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
        if (mp.dead) return 0;
        const h = setInterval(() => guard(fn, args), ms);
        mp.timers.add(h);
        return h;
      },
      clearInterval(h) {
        mp.timers.delete(h);
        clearInterval(h);
      },
      [this.douyin ? 'tt' : 'wx']: this.wx,
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
      // Components (and pages built with Component(), as uni-app does) are kept, not rendered.
      Component: (def) => {
        mp.components.push(def);
      },
      Behavior: (def) => def,
    };
    // WeChat's logic layer has a writable `global` object (not the global scope; window is undefined),
    // which uni-app's runtime uses. Off by default: wxsocket itself must not need it.
    if (this.options.appGlobal) sandbox.global = {};
    if (this.options.wasm === undefined || this.options.wasm === 'wx') sandbox[this.douyin ? 'TTWebAssembly' : 'WXWebAssembly'] = this.makeWXWebAssembly();
    const context = vm.createContext(sandbox, { name: 'mini-program' });
    for (const name of REMOVED) {
      if (keep.has(name)) continue;
      if (name === 'WebAssembly' && this.options.wasm === 'webassembly') continue;
      vm.runInContext(`delete this[${JSON.stringify(name)}];`, context);
    }
    if (this.options.engine === 'mvp' && this.options.wasm === 'webassembly') this.oldWebAssembly(context);
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
          if (br && compareVersions(mp.sdkVersion, mp.brotliSince) < 0) {
            throw new Error(`WXWebAssembly.instantiate: .br files need base library ${mp.brotliSince} (this is ${mp.sdkVersion})`);
          }
          if (!isFile(file)) throw new Error(`WXWebAssembly.instantiate: no such file ${p}`);
          let bytes = fs.readFileSync(file);
          if (br) bytes = zlib.brotliDecompressSync(bytes);
          mp.refuseIfOld(bytes, p);
          mp.refuseOnIos(bytes, p);
          mp.instantiated.push({ path: p, file: path.relative(mp.root, file).split(path.sep).join('/'), bytes: bytes.length });
          WebAssembly.instantiate(bytes, imports).then((r) => {
            resolve(mp.options.instantiateResult === 'pair' || mp.douyin ? r : r.instance);
          }, reject);
        });
      },
    };
  }

  // On the old engine (`engine: 'mvp'`), throws a CompileError for a module beyond the MVP.
  refuseIfOld(bytes, what) {
    if (this.options.engine !== 'mvp') return;
    const why = mvpRefusal(bytes);
    if (why === null) return;
    this.refused.push(what);
    throw compileError(why, what);
  }

  // On iPhone WeChat (`os: 'ios'`), a module that exports a Global is refused.
  refuseOnIos(bytes, what) {
    if (this.options.os !== 'ios') return;
    const globals = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).filter((e) => e.kind === 'global');
    if (globals.length === 0) return;
    this.refused.push(what);
    const err = new Error(`${what}: iOS does not support exporting a Global (${globals.map((g) => g.name).join(', ')})`);
    err.name = 'LinkError';
    throw err;
  }

  // The standard WebAssembly of the page on the old engine: instantiate, compile and Module refuse bytes
  // beyond the MVP (an already compiled Module passes: it was checked when it was made).
  oldWebAssembly(context) {
    const mp = this;
    const WA = vm.runInContext('WebAssembly', context);
    const isModule = (x) => x instanceof WA.Module;
    const { instantiate, compile, validate } = WA;
    const Module = WA.Module;
    WA.instantiate = function (source, imports) {
      if (isModule(source)) return instantiate.call(WA, source, imports);
      try {
        mp.refuseIfOld(source, 'WebAssembly.instantiate');
      } catch (err) {
        return Promise.reject(err);
      }
      return instantiate.call(WA, source, imports);
    };
    WA.compile = function (source) {
      try {
        mp.refuseIfOld(source, 'WebAssembly.compile');
      } catch (err) {
        return Promise.reject(err);
      }
      return compile.call(WA, source);
    };
    WA.validate = (source) => validate.call(WA, source) && mvpRefusal(source) === null;
    const OldModule = function (source) {
      mp.refuseIfOld(source, 'new WebAssembly.Module');
      return Reflect.construct(Module, [source], new.target || OldModule);
    };
    OldModule.prototype = Module.prototype;
    for (const k of ['imports', 'exports', 'customSections']) OldModule[k] = Module[k];
    WA.Module = OldModule;
  }

  makeWx() {
    const mp = this;
    const wx = Object.assign({}, this.sockets.wx, this.storage.api(() => !mp.dead, (fn) => mp.context.setTimeout(fn, 0)));
    const connectSocket = wx.connectSocket;
    wx.connectSocket = function (o) {
      const task = connectSocket.call(this, o);
      if (task) mp.tasks.push(task);
      return task;
    };
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

  /**
   * WeChat destroys the app (in the background, or under memory pressure): no onHide, no onUnload; its
   * timers stop, its sockets drop (closed with 1001 'app killed'), and whatever it calls later changes
   * nothing. The storage stays, for the next launch.
   */
  kill() {
    this.dead = true;
    for (const h of this.timers) {
      clearTimeout(h);
      clearInterval(h);
    }
    this.timers.clear();
    for (const task of this.tasks) {
      try {
        task.close({ code: 1001, reason: 'app killed' });
      } catch (_) {
        // already closed
      }
    }
    this.pages = [];
    this.closed = true;
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

module.exports = { MiniProgram, waitFor, mvpRefusal, ABSENT, SHADOWED };
