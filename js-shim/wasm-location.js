// Where the WebAssembly module is, in a mini-program's code package. One place for the paths that the
// loaders look at and that the framework plugins (vite-plugin.js, taro-plugin.js) write to.
//
// - BUILD_NPM_PATH: where the developer tools' "Build npm" puts the package's miniprogram_dist/ file.
// - FRAMEWORK_PATH: where the uni-app (Vite) and Taro plugins emit it in the framework's output.
// Both are the plain module's path; the file that ships is the brotli one, the same path + BROTLI_SUFFIX.

export var BUILD_NPM_PATH = '/miniprogram_npm/wxsocket/wxsocket_bg.wasm';
export var FRAMEWORK_PATH = '/wxsocket/wxsocket_bg.wasm';
export var BROTLI_SUFFIX = '.br';
// The file inside the npm package that both of those are copies of.
export var PACKAGE_FILE = 'miniprogram_dist/wxsocket_bg.wasm.br';
