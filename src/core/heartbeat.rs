//! What the heartbeat knows about the link: the measured round trip, and the frames the server has not
//! confirmed yet (docs/contract.md, Heartbeat and Delivery on a lost connection).
//!
//! - [`RoundTrip`] estimates the round trip from ping/pong and request/reply times as TCP estimates its
//!   retransmission timeout (RFC 6298: `srtt`, `rttvar`), so the pong timeout is never shorter than the
//!   link allows: `max(timeoutMs, srtt + 4·rttvar)`, at most [`MAX_ADAPTIVE_TIMEOUT_MS`].
//! - [`Unconfirmed`] keeps every data frame handed to the live task until a pong (or a request's reply)
//!   shows the server has read past it: the server reads the stream in order, so a pong to a ping sent
//!   after a frame confirms that frame. When the connection is declared dead, what is left was possibly
//!   lost: it is re-sent on the next connection, or counted and reported, never dropped in silence.
//! - [`Uplink`] estimates how many bytes the client sent ahead of a ping are still on their way (in the
//!   platform's buffer or the kernel's, which `bufferedAmount` does not show) and how fast the uplink
//!   carries them, so a ping queued behind the client's own backlog is given the time to get through.

use std::collections::VecDeque;

use super::engine::{Millis, RequestHandle};

/// The adaptive pong timeout never exceeds this, however slow the measured round trips were: a stalled
/// server is always found within `intervalMs` + this after the last inbound frame. TCP itself caps its
/// retransmission timeout at 120 s; half of that still outlasts a bufferbloated mobile uplink's worst
/// queueing delays measured in tests/netfault (25 s).
pub const MAX_ADAPTIVE_TIMEOUT_MS: u64 = 60_000;

/// The uplink rate assumed before any pong has measured one, in bytes per second: a GPRS-class uplink
/// (32 kbit/s). A slower link may still time out a first ping sent behind a large backlog.
pub const ASSUMED_UPLINK_BYTES_PER_S: u64 = 4_000;

/// The backlog's share of a pong wait is this many times its drain time at the measured rate: a new
/// connection's slow start and loss recovery carried half the steady rate in tests/netfault.
pub const BACKLOG_MARGIN: u64 = 2;

/// RFC 6298's estimator, in milliseconds, with a first guess from the opening handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundTrip {
    /// Smoothed round trip; `None` before the first sample.
    srtt: Option<u64>,
    /// Its mean deviation.
    rttvar: u64,
    /// A round trip guessed before any sample (from the opening handshake); the first real sample
    /// replaces it rather than being averaged with it, so a handshake made while the link was still fast
    /// does not hold the estimate down for long (a ping gives one sample per interval, not TCP's many).
    hint: Option<u64>,
}

impl RoundTrip {
    /// A guess used until the first sample: the wait is then `hint + 4·hint/2`, as a first sample gives.
    pub fn hint(&mut self, rtt: u64) {
        if self.srtt.is_none() {
            self.hint = Some(rtt);
        }
    }

    /// Adds one measured round trip.
    pub fn sample(&mut self, rtt: u64) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                // rttvar = 3/4 rttvar + 1/4 |srtt - rtt|; srtt = 7/8 srtt + 1/8 rtt
                self.rttvar = (3 * self.rttvar + srtt.abs_diff(rtt)) / 4;
                self.srtt = Some((7 * srtt + rtt) / 8);
            }
        }
    }

    /// The smoothed round trip, once measured (a hint is not a measurement).
    pub fn srtt(&self) -> Option<u64> {
        self.srtt
    }


    /// How long to wait for a pong: `max(floor, srtt + 4·rttvar)`, capped at `MAX_ADAPTIVE_TIMEOUT_MS`
    /// (but never below `floor`, the configured `timeoutMs`).
    pub fn timeout(&self, floor: u64) -> u64 {
        let measured = match (self.srtt, self.hint) {
            (Some(s), _) => s.saturating_add(self.rttvar.saturating_mul(4)),
            (None, Some(h)) => h.saturating_add(h / 2 * 4),
            (None, None) => 0,
        };
        floor.max(measured.min(MAX_ADAPTIVE_TIMEOUT_MS))
    }
}

/// The client's own backlog on the uplink. Bytes handed to the socket are taken to leave at the measured
/// rate (the bytes a pong confirmed since the previous confirmation, over the time between them, smoothed
/// as `srtt` is; [`ASSUMED_UPLINK_BYTES_PER_S`] until measured, and never below it), and never more are
/// queued than the pongs left unconfirmed (the drain is reckoned at each ping and pong). A ping sent behind `queued` bytes is waited for
/// [`BACKLOG_MARGIN`] times their drain time on top of the round trip's timeout.
#[derive(Clone, Copy, Debug, Default)]
pub struct Uplink {
    /// Smoothed rate in bytes per second; `None` before the first sample. Kept across connections.
    rate: Option<u64>,
    /// Bytes handed to the live task so far (pings included).
    handed: u64,
    /// Bytes estimated still on their way, as of `updated`.
    queued: u64,
    updated: Millis,
    /// `handed` and the time of the last confirmation on the live task (its opening at first).
    confirmed: (u64, Millis),
    /// `handed` just before the ping in flight.
    ping: Option<u64>,
}

