// The scripted fake `wx` under its old name, for the Node tests that import this file. It lives in
// wx_sockets.js (with wxOverWebSocket, on the same SocketTask rules), which is also what Rust loads.
export * from './wx_sockets.js';
