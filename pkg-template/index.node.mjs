// `import ... from 'wxsocket'` in Node: the CommonJS entry (synchronous load), re-exported.
import wxsocket from './index.cjs';

export const init = wxsocket.init;
export const connect = wxsocket.connect;
export const SocketClient = wxsocket.SocketClient;
export const version = wxsocket.version;
export const consoleLogger = wxsocket.consoleLogger;
export const WxSocketError = wxsocket.WxSocketError;