impl Uplink {
    /// A new task opened: nothing of it is queued yet. The rate carries over (same link, most likely).
    pub fn opened(&mut self, now: Millis) {
        *self = Uplink { rate: self.rate, updated: now, confirmed: (0, now), ..Uplink::default() };
    }

    /// The rate the backlog drains at, in bytes per second.
    pub fn rate(&self) -> u64 {
        self.rate.unwrap_or(0).max(ASSUMED_UPLINK_BYTES_PER_S)
    }

    fn drain(&mut self, now: Millis) {
        let carried = self.rate().saturating_mul(now.saturating_sub(self.updated)) / 1000;
        self.queued = self.queued.saturating_sub(carried);
        self.updated = self.updated.max(now);
    }

    /// A frame of `bytes` went to the live task. When does not matter: the queue is drained at the ping and
    /// the pong only, by the rate times the time since (the same estimate whenever bytes went while the
    /// uplink stayed backlogged; frames sent on the fast path carry no time).
    pub fn handed(&mut self, bytes: usize) {
        self.queued = self.queued.saturating_add(bytes as u64);
        self.handed = self.handed.saturating_add(bytes as u64);
    }

    /// A ping is about to be handed over: returns the extra wait its backlog needs, in ms.
    pub fn ping_sent(&mut self, now: Millis) -> u64 {
        self.drain(now);
        self.ping = Some(self.handed);
        self.queued.saturating_mul(BACKLOG_MARGIN).saturating_mul(1000) / self.rate()
    }

    /// The pong to the ping in flight arrived: everything before the ping has crossed. A rate sample when
    /// bytes were confirmed since the previous confirmation. `in_time`: it came within the pong timeout
    /// alone (the round trip's part, no backlog share needed), so the uplink was keeping up: nothing is
    /// taken as queued after it. Otherwise what was sent after the ping may still be queued behind it.
    /// (On a lossy link TCP's own retransmission stalls delay pongs too; a backlog counted from every pong
    /// there kept a stalled socket 17 s, where the pong timeout gave it up in 2 s.)
    pub fn pong(&mut self, now: Millis, in_time: bool) {
        let Some(at) = self.ping.take() else { return };
        let (before, then) = self.confirmed;
        let elapsed = now.saturating_sub(then);
        if at > before && elapsed > 0 {
            let sample = (at - before).saturating_mul(1000) / elapsed;
            self.rate = Some(match self.rate {
                None => sample,
                Some(r) => r.saturating_mul(7).saturating_add(sample) / 8,
            });
        }
        self.confirmed = (at, now);
        self.drain(now);
        self.queued = if in_time { 0 } else { self.queued.min(self.handed.saturating_sub(at)) };
    }
}

/// A data frame handed to the live task and not confirmed yet.
#[derive(Clone, Debug)]
pub struct Sent<P> {
    /// The frame, kept to be sent again.
    pub payload: P,
    /// The request it carries, if it is one.
    pub request: Option<RequestHandle>,
}

/// A ping on the live task that awaits its pong.
#[derive(Clone, Copy, Debug)]
struct Ping {
    sent_at: Millis,
    /// Frames handed before it (a position in the task's stream of data frames).
    after: u64,
}

/// The data frames of the live task not yet confirmed, and its pings in flight. Every data frame has a
/// position in the task's stream; the frames the module handed over itself are kept (to be sent again),
/// those JavaScript sent by itself on the fast path (src/core/fast_path.rs) are only counted.
#[derive(Debug)]
pub struct Unconfirmed<P> {
    /// The kept frames not confirmed yet, each with its stream position, oldest first.
    frames: VecDeque<(u64, Sent<P>)>,
    /// Stream position after the last frame handed over (kept or counted).
    end: u64,
    /// Every frame before this position is confirmed.
    confirmed: u64,
    pings: VecDeque<Ping>,
}

/// What a lost task took with it unconfirmed.
#[derive(Debug)]
pub struct Left<P> {
    /// The kept frames, oldest first.
    pub kept: VecDeque<Sent<P>>,
    /// Frames sent on the fast path (only counted: they cannot be sent again).
    pub counted: u64,
}

impl<P> Default for Unconfirmed<P> {
    fn default() -> Self {
        Unconfirmed { frames: VecDeque::new(), end: 0, confirmed: 0, pings: VecDeque::new() }
    }
}

