// Loading the WebAssembly module in a mini-program (WeChat and the platforms with the same API).
//
// - `WXWebAssembly.instantiate(path, imports)` (base library 2.13.0+) takes only a path to a file inside the
//   code package. The default path is where "Build npm" puts this package; `init({ wasmPath })` overrides it.
// - From base library 2.14.0 the brotli file `<path>.br` is accepted; it is tried first there (and the plain
//   file after it, should it fail). `init({ brotli: false })` always takes the plain file, `brotli: true`
//   always tries `.br` first. A `wasmPath` ending in `.br` is used as given.
// - Where only the standard `WebAssembly` exists: `init({ wasm })` bytes if given, else the plain file read
//   with the platform's file system manager.
// - Two builds ship side by side: the modern module (`wxsocket_bg.wasm`: reference types, bulk memory,
//   sign extension, non-trapping float-to-int) and the MVP one (`wxsocket_bg.mvp.wasm`, no feature after
//   the 2017 MVP), each with its own glue. iOS runs WXWebAssembly on the system JavaScriptCore, which has
//   reference types, bulk memory and non-trapping float-to-int only from iOS 15.1 (sign extension from
//   14.5; MDN's compatibility data): below 15.1 the MVP build is taken. Elsewhere the modern one is, and if
//   instantiating it fails the MVP one is tried. `init({ variant: 'mvp' | 'modern' })` forces one (no
//   fallback); the MVP file's path is the modern one's with `.mvp` before `.wasm` (`init({ mvpWasmPath })`
//   overrides it). The choice reaches the glue through the import object (`__wxsocketVariants`, made by
//   the mini-program build); without it (the ESM entry) only the one module is loaded.
// No eval, no new Function, no fetch, no URL, no global object needed. Plain ES2017.

export var DEFAULT_WASM_PATH = '/miniprogram_npm/wxsocket/wxsocket_bg.wasm';
export var BROTLI_SINCE = '2.14.0';
// The first iOS whose JavaScriptCore has reference types, bulk memory and non-trapping float-to-int.
export var IOS_MODERN_SINCE = '15.1';

// The platform object (wx and the ones with the same API), or undefined.
export function platformApi() {
  if (typeof wx !== 'undefined' && wx) return wx;
  if (typeof tt !== 'undefined' && tt) return tt;
  if (typeof qq !== 'undefined' && qq) return qq;
  if (typeof swan !== 'undefined' && swan) return swan;
  return undefined;
}

// The base library version, '' when unknown.
export function sdkVersion(api) {
  var getters = ['getAppBaseInfo', 'getSystemInfoSync'];
  for (var i = 0; i < getters.length; i++) {
    try {
      if (api && typeof api[getters[i]] === 'function') {
        var info = api[getters[i]]();
        if (info && typeof info.SDKVersion === 'string' && info.SDKVersion) return info.SDKVersion;
      }
    } catch (ignored) {
      // an API that throws tells nothing; try the next one
    }
  }
  return '';
}

// The device's system: { platform, name, version } from getDeviceInfo (base library 2.20.1+) or
// getSystemInfoSync, e.g. { platform: 'ios', name: 'iOS', version: '14.8' } for system 'iOS 14.8'.
// Fields it cannot tell are ''.
export function deviceSystem(api) {
  var getters = ['getDeviceInfo', 'getSystemInfoSync'];
  for (var i = 0; i < getters.length; i++) {
    try {
      if (api && typeof api[getters[i]] === 'function') {
        var info = api[getters[i]]();
        if (info && typeof info.system === 'string' && info.system) {
          var m = /^\s*([A-Za-z]+)\s*(\d+(?:\.\d+)*)?/.exec(info.system);
          return {
            platform: typeof info.platform === 'string' ? info.platform.toLowerCase() : '',
            name: m ? m[1] : '',
            version: m && m[2] ? m[2] : '',
          };
        }
      }
    } catch (ignored) {
      // an API that throws tells nothing; try the next one
    }
  }
  return { platform: '', name: '', version: '' };
}

// Which build to load first: { variant: 'modern' | 'mvp', forced }. `options.variant` forces one; else
// iOS (iPadOS) below 15.1 takes the MVP build. The developer tools report a simulated iOS version but run
// on a desktop engine: the modern build there. Without `api` (bytes given) the modern one comes first.
export function pickVariant(options, api) {
  if (options.variant === 'mvp' || options.variant === 'modern') return { variant: options.variant, forced: true };
  if (options.variant !== undefined) throw new Error("init({ variant }) takes 'mvp' or 'modern', not " + String(options.variant));
  var sys = deviceSystem(api);
  var ios = sys.platform === 'ios' || (sys.platform === '' && /^(ios|ipados)$/i.test(sys.name));
  if (ios && sys.version !== '' && compareVersions(sys.version, IOS_MODERN_SINCE) < 0) return { variant: 'mvp', forced: false };
  return { variant: 'modern', forced: false };
}

// The MVP build's path beside a modern one: 'x/wxsocket_bg.wasm' → 'x/wxsocket_bg.mvp.wasm' (also for '.wasm.br').
export function mvpPath(path) {
  var m = /^(.*)\.wasm(\.br)?$/.exec(path);
  return m ? m[1] + '.mvp.wasm' + (m[2] || '') : path + '.mvp.wasm';
}

// The options for one variant: its wasmPath.
function forVariant(options, variant) {
  if (variant !== 'mvp') return options;
  var out = {};
  for (var k in options) out[k] = options[k];
  var base = typeof options.wasmPath === 'string' && options.wasmPath ? options.wasmPath : DEFAULT_WASM_PATH;
  out.wasmPath = typeof options.mvpWasmPath === 'string' && options.mvpWasmPath ? options.mvpWasmPath : mvpPath(base);
  return out;
}

