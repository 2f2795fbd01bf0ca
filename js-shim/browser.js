// Entry for bundlers and browsers (`module`, `exports.import`): ESM; `init()` fetches the .wasm.
import * as glue from 'wxsocket-glue';
import { createApi } from './api.js';
import { loadBrowser } from './load-browser.js';

var made = createApi(glue, loadBrowser);

export var init = made.api.init;
export var connect = made.api.connect;
export var SocketClient = made.api.SocketClient;
export var version = made.api.version;
