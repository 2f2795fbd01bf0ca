// Loading the WebAssembly module in a mini-program (WeChat and the platforms with the same API).
//
// - `WXWebAssembly.instantiate(path, imports)` (base library 2.13.0+) takes only a path to a file inside the
//   code package. The default path is where "Build npm" puts this package; `init({ wasmPath })` overrides it.
// - From base library 2.14.0 the brotli file `<path>.br` is accepted; it is tried first there (and the plain
//   file after it, should it fail). `init({ brotli: false })` always takes the plain file, `brotli: true`
//   always tries `.br` first. A `wasmPath` ending in `.br` is used as given.
// - Where only the standard `WebAssembly` exists: `init({ wasm })` bytes if given, else the plain file read
//   with the platform's file system manager.
// - One module runs everywhere: it is built for the WebAssembly MVP (no later feature), so iOS below 15.1,
//   whose JavaScriptCore lacks reference types and bulk memory, runs it too. Only the `.br` file ships in
//   miniprogram_dist/ (it is a third of the plain one, and the code package has a size limit); below base
//   library 2.14.0, or where only `WebAssembly` exists, copy the package's plain `wxsocket_bg.wasm` into the
//   project and pass its path as `init({ wasmPath })`, or pass the bytes as `init({ wasm })`.
// No eval, no new Function, no fetch, no URL, no global object needed. Plain ES2017.

export var DEFAULT_WASM_PATH = '/miniprogram_npm/wxsocket/wxsocket_bg.wasm';
// What miniprogram_dist/ ships: only the brotli file.
export var SHIPPED = DEFAULT_WASM_PATH + '.br';
export var BROTLI_SINCE = '2.14.0';

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
// The package's own file is only the .br one: without a wasmPath it is the one candidate.
export function wasmCandidates(options, version) {
  var given = typeof options.wasmPath === 'string' && options.wasmPath;
  if (!given) {
    if (options.brotli === false || (version !== '' && compareVersions(version, BROTLI_SINCE) < 0)) {
      throw new Error('base library ' + (version || '(unknown)') + ' cannot read the package\'s ' + SHIPPED +
        ' (brotli needs ' + BROTLI_SINCE + '+): copy the package\'s plain wxsocket_bg.wasm into the project and pass init({ wasmPath })');
    }
    return [SHIPPED];
  }
  var path = options.wasmPath;
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

// `options`: { wasmPath?, brotli?, wasm? }. Returns a promise of the instance's exports.
export function loadMiniprogram(options, imports) {
  var hasWX = typeof WXWebAssembly !== 'undefined' && WXWebAssembly && typeof WXWebAssembly.instantiate === 'function';
  var hasWA = typeof WebAssembly !== 'undefined' && WebAssembly && typeof WebAssembly.instantiate === 'function';
  if (options.wasm !== undefined) {
    if (!isBytes(options.wasm)) return Promise.reject(new Error('init({ wasm }) takes an ArrayBuffer or a typed array'));
    if (!hasWA) {
      return Promise.reject(new Error('init({ wasm }) needs the standard WebAssembly, which this runtime lacks (WXWebAssembly takes only a path: use wasmPath)'));
    }
    return viaWebAssembly(options.wasm, imports);
  }
  var api = platformApi();
  return new Promise(function (resolve) {
    if (hasWX) {
      resolve(viaWX(wasmCandidates(options, sdkVersion(api)), imports));
    } else if (hasWA) {
      var path = typeof options.wasmPath === 'string' && options.wasmPath ? options.wasmPath : '';
      if (path === '' || endsWith(path, '.br')) {
        throw new Error('this runtime has only WebAssembly, which cannot read ' + (path || SHIPPED) +
          ': copy the package\'s plain wxsocket_bg.wasm into the project and pass init({ wasmPath }), or pass init({ wasm: bytes })');
      }
      resolve(viaWebAssembly(readPackageFile(api, path), imports));
    } else {
      throw new Error('this runtime has neither WXWebAssembly (base library 2.13.0+) nor WebAssembly');
    }
  });
}
