//! wxsocket: one typed, dependable WebSocket client for mini-programs (WeChat, Douyin, QQ, uni-app)
//! and browsers, written in Rust and compiled to WebAssembly.
//!
//! [`core`] is the sans-IO engine (reconnect with backoff and jitter, heartbeat timeouts, the outgoing
//! queue, request/response); it builds and tests natively. The WebAssembly layers drive it on the
//! platform's own socket.
#![deny(missing_docs)]

pub mod core;
