// Entry for browsers through a bundler (`wxsocket/web`): ESM; `init()` fetches the .wasm beside this file
// (the bundler emits it and rewrites the URL). Mini-program code takes the plain entry instead.
import * as glue from 'wxsocket-glue';
import { createApi } from './api.js';
import { loadWeb } from './load-web.js';

var made = createApi(glue, function (options, imports) {
  return loadWeb(options, imports).then(glue.namedExports);
});

export var init = made.api.init;
export var connect = made.api.connect;
export var SocketClient = made.api.SocketClient;
export var version = made.api.version;
export { consoleLogger } from './console-logger.js';
export { WxSocketError } from './api.js';
