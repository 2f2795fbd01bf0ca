//! Every option's default, in one table (docs/contract.md, "Options"). The engine's `Default` impls, the JS
//! class's option reader (`src/js_api/options.rs`) and the Rust `ClientOptions` all take them from here.
//!
//! Adding an option: its default here, its field in the Rust config it belongs to (`Config` or `Setup`, and
//! `ClientOptions` for Rust users) with the line in `src/js_api/options.rs` that reads it by name (its shape
//! and type are checked there), and its type in `src/js_api/types.rs`.

use super::Overflow;

/// `connectTimeoutMs`: an attempt not open by then is abandoned.
pub const CONNECT_TIMEOUT_MS: u64 = 10_000;
/// `reconnect.minDelayMs`: the delay before the first retry, before jitter (chosen with the herd
/// simulation, `cargo run --release --example herd`).
pub const MIN_DELAY_MS: f64 = 3500.0;
/// `reconnect.maxDelayMs`: the upper bound of any delay.
pub const MAX_DELAY_MS: f64 = 10000.0;
/// `reconnect.factor`: growth per retry.
pub const FACTOR: f64 = 2.5;
/// `reconnect.jitter`: the share of each delay randomised away.
pub const JITTER: f64 = 1.0;
/// `reconnect.maxRetries`: `None` is unlimited.
pub const MAX_RETRIES: Option<u32> = None;
/// `reconnect.minUptimeMs`: a connection open this long resets the retry count.
pub const MIN_UPTIME_MS: u64 = 5000;
/// `heartbeat.intervalMs`.
pub const HEARTBEAT_INTERVAL_MS: u64 = 30_000;
/// `heartbeat.timeoutMs`.
pub const HEARTBEAT_TIMEOUT_MS: u64 = 5_000;
/// `heartbeat.message`: the ping.
pub const HEARTBEAT_MESSAGE: &str = "ping";
/// `heartbeat.pong`.
pub const HEARTBEAT_PONG: &str = "pong";
/// `queue.maxMessages`.
pub const QUEUE_MAX_MESSAGES: usize = 1000;
/// `queue.maxBytes`.
pub const QUEUE_MAX_BYTES: usize = 1_048_576;
/// `queue.overflow`.
pub const QUEUE_OVERFLOW: Overflow = Overflow::Error;
/// `queue.ttlMs`: queued frames never expire unless a lifetime is given.
pub const QUEUE_TTL_MS: Option<u64> = None;
/// `queue.persist`: the queue lives in memory only unless a storage key is given.
pub const QUEUE_PERSIST: bool = false;
/// `queue.persist`: a frame queued by `send()` is in storage at most this long after `send()` returned
/// (writes are batched: one storage write per this period, not one per send).
pub const PERSIST_WITHIN_MS: u64 = 1000;
/// `maxMessageBytes`: larger inbound frames are dropped with an error.
pub const MAX_MESSAGE_BYTES: usize = 1_048_576;
/// `requestTimeoutMs`.
pub const REQUEST_TIMEOUT_MS: u64 = 10_000;
/// `requestIdField`.
pub const REQUEST_ID_FIELD: &str = "id";
/// `lifecycle`: follow app hide/show and network status.
pub const LIFECYCLE: bool = true;
/// `startClosed`.
pub const START_CLOSED: bool = false;
/// `allowInsecure`: allow `ws://` to hosts other than loopback.
pub const ALLOW_INSECURE: bool = false;
