//! The durable outbox model (`queue.persist`, docs/contract.md): what the engine asks the platform layer to
//! keep in storage, and what it accepts back when a client with the same key is created again.
//!
//! - After anything changes the queue or the message-id counter, the engine sets one deadline
//!   [`PERSIST_WITHIN_MS`](super::defaults::PERSIST_WITHIN_MS) ahead (not one write per send) and, when it
//!   is due, emits [`Output::Persist`](super::Output::Persist) with a [`Snapshot`] of the whole queue.
//!   The platform layer writes it under the key, replacing what was there.
//! - On start the platform layer reads the key and hands the frames to
//!   [`Engine::restore`](super::Engine::restore): they go before anything queued since, in their order,
//!   under the queue's bounds and overflow policy.
//! - A failed write or read comes back through [`Engine::storage_failed`](super::Engine::storage_failed):
//!   a `STORAGE` error event, and the next change of the queue tries again.
//! - Frames of `request()` are not stored: the promise waiting for their reply dies with the app.
//! - Lifetimes are stored as absolute times on the caller's clock (the JS layer uses `Date.now()`), so a
//!   frame that expired while the app was dead is dropped at the first flush after the restore.

use super::engine::Millis;

/// One stored frame.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFrame<P> {
    /// The frame as it will be sent.
    pub payload: P,
    /// When its lifetime ends; `None`: never.
    pub expires_at: Option<Millis>,
}

/// Everything the outbox keeps under its key.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot<P> {
    /// The queued frames (requests excepted), oldest first.
    pub frames: Vec<StoredFrame<P>>,
    /// The message id the next stamped message gets (`messageIdField`), so ids keep growing across restarts.
    pub next_message_id: u64,
}

/// What [`Engine::restore`](super::Engine::restore) did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// Frames put in the queue.
    pub queued: usize,
    /// Frames the queue's bounds did not admit (dropped, counted in `stats.dropped`, one `QUEUE_FULL` event).
    pub dropped: usize,
}
