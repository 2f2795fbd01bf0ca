// Entry for Node (`main`, `require('wxsocket')`): the module is read from the file beside this one and
// instantiated synchronously when this file loads, so `init()` resolves at once.
import { readFileSync } from 'fs';
import { join } from 'path';
import * as glue from 'wxsocket-glue';
import { createApi } from './api.js';

var made = createApi(glue, function () {
  throw new Error('unreachable: the Node entry loads synchronously');
});

var wasmModule = new WebAssembly.Module(readFileSync(join(__dirname, 'wxsocket_bg.wasm')));
var instance = new WebAssembly.Instance(wasmModule, glue.wasmImports());
made.startSync(glue.namedExports(instance.exports));

export var init = made.api.init;
export var connect = made.api.connect;
export var SocketClient = made.api.SocketClient;
export var version = made.api.version;
export { consoleLogger } from './console-logger.js';
export { WxSocketError } from './api.js';
