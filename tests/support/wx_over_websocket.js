// `wx` over a standard WebSocket under its old name, for the Node tests and harnesses that import this
// file. It lives in wx_sockets.js (with the scripted fake, on the same SocketTask rules).
export { wxOverWebSocket } from './wx_sockets.js';
