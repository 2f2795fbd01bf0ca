//! The one list of error codes, shared by thrown errors and `error` events.

use core::fmt;

/// What went wrong. The string form (`as_str`) is the `code` page code sees.
///
/// Codes up to `Timeout` are thrown (or reject a promise); the rest arrive as `error` events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A method was called before `init()` finished loading the WebAssembly module.
    NotInitialized,
    /// An option has the wrong type or an out-of-range value.
    InvalidOption,
    /// The URL is not a `ws://` or `wss://` URL that a WebSocket can open.
    InvalidUrl,
    /// A `ws://` URL to a host that is not loopback, without `allowInsecure: true`.
    InsecureUrl,
    /// No `platform` was given and none of `wx`, `tt`, `qq`, `uni`, `WebSocket` exists.
    NoPlatform,
    /// `send` got a value the codec cannot encode.
    Serialize,
    /// The outgoing queue is full and its overflow policy is `'error'`.
    QueueFull,
    /// The client was closed with `close()`.
    Closed,
    /// `close()` got a code other than 1000 or 3000–4999.
    InvalidCloseCode,
    /// `close()` got a reason longer than 123 UTF-8 bytes.
    ReasonTooLong,
    /// A request got no reply in time.
    Timeout,
    /// The platform could not open the socket, or it closed before it opened.
    ConnectFailed,
    /// An attempt was not open within `connectTimeoutMs`.
    ConnectTimeout,
    /// No pong (nor any other frame) arrived within `timeoutMs` of a ping.
    HeartbeatTimeout,
    /// A connection was lost while frames sent on it were not yet confirmed by a pong (heartbeat on,
    /// at-least-once re-sending off): they are counted in `stats.dropped`; the message says how many.
    UnconfirmedLost,
    /// A text frame was not valid JSON under the JSON codec.
    Decode,
    /// An inbound frame was larger than `maxMessageBytes`; it was dropped unread.
    MessageTooLarge,
    /// The platform failed to send a frame on an open socket.
    SendFailed,
    /// `maxRetries` retries failed; the client is closed.
    RetriesExhausted,
    /// The platform reported an error on an open socket, or a platform call threw.
    Platform,
    /// A request's reply was an error (by default a JSON-RPC 2.0 reply with an `error` member); the
    /// server's error travels with it.
    RemoteError,
    /// Queued frames outlived their `ttlMs` and were dropped at a flush (the message gives their number).
    Expired,
    /// The durable outbox (`queue.persist`) could not be written to or read from storage.
    Storage,
}

impl ErrorCode {
    /// The code as page code sees it, e.g. `"QUEUE_FULL"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotInitialized => "NOT_INITIALIZED",
            ErrorCode::InvalidOption => "INVALID_OPTION",
            ErrorCode::InvalidUrl => "INVALID_URL",
            ErrorCode::InsecureUrl => "INSECURE_URL",
            ErrorCode::NoPlatform => "NO_PLATFORM",
            ErrorCode::Serialize => "SERIALIZE",
            ErrorCode::QueueFull => "QUEUE_FULL",
            ErrorCode::Closed => "CLOSED",
            ErrorCode::InvalidCloseCode => "INVALID_CLOSE_CODE",
            ErrorCode::ReasonTooLong => "REASON_TOO_LONG",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::ConnectFailed => "CONNECT_FAILED",
            ErrorCode::ConnectTimeout => "CONNECT_TIMEOUT",
            ErrorCode::HeartbeatTimeout => "HEARTBEAT_TIMEOUT",
            ErrorCode::UnconfirmedLost => "UNCONFIRMED_LOST",
            ErrorCode::Decode => "DECODE",
            ErrorCode::MessageTooLarge => "MESSAGE_TOO_LARGE",
            ErrorCode::SendFailed => "SEND_FAILED",
            ErrorCode::RetriesExhausted => "RETRIES_EXHAUSTED",
            ErrorCode::Platform => "PLATFORM",
            ErrorCode::RemoteError => "REMOTE_ERROR",
            ErrorCode::Expired => "EXPIRED",
            ErrorCode::Storage => "STORAGE",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with its code and a message that says what was wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// The human-readable explanation.
    pub message: String,
}

impl Error {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ends by pointing at the README's table of codes, as the JavaScript messages do.
        write!(f, "{}: {} (see README#errors)", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}
