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
//! and the heartbeat's "any frame is alive". The lanes are closed at the start of every engine call and
//! opened again only when the outermost call has performed everything, so page code running inside a call
//! (the logger, the url function) takes the slow path and its sends keep their order.
//!
//! "Any frame is alive", within a bound: JavaScript reads no clock per frame. With a heartbeat the receive
//! lane is open only while the engine samples ([`AliveSampling`]): the first frame after a quiet spell
//! goes through the module, which then wakes every [`alive_sample_ms`] (at most 1 s, a tenth of
//! `intervalMs` when that is shorter) while frames keep coming, and stops, closing the lane, after one
//! wake-up that finds none. Fast frames are taken as proof of life at the collection after them, so the
//! next ping is sent at most `alive_sample_ms` (plus however late the platform's timer fires) after the
//! slow path would have sent it, never before; the pong timeout is exact (every frame collected came after
//! the last ping, which an engine call sent).
//!
//! JavaScript sends on the fast path only what the slow path would hand to the open task at once, and
//! delivers only frames it classified as messages: not a pong, not over `maxMessageBytes`, not text that
//! is not JSON, and not carrying the id of a pending request (it keeps the set of pending ids).
//! `tests/fast_path_properties.rs` checks that interleaving fast and slow inputs leaves the engine as the
//! slow inputs alone would, with each fast frame arriving at the collection after it, and that the
//! collection comes within `alive_sample_ms` of the frame.

use super::{Engine, Millis, Payload, State, TaskId};

/// What JavaScript may do by itself until the next call into the module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FastLanes {
    /// The task JavaScript may send on by itself.
    pub send: Option<TaskId>,
    /// The task whose messages JavaScript may deliver by itself.
    pub receive: Option<TaskId>,
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
}

/// How late a fast frame may be taken as proof of life: the engine samples the fast path's counters this
/// often while frames keep coming. At most 1 s, and a tenth of `heartbeat.intervalMs` when that is shorter,
/// so a ping is never put off by more than a small share of its interval.
pub fn alive_sample_ms(interval_ms: u64) -> u64 {
    (interval_ms / ALIVE_SAMPLES_PER_INTERVAL).clamp(1, MAX_ALIVE_SAMPLE_MS)
}

/// The longest [`alive_sample_ms`].
const MAX_ALIVE_SAMPLE_MS: u64 = 1000;
/// Samples per heartbeat interval when the interval is short.
const ALIVE_SAMPLES_PER_INTERVAL: u64 = 10;

/// The engine's sampling of fast frames while a heartbeat is on (see the module's documentation).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct AliveSampling {
    /// The next wake-up; `None`: not sampling, the receive lane is closed.
    at: Option<Millis>,
    /// A frame arrived since the last wake-up.
    seen: bool,
}

impl AliveSampling {
    /// The wake-up, for the engine's earliest deadline.
    pub(super) fn deadline(&self) -> Option<Millis> {
        self.at
    }

    /// A frame arrived (through the module or, collected, on the fast path).
    pub(super) fn frame(&mut self, now: Millis, sample_ms: u64) {
        match self.at {
            None => self.at = Some(now.saturating_add(sample_ms)),
            Some(_) => self.seen = true,
        }
    }

    /// The timer fired: sample again if frames came since the last time, else stop.
    pub(super) fn due(&mut self, now: Millis, sample_ms: u64) {
        if self.at.is_some_and(|t| t <= now) {
            self.at = self.seen.then(|| now.saturating_add(sample_ms));
            self.seen = false;
        }
    }

    /// The connection is gone.
    pub(super) fn stop(&mut self) {
        *self = AliveSampling::default();
    }
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
    /// [`FastDone::sent_messages`] (a double: JavaScript adds to it).
    pub sent_messages: f64,
    /// [`FastDone::sent_bytes`].
    pub sent_bytes: f64,
    /// [`FastDone::received_messages`].
    pub received_messages: f64,
    /// [`FastDone::received_bytes`].
    pub received_bytes: f64,
}

impl FastBlock {
    /// Every field JavaScript reads or writes, by the name src/js/fast_path.js gives its byte offset.
    pub const FIELDS: [(&'static str, usize); 6] = [
        ("SEND_TASK", std::mem::offset_of!(FastBlock, send_task)),
        ("RECEIVE_TASK", std::mem::offset_of!(FastBlock, receive_task)),
        ("SENT_MESSAGES", std::mem::offset_of!(FastBlock, sent_messages)),
        ("SENT_BYTES", std::mem::offset_of!(FastBlock, sent_bytes)),
        ("RECEIVED_MESSAGES", std::mem::offset_of!(FastBlock, received_messages)),
        ("RECEIVED_BYTES", std::mem::offset_of!(FastBlock, received_bytes)),
    ];

    /// Writes the lanes.
    pub fn publish(&mut self, lanes: FastLanes) {
        self.send_task = lanes.send.map_or(0, |t| t.0);
        self.receive_task = lanes.receive.map_or(0, |t| t.0);
    }

    /// Takes the counters (zeroed); the lanes stay as they are.
    #[inline(never)]
    pub fn take(&mut self) -> FastDone {
        let done = FastDone {
            sent_messages: count(self.sent_messages),
            sent_bytes: count(self.sent_bytes),
            received_messages: count(self.received_messages),
            received_bytes: count(self.received_bytes),
        };
        *self = FastBlock { send_task: self.send_task, receive_task: self.receive_task, ..FastBlock::default() };
        done
    }
}

/// A counter as JavaScript left it: finite and not negative, or nothing.
#[inline(never)]
fn count(x: f64) -> u64 {
    if x.is_finite() && x > 0.0 {
        x as u64
    } else {
        0
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
        let receive = open.filter(|_| self.cfg.heartbeat.is_none() || self.alive_sampling.deadline().is_some());
        FastLanes { send, receive }
    }

    /// What JavaScript did on the fast path, collected at `now` (the engine call or getter it comes
    /// before), as the slow path would have done it: sent frames counted (and, with a heartbeat,
    /// unconfirmed until a pong), received frames counted and taken as proof of life at `now`. Produces no
    /// output: it only moves deadlines later, and the timer armed for an earlier one wakes the engine,
    /// which then re-arms it.
    #[inline(never)]
    pub fn collect_fast(&mut self, now: Millis, done: FastDone) {
        if done.sent_messages > 0 {
            self.count_handed(done.sent_messages, usize::try_from(done.sent_bytes).unwrap_or(usize::MAX));
            if self.cfg.heartbeat.is_some() {
                self.unconfirmed.sent_unkept(done.sent_messages);
            }
        }
        if done.received_messages > 0 {
            self.count_received(done.received_messages, done.received_bytes);
            self.tick(now);
            self.frame_is_alive(now);
        }
    }

    /// Any frame on the open task is proof of life: the pong deadline goes, the next ping is an interval
    /// away, and with a heartbeat the fast path's frames are sampled.
    pub(super) fn frame_is_alive(&mut self, now: Millis) {
        self.pong_deadline = None;
        self.arm_next_ping(now);
        if let Some(hb) = &self.cfg.heartbeat {
            self.alive_sampling.frame(now, alive_sample_ms(hb.interval_ms));
        }
    }

    /// The timer fired: the sampling of fast frames, if due.
    pub(super) fn sample_alive(&mut self, now: Millis) {
        if let Some(hb) = &self.cfg.heartbeat {
            self.alive_sampling.due(now, alive_sample_ms(hb.interval_ms));
        }
    }
}
