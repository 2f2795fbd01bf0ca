// The mini-program runtimes and how each runs a WebAssembly module in page code, from their documentation
// (the README's "Supported platforms" cites each page). Each has its own base library numbering: a
// version is only ever compared with the same runtime's thresholds.
//
// `global`: the WebAssembly object that page code can use (instantiate(path, imports) with a path inside
// the code package); `api`: the platform object whose getSystemInfoSync/getAppBaseInfo gives SDKVersion;
// `since`: the first base library with `global`; `brotliSince`: the first that reads `.wasm.br`
// ('' when the documentation does not say: the .br is tried, and a failure says what to do).
// `refusal`: why a runtime that has no WebAssembly in page code cannot run the module.

export var RUNTIMES = [
  { name: 'WeChat', api: 'wx', global: 'WXWebAssembly', since: '2.13.0', brotliSince: '2.14.0' },
  { name: 'Douyin', api: 'tt', global: 'TTWebAssembly', since: '2.34.0.0', brotliSince: '2.92.0.0' },
  { name: 'QQ', api: 'qq', global: 'QQWebAssembly', since: '1.71.0.00002', brotliSince: '' },
  {
    name: 'Alipay',
    api: 'my',
    global: '',
    refusal: 'Alipay page code has no WebAssembly (MYWebAssembly runs only in Worker threads, away from the page\'s sockets)',
  },
  {
    name: 'Baidu',
    api: 'swan',
    global: '',
    refusal: 'Baidu smart programs document no WebAssembly for page code',
  },
];

// The global of that name, or undefined; read each time (tests and hot reloads replace them).
export function lookupGlobal(name) {
  switch (name) {
    case 'WXWebAssembly': return typeof WXWebAssembly !== 'undefined' ? WXWebAssembly : undefined;
    case 'TTWebAssembly': return typeof TTWebAssembly !== 'undefined' ? TTWebAssembly : undefined;
    case 'QQWebAssembly': return typeof QQWebAssembly !== 'undefined' ? QQWebAssembly : undefined;
    case 'wx': return typeof wx !== 'undefined' ? wx : undefined;
    case 'tt': return typeof tt !== 'undefined' ? tt : undefined;
    case 'qq': return typeof qq !== 'undefined' ? qq : undefined;
    case 'my': return typeof my !== 'undefined' ? my : undefined;
    case 'swan': return typeof swan !== 'undefined' ? swan : undefined;
    default: return undefined;
  }
}

function usable(wasm) {
  return !!(wasm && typeof wasm.instantiate === 'function');
}

// The runtime this code runs in: { runtime, wasm, api } where `wasm` is its WebAssembly object (or
// undefined), or null outside every mini-program runtime. A runtime with its WebAssembly object wins
// (QQ exposes `wx` too); then the first whose platform object exists.
export function detectRuntime() {
  var i;
  for (i = 0; i < RUNTIMES.length; i++) {
    var r = RUNTIMES[i];
    if (r.global && usable(lookupGlobal(r.global))) return { runtime: r, wasm: lookupGlobal(r.global), api: lookupGlobal(r.api) };
  }
  for (i = 0; i < RUNTIMES.length; i++) {
    var api = lookupGlobal(RUNTIMES[i].api);
    if (api) return { runtime: RUNTIMES[i], wasm: undefined, api: api };
  }
  return null;
}
