// Entry of miniprogram_dist/ (what "Build npm" copies to miniprogram_npm/wxsocket/): the loader.
// The build bundles the glue into the same file, with the TextEncoder/TextDecoder stand-ins in its scope;
// `init()` instantiates the module through WXWebAssembly (see load-miniprogram.js).
import * as glue from 'wxsocket-glue';
import { createApi } from './api.js';
import { loadMiniprogram } from './load-miniprogram.js';

var made = createApi(glue, function (options, imports) {
  return loadMiniprogram(options, imports).then(glue.namedExports);
});

export var init = made.api.init;
export var connect = made.api.connect;
export var SocketClient = made.api.SocketClient;
export var version = made.api.version;
export { consoleLogger } from './console-logger.js';
export { WxSocketError } from './api.js';
