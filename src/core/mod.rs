//! The sans-IO engine: states, backoff, heartbeat deadlines, the outgoing queue and pending requests.
//!
//! Pure Rust: no JavaScript, no clock, no IO. Time comes in as milliseconds, randomness from a seeded
//! [`Rng`]; what to do comes out of [`Engine::poll`] as [`Output`]s. The JS class and the Rust client
//! are thin layers that perform those outputs on a platform socket.

mod backoff;
pub mod defaults;
mod engine;
mod error;
pub mod heartbeat;
mod input;
mod outbox;
mod queue;
pub(crate) mod text;
mod validate;

pub use backoff::{Backoff, Rng};
pub use engine::{
    alive_sample_ms, Config, Engine, Event, FastBlock, FastDone, FastLanes, Heartbeat, Inbound, Millis, Output, Payload, RequestHandle,
    RequestKey, SendOptions, State, Stats, TaskId, Text,
};
pub use input::Input;
pub use error::{Error, ErrorCode};
pub use outbox::{Restored, Snapshot, StoredFrame};
pub use queue::{Overflow, Pushed, Queue, QueueLimits, Queued};
pub use validate::{check_close, check_header, check_url, is_loopback, is_token_byte, redact_in, redact_url, WsUrl, MAX_REASON_BYTES};
