// Loading the WebAssembly module from the ESM entry (browsers through a bundler, or native ESM).
//
// The default location is `new URL('./wxsocket_bg.wasm', import.meta.url)`, written literally so that
// webpack 5, Vite, Parcel 2 and Rspack emit the .wasm as an asset and rewrite the URL. Overrides:
// `init({ wasmPath })` (a URL string or URL object) or `init({ wasm })` (bytes, a WebAssembly.Module, a
// Response or a promise of one). Inside a mini-program runtime (a framework bundled this entry there),
// WXWebAssembly is present and the mini-program loader takes over (give `wasmPath` then).
import { loadMiniprogram } from './load-miniprogram.js';

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

export function loadBrowser(options, imports) {
  if (typeof WXWebAssembly !== 'undefined') return loadMiniprogram(options, imports);
  if (options.wasm !== undefined) return instantiateFrom(options.wasm, imports);
  var where = options.wasmPath !== undefined ? options.wasmPath : new URL('./wxsocket_bg.wasm', import.meta.url);
  return instantiateFrom(fetch(where), imports);
}
