//! The fast path: what the package's JavaScript may do without calling into the module, as the engine
//! allows it, and how what it did comes back to the engine.
//!
//! After every call the engine says, through [`Engine::fast_lanes`], on which task JavaScript may send by
//! itself and which task's messages it may deliver by itself: only an open client with nothing left to
//! perform (no output waiting: events are delivered in order after the call, issue 13), and for sends
//! nothing queued or waiting to be re-sent and no at-least-once re-sending (a frame sent by JavaScript is
//! counted, not kept, so it could not be sent again). The platform layer writes the lanes into a
//! [`FastBlock`] in wasm memory, one per client, which JavaScript reads (src/js/fast_path.js) and where
//! it adds what it did to named counters. Before every engine call and every getter the platform layer
//! takes those counters and hands them to [`Engine::collect_fast`], which does what the slow path would
//! have done for the same frames: the stats, the socket-buffer count, the heartbeat's unconfirmed frames,
//! and the heartbeat's "any frame is alive" (exact: JavaScript stamps each frame's arrival while a
//! heartbeat is on). The lanes are closed at the start of every engine call and opened again only when
//! the outermost call has performed everything, so page code running inside a call (the logger, the url
//! function) takes the slow path and its sends keep their order.
//!
//! JavaScript sends on the fast path only what the slow path would hand to the open task at once, and
//! delivers only frames it classified as messages: not a pong, not over `maxMessageBytes`, not text that
//! is not JSON, and not carrying the id of a pending request (it keeps the set of pending ids).
//! `tests/fast_path_properties.rs` checks that interleaving fast and slow inputs leaves the engine as the
//! slow inputs alone would.

use super::{Engine, Millis, Payload, State, TaskId};

/// What JavaScript may do by itself until the next call into the module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FastLanes {
    /// The task JavaScript may send on by itself.
    pub send: Option<TaskId>,
    /// The task whose messages JavaScript may deliver by itself.
    pub receive: Option<TaskId>,
    /// Whether JavaScript stamps each frame it delivers with its arrival time (the heartbeat needs the
    /// last one).
    pub stamp_frames: bool,
}

/// What JavaScript did on the fast path since the engine last collected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FastDone {
    /// Data frames sent.
    pub sent_messages: u64,
    /// Their counted size ([`Payload::counted_len`]).
    pub sent_bytes: u64,
    /// Messages delivered.
    pub received_messages: u64,
    /// Their size as measured on arrival.
    pub received_bytes: u64,
    /// When the last of them arrived (with `stamp_frames`).
    pub last_frame_at: Option<Millis>,
}

/// The block of wasm memory one client shares with JavaScript: the lanes the engine publishes, and the
/// counters JavaScript adds to. JavaScript reads it by the byte offsets in [`FastBlock::FIELDS`]; the
/// accessor src/js/fast_path.js declares the same offsets by the same names, and `tests/fast_path.rs`
/// fails if the two disagree. A task number 0 means none (tasks are numbered from 1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FastBlock {
    /// [`FastLanes::send`].
    pub send_task: u32,
    /// [`FastLanes::receive`].
    pub receive_task: u32,
    /// [`FastLanes::stamp_frames`]: 1 or 0.
    pub stamp_frames: u32,
    /// Unused: keeps the counters on 8-byte boundaries for JavaScript's `Float64Array`.
    pub padding: u32,
    /// [`FastDone::sent_messages`] (a double: JavaScript adds to it).
    pub sent_messages: f64,
    /// [`FastDone::sent_bytes`].
    pub sent_bytes: f64,
    /// [`FastDone::received_messages`].
    pub received_messages: f64,
    /// [`FastDone::received_bytes`].
    pub received_bytes: f64,
    /// [`FastDone::last_frame_at`]: `Date.now()` of the last frame, 0 for none.
    pub last_frame_at: f64,
}

impl FastBlock {
    /// Every field JavaScript reads or writes, by the name src/js/fast_path.js gives its byte offset.
    pub const FIELDS: [(&'static str, usize); 8] = [
        ("SEND_TASK", std::mem::offset_of!(FastBlock, send_task)),
        ("RECEIVE_TASK", std::mem::offset_of!(FastBlock, receive_task)),
        ("STAMP_FRAMES", std::mem::offset_of!(FastBlock, stamp_frames)),
        ("SENT_MESSAGES", std::mem::offset_of!(FastBlock, sent_messages)),
        ("SENT_BYTES", std::mem::offset_of!(FastBlock, sent_bytes)),
        ("RECEIVED_MESSAGES", std::mem::offset_of!(FastBlock, received_messages)),
        ("RECEIVED_BYTES", std::mem::offset_of!(FastBlock, received_bytes)),
        ("LAST_FRAME_AT", std::mem::offset_of!(FastBlock, last_frame_at)),
    ];

    /// Writes the lanes.
    pub fn publish(&mut self, lanes: FastLanes) {
        self.send_task = lanes.send.map_or(0, |t| t.0);
        self.receive_task = lanes.receive.map_or(0, |t| t.0);
        self.stamp_frames = u32::from(lanes.stamp_frames);
    }

    /// Takes the counters (zeroed); the lanes stay as they are.
    pub fn take(&mut self) -> FastDone {
        let count = |x: f64| if x.is_finite() && x > 0.0 { x as u64 } else { 0 };
        let done = FastDone {
            sent_messages: count(self.sent_messages),
            sent_bytes: count(self.sent_bytes),
            received_messages: count(self.received_messages),
            received_bytes: count(self.received_bytes),
            last_frame_at: Some(count(self.last_frame_at)).filter(|t| *t > 0),
        };
        let lanes = (self.send_task, self.receive_task, self.stamp_frames);
        *self = FastBlock::default();
        (self.send_task, self.receive_task, self.stamp_frames) = lanes;
        done
    }
}

impl<P: Payload> Engine<P> {
    /// What JavaScript may do by itself now (see the module's documentation).
    pub fn fast_lanes(&self) -> FastLanes {
        let open = match self.task {
            Some(live) if self.state == State::Open && self.out.is_empty() => Some(live.id),
            _ => None,
        };
        let send = open.filter(|_| self.queue.is_empty() && self.resend.is_empty() && !self.resend_unconfirmed);
        FastLanes { send, receive: open, stamp_frames: self.cfg.heartbeat.is_some() }
    }

    /// What JavaScript did on the fast path, as the slow path would have done it: sent frames counted
    /// (and, with a heartbeat, unconfirmed until a pong), received frames counted and taken as proof of
    /// life. Produces no output: it only moves deadlines later, and the timer armed for an earlier one
    /// wakes the engine, which then re-arms it.
    pub fn collect_fast(&mut self, done: FastDone) {
        if done.sent_messages > 0 {
            self.stats.messages_sent += done.sent_messages;
            self.stats.bytes_sent += done.sent_bytes;
            self.socket_buffer.handed(usize::try_from(done.sent_bytes).unwrap_or(usize::MAX));
            self.uplink.handed(usize::try_from(done.sent_bytes).unwrap_or(usize::MAX));
            if self.cfg.heartbeat.is_some() {
                self.unconfirmed.sent_unkept(done.sent_messages);
            }
        }
        if done.received_messages > 0 {
            self.stats.messages_received += done.received_messages;
            self.stats.bytes_received += done.received_bytes;
            self.pong_deadline = None;
            if let Some(at) = done.last_frame_at {
                self.tick(at);
                self.arm_next_ping(at);
            }
        }
    }
}
