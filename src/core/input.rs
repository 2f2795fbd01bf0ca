//! What the platform tells the engine: the one argument of [`Engine::handle`](super::Engine::handle).
//!
//! Each input comes with the time it happened. Page code's calls (`send`, `request`, `close`, `reconnect`, …)
//! are not inputs: they stay methods of the engine, because they answer (a send's result, a request's handle).
//! No input makes the engine call page code: what needs page code's answer (`shouldReconnect`) is asked by the
//! caller before the input and carried in it.

use super::engine::{Inbound, TaskId};

/// One thing that happened to a task, the network, the app or the clock.
#[derive(Clone, Debug, PartialEq)]
pub enum Input<P> {
    /// The task opened (the platform's `onOpen`).
    Opened {
        /// Which task.
        task: TaskId,
    },
    /// A frame of `size` bytes arrived on the task, decoded and classified once as it arrived (see
    /// [`Inbound`]). Counted and taken as proof of life; then dropped (too large, or from an old task),
    /// delivered, or the request it answers settled.
    Frame {
        /// Which task.
        task: TaskId,
        /// Its size in bytes, as received.
        size: usize,
        /// What it is.
        frame: Inbound<P>,
    },
    /// The task closed (the platform's `onClose`), with the code and reason the platform reported.
    Closed {
        /// Which task.
        task: TaskId,
        /// Close code (1006 where the platform gives none).
        code: u16,
        /// Close reason.
        reason: String,
        /// `reconnect.shouldReconnect`'s answer for this close, asked by the caller before this input
        /// (`true` where there is none): `false` stops the client. The engine reads it only for a close of
        /// the live task with reconnect on, so the caller need not ask otherwise
        /// ([`Engine::task`](super::Engine::task), [`Config::reconnect`](super::Config::reconnect)).
        should_reconnect: bool,
    },
    /// The task reported an error (the platform's `onError`, or `connectSocket` failing), with the
    /// platform's text. A text saying the platform's own connect timeout fired is a `CONNECT_TIMEOUT`.
    Failed {
        /// Which task.
        task: TaskId,
        /// The platform's errMsg.
        err_msg: String,
    },
    /// The attempt failed before a task could be asked for (the `url` function threw, rejected or gave no
    /// usable URL): `CONNECT_FAILED` whatever the message says, and the client retries.
    AttemptFailed {
        /// The attempt's task id.
        task: TaskId,
        /// What went wrong.
        message: String,
    },
    /// The platform refused the URL itself as invalid (a `WebSocket` constructor's `SyntaxError`, a
    /// `connectSocket` "invalid url"): an `INVALID_URL` error.
    UrlRefused {
        /// The attempt's task id.
        task: TaskId,
        /// The platform's text.
        err_msg: String,
        /// The URL is the fixed `url` option: it can never open, so the client stops (`closed`, no retry
        /// loop; `reconnect()` tries again). `false`: a `url` function may return another, so this is a
        /// failed attempt, retried as usual.
        fixed: bool,
    },
    /// Handing a frame to the open task failed: the connection is taken as broken.
    SendFailed {
        /// Which task.
        task: TaskId,
        /// The platform's text.
        err_msg: String,
    },
    /// The platform's `bufferedAmount` for the task, read just before a [`Input::Timeout`] where the platform
    /// has one (a browser `WebSocket`, npm `ws`; a `SocketTask` has none): bytes still in the socket put off
    /// the heartbeat's verdict while they drain (see `heartbeat::SocketBuffer`).
    SocketBuffered {
        /// Which task.
        task: TaskId,
        /// Bytes not yet handed to the network.
        bytes: u64,
    },
    /// The network went down or came back. Down: no attempts are spent. Up: connect now.
    Network {
        /// Whether it is up.
        online: bool,
    },
    /// The app went to the background. Nothing changes (its timers freeze anyway).
    AppHidden,
    /// The app came back: a heartbeat-enabled open client pings at once (its timers were frozen); a waiting
    /// client with network connects at once.
    AppShown,
    /// The timer armed by the last [`Output::Timer`](super::Output::Timer) fired: every deadline that is due
    /// is handled.
    Timeout,
    /// Writing or reading the outbox (`queue.persist`) failed (storage full, quota, a platform error): a
    /// `STORAGE` error event. Nothing is lost while the app lives; the next change of the queue writes again.
    StorageFailed {
        /// The platform's text.
        err_msg: String,
    },
}
