//! wxsocket: one typed, dependable WebSocket client for mini-programs (WeChat, Douyin, QQ, uni-app)
//! and browsers, written in Rust and compiled to WebAssembly.
//!
//! [`core`] is the sans-IO engine (reconnect with backoff and jitter, heartbeat timeouts, the outgoing
//! queue, request/response); it builds and tests natively. On `wasm32`, a private driver runs it on the
//! platform's own socket, `SocketClient` is the JavaScript class, and `Client` the typed Rust client.
#![deny(missing_docs)]

pub mod core;

// The wasm32 global allocator (tested natively too).
#[cfg(any(target_arch = "wasm32", test))]
mod alloc;

// memcpy, memmove, memset, memcmp and bcmp for the wasm32 build, as byte loops (tested natively too).
#[cfg(any(target_arch = "wasm32", test))]
mod memory_routines;

// The driver: runs the engine on the platform's socket (private: the JS class and `Client` are its surface).
#[cfg(target_arch = "wasm32")]
mod platform;

#[cfg(target_arch = "wasm32")]
mod js_api;
#[cfg(target_arch = "wasm32")]
pub use js_api::SocketClient;

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
pub use client::{Client, ClientEvent, ClientOptions, Events, HeartbeatOptions, ShouldReconnect};
