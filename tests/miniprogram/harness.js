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
 *   WebAssembly MVP (`mvpRefusal` below decides), rejecting the way a device does (a CompileError); every
 *   refusal is kept in `refused`.
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

const fs = require('node:fs');
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

// Why an engine that implements only the 2017 WebAssembly MVP (1.0) would refuse `bytes`: a short reason
// naming the feature ('bulk memory (memory.copy)', 'reference types (externref)', …), or null if every
// section, type and instruction is within the MVP. It decodes the whole module: every section, every
// function body instruction by instruction. Malformed bytes are refused too ('malformed: …').
function mvpRefusal(input) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  let i = 0;
  class Refused extends Error {}
  const refuse = (why) => { throw new Refused(why); };
  const need = (n) => { if (i + n > bytes.length) refuse('malformed: unexpected end at byte ' + i); };
  const byte = () => { need(1); return bytes[i++]; };
  const u32 = () => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) refuse('malformed: LEB128 too long at byte ' + i);
      const b = byte();
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
  };
  const sleb = (maxBytes) => {
    for (let k = 0; k < maxBytes; k++) if (byte() < 0x80) return;
    refuse('malformed: LEB128 too long at byte ' + i);
  };
  const skip = (n) => { need(n); i += n; };
  const name = () => skip(u32());
  const VALTYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
  const valtype = (b) => {
    if (VALTYPES[b]) return;
    if (b === 0x7b) refuse('SIMD (v128)');
    if (b === 0x6f) refuse('reference types (externref)');
    if (b === 0x70) refuse('reference types (funcref as a value)');
    refuse('a value type outside the MVP (0x' + b.toString(16) + ')');
  };
  const limits = (what) => {
    const flags = byte();
    if (flags === 2 || flags === 3) refuse('threads (shared ' + what + ')');
    if (flags > 1) refuse(what + ' limits outside the MVP (flags 0x' + flags.toString(16) + ')');
    u32();
    if (flags & 1) u32();
  };
  const tabletype = () => {
    const t = byte();
    if (t === 0x6f) refuse('reference types (a table of externref)');
    if (t !== 0x70) refuse('a table type outside the MVP (0x' + t.toString(16) + ')');
    limits('table');
  };
  // Constant expressions: one const or global.get, then end.
  const constExpr = () => {
    const op = byte();
    if (op === 0x41) sleb(5);
    else if (op === 0x42) sleb(10);
    else if (op === 0x43) skip(4);
    else if (op === 0x44) skip(8);
    else if (op === 0x23) u32();
    else if (op === 0xd0 || op === 0xd2) refuse('reference types (ref.null/ref.func in a constant expression)');
    else refuse('a constant expression outside the MVP (0x' + op.toString(16) + ')');
    if (byte() !== 0x0b) refuse('extended constant expressions');
  };
  const blocktype = () => {
    const b = bytes[i];
    if (b === 0x40) { i += 1; return; }
    if (VALTYPES[b] || b === 0x7b || b === 0x6f || b === 0x70) { i += 1; valtype(b); return; }
    refuse('multi-value (a block with a type index)');
  };
  const FC = ['i32.trunc_sat_f32_s', 'i32.trunc_sat_f32_u', 'i32.trunc_sat_f64_s', 'i32.trunc_sat_f64_u',
    'i64.trunc_sat_f32_s', 'i64.trunc_sat_f32_u', 'i64.trunc_sat_f64_s', 'i64.trunc_sat_f64_u',
    'memory.init', 'data.drop', 'memory.copy', 'memory.fill', 'table.init', 'elem.drop', 'table.copy',
    'table.grow', 'table.size', 'table.fill'];
  const SIGN_EXT = ['i32.extend8_s', 'i32.extend16_s', 'i64.extend8_s', 'i64.extend16_s', 'i64.extend32_s'];
  const body = (end) => {
    const groups = u32();
    for (let g = 0; g < groups; g++) {
      u32();
      valtype(byte());
    }
    let depth = 0;
    while (i < end) {
      const op = byte();
      if (op === 0x02 || op === 0x03 || op === 0x04) { blocktype(); depth += 1; }
      else if (op === 0x0b) {
        if (depth === 0) {
          if (i !== end) refuse('malformed: code after the end of a function body');
          return;
        }
        depth -= 1;
      }
      else if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0f || op === 0x1a || op === 0x1b) { /* no immediate */ }
      else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x24)) u32();
      else if (op === 0x0e) { const n = u32(); for (let k = 0; k <= n; k++) u32(); }
      else if (op === 0x11) { u32(); if (byte() !== 0) refuse('reference types (call_indirect on a table other than 0)'); }
      else if (op >= 0x28 && op <= 0x3e) { u32(); u32(); }
      else if (op === 0x3f || op === 0x40) { if (byte() !== 0) refuse('multi-memory (a memory index other than 0)'); }
      else if (op === 0x41) sleb(5);
      else if (op === 0x42) sleb(10);
      else if (op === 0x43) skip(4);
      else if (op === 0x44) skip(8);
      else if (op >= 0x45 && op <= 0xbf) { /* numeric, no immediate */ }
      else if (op >= 0xc0 && op <= 0xc4) refuse('sign extension (' + SIGN_EXT[op - 0xc0] + ')');
      else if (op === 0x1c || op === 0x25 || op === 0x26 || (op >= 0xd0 && op <= 0xd2)) {
        refuse('reference types (' + ({ 0x1c: 'typed select', 0x25: 'table.get', 0x26: 'table.set', 0xd0: 'ref.null', 0xd1: 'ref.is_null', 0xd2: 'ref.func' })[op] + ')');
      }
      else if (op === 0xfc) {
        const sub = u32();
        if (sub <= 7) refuse('non-trapping float-to-int (' + FC[sub] + ')');
        if (sub <= 14) refuse('bulk memory (' + FC[sub] + ')');
        if (sub <= 17) refuse('reference types (' + FC[sub] + ')');
        refuse('an instruction outside the MVP (0xfc ' + sub + ')');
      }
      else if (op === 0xfd) refuse('SIMD (0xfd ' + u32() + ')');
      else if (op === 0xfe) refuse('threads (0xfe ' + u32() + ')');
      else if (op === 0x12 || op === 0x13) refuse('tail calls');
      else if (op >= 0x06 && op <= 0x0a) refuse('exceptions (0x' + op.toString(16) + ')');
      else refuse('an instruction outside the MVP (0x' + op.toString(16) + ')');
    }
    refuse('malformed: a function body without its end');
  };

  try {
    need(8);
    if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) refuse('malformed: not a WebAssembly module');
    if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) refuse('a binary version other than 1');
    i = 8;
    const globals = []; // mutability of every global, imported ones first
    let tables = 0;
    let memories = 0;
    while (i < bytes.length) {
      const id = byte();
      const size = u32();
      const start = i;
      const end = start + size;
      if (end > bytes.length) refuse('malformed: section ' + id + ' runs past the end');
      const count = id === 0 || id === 8 ? 0 : u32();
      if (id === 0) i = end;
      else if (id === 1) {
        for (let k = 0; k < count; k++) {
          const form = byte();
          if (form !== 0x60) refuse('a type form outside the MVP (0x' + form.toString(16) + ')');
          const params = u32();
          for (let p = 0; p < params; p++) valtype(byte());
          const results = u32();
          if (results > 1) refuse('multi-value (a function type with ' + results + ' results)');
          for (let r = 0; r < results; r++) valtype(byte());
        }
      } else if (id === 2) {
        for (let k = 0; k < count; k++) {
          name();
          name();
          const kind = byte();
          if (kind === 0) u32();
          else if (kind === 1) { tabletype(); tables += 1; }
          else if (kind === 2) { limits('memory'); memories += 1; }
          else if (kind === 3) {
            valtype(byte());
            const mut = byte();
            if (mut) refuse('mutable-global (an imported mutable global)');
            globals.push(false);
          } else if (kind === 4) refuse('exceptions (an imported tag)');
          else refuse('an import kind outside the MVP (' + kind + ')');
        }
      } else if (id === 3) {
        for (let k = 0; k < count; k++) u32();
      } else if (id === 4) {
        for (let k = 0; k < count; k++) { tabletype(); tables += 1; }
      } else if (id === 5) {
        for (let k = 0; k < count; k++) { limits('memory'); memories += 1; }
      } else if (id === 6) {
        for (let k = 0; k < count; k++) {
          valtype(byte());
          const mut = byte();
          if (mut > 1) refuse('malformed: global mutability ' + mut);
          globals.push(mut === 1);
          constExpr();
        }
      } else if (id === 7) {
        for (let k = 0; k < count; k++) {
          name();
          const kind = byte();
          const index = u32();
          if (kind === 3 && globals[index]) refuse('mutable-global (an exported mutable global)');
          if (kind > 3) refuse('an export kind outside the MVP (' + kind + ')');
        }
      } else if (id === 8) u32();
      else if (id === 9) {
        for (let k = 0; k < count; k++) {
          const flags = u32();
          if (flags !== 0) refuse('bulk memory / reference types (element segment form ' + flags + ')');
          constExpr();
          const n = u32();
          for (let f = 0; f < n; f++) u32();
        }
      } else if (id === 10) {
        for (let k = 0; k < count; k++) {
          const len = u32();
          const stop = i + len;
          if (stop > end) refuse('malformed: a function body runs past its section');
          body(stop);
        }
      } else if (id === 11) {
        for (let k = 0; k < count; k++) {
          const flags = u32();
          if (flags === 1) refuse('bulk memory (a passive data segment)');
          if (flags !== 0) refuse('bulk memory / multi-memory (data segment form ' + flags + ')');
          constExpr();
          skip(u32());
        }
      } else if (id === 12) refuse('bulk memory (DataCount section)');
      else if (id === 13) refuse('exceptions (tag section)');
      else refuse('a section outside the MVP (id ' + id + ')');
      if (i !== end) refuse('malformed: section ' + id + ' has ' + (end - i) + ' bytes left over');
    }
    if (tables > 1) refuse('reference types (' + tables + ' tables)');
    if (memories > 1) refuse('multi-memory (' + memories + ' memories)');
    return null;
  } catch (err) {
    if (err instanceof Refused) return err.message;
    throw err;
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
