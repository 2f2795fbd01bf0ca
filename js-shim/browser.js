// Entry for bundlers (`module`, `exports.import`): ESM. In a mini-program a framework bundled it into,
// `init()` loads the module with the runtime's WebAssembly object; in a browser, give init() the module's
// location, or import 'wxsocket/web' instead (see load-browser.js).
import * as glue from 'wxsocket-glue';
import { createApi } from './api.js';
import { loadBrowser } from './load-browser.js';

var made = createApi(glue, function (options, imports) {
  return loadBrowser(options, imports).then(glue.namedExports);
});

export var init = made.api.init;
export var connect = made.api.connect;
export var SocketClient = made.api.SocketClient;
export var version = made.api.version;
export { consoleLogger } from './console-logger.js';
export { WxSocketError } from './api.js';
