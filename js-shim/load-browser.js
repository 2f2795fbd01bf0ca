// Loading the WebAssembly module from the ESM entry (`import 'wxsocket'`: browsers through a bundler, and
// mini-program frameworks such as uni-app and Taro that bundle this entry into their vendor chunk).
//
// This entry never names `import.meta`, `document`, `window` or `self`: a mini-program bundler may pick it,
// and webpack turns `import.meta.url` into `document.baseURI`, which kills a mini-program at launch.
// - Inside a mini-program runtime (a WebAssembly object such as WXWebAssembly exists) the mini-program
//   loader takes over, looking first where the framework plugins put the module (wasm-location.js).
// - In a browser: `init({ wasm })` (bytes, a WebAssembly.Module, a Response or a promise of one) or
//   `init({ wasmPath })` (a URL); with neither, init() says to import 'wxsocket/web' (whose default URL the
//   bundler resolves) or to pass one of them.
import { loadMiniprogram } from './load-miniprogram.js';
import { BUILD_NPM_PATH, FRAMEWORK_PATH } from './wasm-location.js';
import { detectRuntime } from './wasm-runtimes.js';

export var ESM_ENTRY = { name: 'wxsocket/index.mjs (a bundler picked the ESM entry)', bundled: true, defaults: [FRAMEWORK_PATH, BUILD_NPM_PATH] };

function isResponse(x) {
  return x && typeof x === 'object' && typeof x.arrayBuffer === 'function' && typeof x.ok === 'boolean';
}

function instantiateFrom(src, imports) {
  if (src && typeof src.then === 'function') {
    return src.then(function (resolved) { return instantiateFrom(resolved, imports); });
  }
  if (typeof WebAssembly.Module === 'function' && src instanceof WebAssembly.Module) {
    return WebAssembly.instantiate(src, imports).then(function (instance) { return instance.exports; });
  }
  if (isResponse(src)) {
    if (!src.ok) return Promise.reject(new Error('fetching the .wasm failed with HTTP ' + src.status + ' (' + src.url + ')'));
    var type = src.headers && typeof src.headers.get === 'function' ? src.headers.get('content-type') || '' : '';
    if (typeof WebAssembly.instantiateStreaming === 'function' && type.indexOf('application/wasm') === 0) {
      return WebAssembly.instantiateStreaming(src, imports).then(function (r) { return r.instance.exports; });
    }
    return src.arrayBuffer().then(function (bytes) { return instantiateFrom(bytes, imports); });
  }
  return WebAssembly.instantiate(src, imports).then(function (r) { return r.instance.exports; });
}

// `defaultUrl`: a function giving the module's URL when init() names none (the 'wxsocket/web' entry), or
// undefined.
export function loadBrowser(options, imports, defaultUrl) {
  var found = detectRuntime();
  if (found) return loadMiniprogram(options, imports, ESM_ENTRY);
  if (typeof WebAssembly === 'undefined') return Promise.reject(new Error('this runtime has no WebAssembly'));
  if (options.wasm !== undefined) return instantiateFrom(options.wasm, imports);
  var where = options.wasmPath !== undefined ? options.wasmPath : defaultUrl ? defaultUrl() : undefined;
  if (where === undefined) {
    return Promise.reject(new Error('the ESM entry does not know where wxsocket_bg.wasm is served: import \'wxsocket/web\' instead, ' +
      'or pass init({ wasmPath: url }) or init({ wasm })'));
  }
  if (typeof fetch !== 'function') return Promise.reject(new Error('no fetch to load ' + where + ': pass init({ wasm: bytes })'));
  return instantiateFrom(fetch(where), imports);
}
