// Loading the WebAssembly module in a mini-program runtime (WeChat, Douyin, QQ; see wasm-runtimes.js).
//
// - The runtime's WebAssembly object (WXWebAssembly, TTWebAssembly, QQWebAssembly) takes only a path to a
//   file inside the code package. Without `init({ wasmPath })` the loader tries where the package's file
//   lands: the entry running decides the order (wasm-location.js): "Build npm"'s miniprogram_npm/ path for
//   the miniprogram_dist/ entry, the framework plugins' path first for the ESM entry a framework bundled.
// - `.wasm.br` from the runtime's own `brotliSince` base library: tried first there (the plain file
//   after it, should it fail). `init({ brotli: false })` always takes the plain file, `brotli: true`
//   always tries `.br` first. A `wasmPath` ending in `.br` is used as given.
// - Where only the standard `WebAssembly` exists: `init({ wasm })` bytes if given, else the plain file read
//   with the platform's file system manager.
// - Alipay and Baidu page code has no WebAssembly: init() says so, naming the platform.
// One module runs everywhere: it is built for the WebAssembly MVP and exports no Global (iOS WeChat
// refuses exported Globals). When nothing loads, the error lists every path tried, the entry that ran
// and what to do for the way the app was built. No eval, no new Function, no fetch, no URL, no global
// object needed. Plain ES2017.
import { BUILD_NPM_PATH, BROTLI_SUFFIX, PACKAGE_FILE } from './wasm-location.js';
import { detectRuntime } from './wasm-runtimes.js';

// What miniprogram_dist/ ships: only the brotli file.
export var SHIPPED = BUILD_NPM_PATH + BROTLI_SUFFIX;

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

// What to do, for the way the app was built, when the package's file is not where the loader looked
// (README › Loading the WebAssembly module says more).
var COPY = ' or copy ' + PACKAGE_FILE + ' into the code package and pass init({ wasmPath })';
function advice(entry) {
  return entry.bundled
    ? 'with uni-app add the wxsocket/vite plugin to vite.config.js, with Taro add \'wxsocket/taro\' to the plugins of config/index.js,' + COPY
    : 'run "Build npm" in the developer tools,' + COPY;
}

// What to do where the .br cannot be read.
var PLAIN = 'copy the package\'s plain wxsocket_bg.wasm into the code package and pass init({ wasmPath })';

// The files to try with the runtime's WebAssembly object, in order.
// `entry`: { name, bundled, defaults }: the entry file running and the package paths it looks at first.
export function wasmCandidates(options, version, entry, runtime) {
  var brotliSince = runtime ? runtime.brotliSince : '2.14.0';
  var oldBase = version !== '' && brotliSince !== '' && compareVersions(version, brotliSince) < 0;
  var given = typeof options.wasmPath === 'string' && options.wasmPath;
  if (!given) {
    if (options.brotli === false || oldBase) {
      throw new Error((options.brotli === false ? 'init({ brotli: false }) without a wasmPath'
        : (runtime ? runtime.name : 'this runtime') + ' base library ' + version + ' cannot read ' + PACKAGE_FILE + ' (brotli needs ' + brotliSince + '+)') +
        ': ' + PLAIN);
    }
    return entry.defaults.map(function (p) { return p + BROTLI_SUFFIX; });
  }
  var path = options.wasmPath;
  if (endsWith(path, BROTLI_SUFFIX)) return [path];
  var brotli = options.brotli === undefined ? version !== '' && !oldBase : !!options.brotli;
  return brotli ? [path + BROTLI_SUFFIX, path] : [path];
}

function instanceOf(result) {
  // WeChat resolves the Instance (its typings say so); Douyin and the standard API { module, instance }.
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

function viaRuntime(found, paths, imports, entry) {
  var failures = [];
  var attempt = function (i) {
    return new Promise(function (resolve) {
      resolve(found.wasm.instantiate(paths[i], imports));
    }).then(
      function (result) {
        return instanceOf(result).exports;
      },
      function (err) {
        failures.push(paths[i] + ' (' + describe(err) + ')');
        if (i + 1 < paths.length) return attempt(i + 1);
        throw new Error(found.runtime.global + '.instantiate failed for ' + failures.join(', ') + ' in entry ' + entry.name + ': ' + advice(entry));
      }
    );
  };
  return attempt(0);
}

function readPackageFile(api, path) {
  if (!api || typeof api.getFileSystemManager !== 'function') {
    throw new Error('this runtime has only WebAssembly and no file system manager to read ' + path + ': pass init({ wasm: bytes })');
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

// The entry of miniprogram_dist/ (copied by "Build npm").
export var MINIPROGRAM_ENTRY = { name: 'wxsocket/miniprogram_dist/index.js', bundled: false, defaults: [BUILD_NPM_PATH] };

// `options`: { wasmPath?, brotli?, wasm? }; `entry`: which entry runs (MINIPROGRAM_ENTRY by default).
// Returns a promise of the instance's exports.
export function loadMiniprogram(options, imports, entry) {
  var from = entry || MINIPROGRAM_ENTRY;
  var found = detectRuntime();
  var hasWA = typeof WebAssembly !== 'undefined' && WebAssembly && typeof WebAssembly.instantiate === 'function';
  if (options.wasm !== undefined) {
    if (!isBytes(options.wasm)) return Promise.reject(new Error('init({ wasm }) takes an ArrayBuffer or a typed array'));
    if (!hasWA) {
      return Promise.reject(new Error('init({ wasm }) needs the standard WebAssembly, which this runtime lacks (' +
        (found && found.wasm ? found.runtime.global : 'its WebAssembly object') + ' takes only a path: use wasmPath)'));
    }
    return viaWebAssembly(options.wasm, imports);
  }
  return new Promise(function (resolve) {
    if (found && found.wasm) {
      resolve(viaRuntime(found, wasmCandidates(options, sdkVersion(found.api), from, found.runtime), imports, from));
    } else if (hasWA) {
      var path = typeof options.wasmPath === 'string' && options.wasmPath ? options.wasmPath : '';
      if (path === '' || endsWith(path, BROTLI_SUFFIX)) {
        throw new Error('this runtime has only WebAssembly, which cannot read ' + (path || SHIPPED) + ': ' + PLAIN + ', or pass init({ wasm: bytes })');
      }
      resolve(viaWebAssembly(readPackageFile(found ? found.api : undefined, path), imports));
    } else if (found && found.runtime.refusal) {
      throw new Error(found.runtime.refusal + ', so wxsocket cannot run there');
    } else if (found) {
      throw new Error('this ' + found.runtime.name + ' runtime has neither ' + found.runtime.global + ' (base library ' +
        found.runtime.since + '+) nor WebAssembly');
    } else {
      throw new Error('this runtime has neither WXWebAssembly (base library 2.13.0+), TTWebAssembly, QQWebAssembly nor WebAssembly (entry ' + from.name + ')');
    }
  });
}