// Loads with `attempt(variant, options)`; with a glue of two variants, the picked one first and, unless
// forced, the MVP one after a failed modern one.
function withVariants(options, imports, api, attempt) {
  var control = imports && imports.__wxsocketVariants;
  if (!control) return attempt(options);
  var pick;
  try {
    pick = pickVariant(options, api);
  } catch (err) {
    return Promise.reject(err);
  }
  var run = function (variant) {
    control.use(variant);
    return new Promise(function (resolve) { resolve(attempt(forVariant(options, variant))); });
  };
  return run(pick.variant).then(null, function (err) {
    if (pick.forced || pick.variant === 'mvp') throw err;
    return run('mvp').then(null, function (again) {
      throw new Error(describe(err) + '; then the MVP build: ' + describe(again));
    });
  });
}

// -1, 0 or 1; missing parts count as 0, so '2.14' equals '2.14.0'.
export function compareVersions(a, b) {
  var x = String(a).split('.');
  var y = String(b).split('.');
  var n = Math.max(x.length, y.length);
  for (var i = 0; i < n; i++) {
    var p = parseInt(x[i], 10) || 0;
    var q = parseInt(y[i], 10) || 0;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

function endsWith(s, suffix) {
  return s.length >= suffix.length && s.slice(s.length - suffix.length) === suffix;
}

// The files to try with WXWebAssembly, in order.
export function wasmCandidates(options, version) {
  var path = typeof options.wasmPath === 'string' && options.wasmPath ? options.wasmPath : DEFAULT_WASM_PATH;
  if (endsWith(path, '.br')) return [path];
  var brotli = options.brotli === undefined ? version !== '' && compareVersions(version, BROTLI_SINCE) >= 0 : !!options.brotli;
  return brotli ? [path + '.br', path] : [path];
}

function instanceOf(result) {
  // Typed as Promise<Instance>; accept the standard { instance, module } too.
  return result && result.instance && result.instance.exports ? result.instance : result;
}

function isBytes(x) {
  var tag = Object.prototype.toString.call(x);
  if (tag === '[object ArrayBuffer]') return true;
  return !!(x && typeof x === 'object' && typeof x.byteLength === 'number' && x.buffer &&
    Object.prototype.toString.call(x.buffer) === '[object ArrayBuffer]');
}

function describe(err) {
  if (err && typeof err.errMsg === 'string') return err.errMsg;
  if (err && typeof err.message === 'string') return err.message;
  return String(err);
}

function viaWX(paths, imports) {
  var failures = [];
  var attempt = function (i) {
    return new Promise(function (resolve) {
      // WXWebAssembly is looked up here, not cached: tests and hot reloads may replace it.
      resolve(WXWebAssembly.instantiate(paths[i], imports));
    }).then(
      function (result) {
        return instanceOf(result).exports;
      },
      function (err) {
        failures.push(paths[i] + ': ' + describe(err));
        if (i + 1 < paths.length) return attempt(i + 1);
        throw new Error('WXWebAssembly.instantiate failed (' + failures.join('; ') + ')');
      }
    );
  };
  return attempt(0);
}

function readPackageFile(api, path) {
  if (!api || typeof api.getFileSystemManager !== 'function') {
    throw new Error('no WXWebAssembly, and no file system manager to read ' + path + ' for WebAssembly: pass init({ wasm: bytes })');
  }
  var fsm = api.getFileSystemManager();
  try {
    return fsm.readFileSync(path);
  } catch (first) {
    // Code package paths are sometimes accepted only without the leading slash.
    if (path.charAt(0) === '/') return fsm.readFileSync(path.slice(1));
    throw first;
  }
}

function viaWebAssembly(bytes, imports) {
  return WebAssembly.instantiate(bytes, imports).then(function (result) {
    return instanceOf(result).exports;
  });
}

// `options`: { wasmPath?, brotli?, wasm?, variant?, mvpWasmPath? }. Returns a promise of the instance's exports.
export function loadMiniprogram(options, imports) {
  var hasWX = typeof WXWebAssembly !== 'undefined' && WXWebAssembly && typeof WXWebAssembly.instantiate === 'function';
  var hasWA = typeof WebAssembly !== 'undefined' && WebAssembly && typeof WebAssembly.instantiate === 'function';
  if (options.wasm !== undefined) {
    if (!isBytes(options.wasm)) return Promise.reject(new Error('init({ wasm }) takes an ArrayBuffer or a typed array'));
    if (!hasWA) {
      return Promise.reject(new Error('init({ wasm }) needs the standard WebAssembly, which this runtime lacks (WXWebAssembly takes only a path: use wasmPath)'));
    }
    // Bytes: the glue of the variant given, else the modern one's and then the MVP one's (the bytes, not
    // the device, decide which fits).
    return withVariants(options, imports, null, function () { return viaWebAssembly(options.wasm, imports); });
  }
  var api = platformApi();
  if (hasWX) {
    var version = sdkVersion(api);
    return withVariants(options, imports, api, function (o) { return viaWX(wasmCandidates(o, version), imports); });
  }
  if (hasWA) {
    return withVariants(options, imports, api, function (o) {
      var path = wasmCandidates({ wasmPath: o.wasmPath, brotli: false }, '')[0];
      if (endsWith(path, '.br')) {
        throw new Error('a .br file needs WXWebAssembly; this runtime has only WebAssembly: give the plain .wasm path');
      }
      return viaWebAssembly(readPackageFile(api, path), imports);
    });
  }
  return Promise.reject(new Error('this runtime has neither WXWebAssembly (base library 2.13.0+) nor WebAssembly'));
}