impl<P> Unconfirmed<P> {
    /// A data frame went to the live task.
    pub fn sent(&mut self, payload: P, request: Option<RequestHandle>) {
        self.frames.push_back((self.end, Sent { payload, request }));
        self.end += 1;
    }

    /// `count` data frames went to the live task on the fast path (counted, not kept).
    pub fn sent_unkept(&mut self, count: u64) {
        self.end = self.end.saturating_add(count);
    }

    /// A ping went to the live task.
    pub fn ping_sent(&mut self, now: Millis) {
        self.pings.push_back(Ping { sent_at: now, after: self.end });
    }

    /// True while a ping awaits its pong.
    pub fn ping_in_flight(&self) -> bool {
        !self.pings.is_empty()
    }

    /// A pong arrived: it answers the oldest ping (pongs come back in order), which confirms every frame
    /// sent before that ping. Returns that ping's round trip.
    pub fn pong(&mut self, now: Millis) -> Option<u64> {
        let ping = self.pings.pop_front()?;
        self.confirm_before(ping.after);
        Some(now.saturating_sub(ping.sent_at))
    }

    /// The reply to `request` arrived: the server has read it and everything sent before it.
    pub fn replied(&mut self, request: RequestHandle) {
        if let Some(at) = self.frames.iter().find(|(_, s)| s.request == Some(request)).map(|(at, _)| *at) {
            self.confirm_before(at + 1);
        }
    }

    fn confirm_before(&mut self, position: u64) {
        self.confirmed = self.confirmed.max(position);
        while self.frames.front().is_some_and(|(at, _)| *at < self.confirmed) {
            self.frames.pop_front();
        }
    }

    /// Frames not confirmed yet.
    pub fn len(&self) -> usize {
        usize::try_from(self.end - self.confirmed).unwrap_or(usize::MAX)
    }

    /// True when every frame is confirmed.
    pub fn is_empty(&self) -> bool {
        self.end == self.confirmed
    }

    /// The task is gone: its unconfirmed frames; pings in flight are forgotten.
    pub fn take(&mut self) -> Left<P> {
        self.pings.clear();
        let mut kept = VecDeque::with_capacity(self.frames.len());
        for (_, s) in std::mem::take(&mut self.frames) {
            kept.push_back(s);
        }
        let counted = (self.end - self.confirmed).saturating_sub(kept.len() as u64);
        self.confirmed = self.end;
        Left { kept, counted }
    }
}

/// What the platform's socket still holds (`bufferedAmount`, where the platform has one), as it bears on
/// the heartbeat's verdict: a ping that has not even left the client cannot have been answered yet. While
/// the ping is still in that buffer and the buffer drains, the verdict is put off by another pong
/// timeout; a buffer that did not drain for a whole pong timeout is a dead (or stalled) link. So a stalled
/// server is still found: within `intervalMs` + two pong timeouts when it stops reading with the ping
/// still buffered, as when it stops answering.
#[derive(Clone, Copy, Debug, Default)]
pub struct SocketBuffer {
    /// Bytes handed to the live task so far (the payloads' counted sizes).
    handed: u64,
    /// `handed` just after the ping in flight was handed over.
    ping_end: u64,
    /// The platform's `bufferedAmount`, read just before this timer firing; `None` where there is none.
    reading: Option<u64>,
    /// The reading and `handed` when the verdict was last put off, for this ping.
    last: Option<(u64, u64)>,
}

impl SocketBuffer {
    /// A frame of `bytes` went to the live task.
    pub fn handed(&mut self, bytes: usize) {
        self.handed = self.handed.saturating_add(bytes as u64);
    }

    /// The ping just handed over is the one in flight.
    pub fn ping_sent(&mut self) {
        self.ping_end = self.handed;
        self.last = None;
    }

    /// The platform's `bufferedAmount` now.
    pub fn read(&mut self, bytes: u64) {
        self.reading = Some(bytes);
    }

    /// At the pong deadline: whether to wait another pong timeout (the ping is still in the buffer, and
    /// the buffer drained since the verdict was last put off, or this is the first time). Uses the reading.
    pub fn puts_off_verdict(&mut self) -> bool {
        let Some(buffered) = self.reading.take() else { return false };
        let after_ping = self.handed.saturating_sub(self.ping_end);
        if buffered <= after_ping {
            return false; // the ping has left the client
        }
        let drained = match self.last {
            None => true,
            Some((was, handed_then)) => was.saturating_add(self.handed.saturating_sub(handed_then)) > buffered,
        };
        if drained {
            self.last = Some((buffered, self.handed));
        }
        drained
    }

    /// The reading is only good for the timer firing it was read for.
    pub fn forget_reading(&mut self) {
        self.reading = None;
    }

    /// The task is gone.
    pub fn reset(&mut self) {
        *self = SocketBuffer::default();
    }
}
