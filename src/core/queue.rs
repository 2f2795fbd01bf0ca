//! The outgoing queue: frames sent while the client is not open, bounded by count and bytes, each with
//! an optional lifetime (`ttlMs`) after which it is dropped instead of sent.

use std::collections::VecDeque;

use super::engine::{Millis, RequestHandle};
use super::error::ErrorCode;

/// What happens when a frame does not fit (`queue.overflow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// `send` throws `QUEUE_FULL`; nothing is queued.
    Error,
    /// The oldest frames are dropped until the new one fits.
    DropOldest,
    /// The new frame is dropped.
    DropNewest,
}

/// The bounds of the queue (`queue` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most frames held.
    pub max_messages: usize,
    /// Most bytes held (UTF-8 bytes of text frames, length of binary ones).
    pub max_bytes: usize,
    /// Overflow policy.
    pub overflow: Overflow,
    /// `queue.ttlMs`: how long a frame sent with no `ttlMs` of its own may wait; `None`: for ever.
    pub ttl_ms: Option<u64>,
    /// `queue.persist` was given: the engine asks for the queue to be stored (see `outbox`).
    pub persist: bool,
}

impl Default for QueueLimits {
    fn default() -> Self {
        use super::defaults as d;
        QueueLimits {
            max_messages: d::QUEUE_MAX_MESSAGES,
            max_bytes: d::QUEUE_MAX_BYTES,
            overflow: d::QUEUE_OVERFLOW,
            ttl_ms: d::QUEUE_TTL_MS,
            persist: d::QUEUE_PERSIST,
        }
    }
}

/// One queued frame.
#[derive(Clone, Debug)]
pub struct Queued<P> {
    /// The frame as the platform layer will send it.
    pub payload: P,
    /// Its size in bytes.
    pub bytes: usize,
    /// The request it belongs to, if any.
    pub request: Option<RequestHandle>,
    /// When it stops being worth sending (its `ttlMs` after it was queued); `None`: never.
    pub expires_at: Option<Millis>,
}

/// What `push` did.
#[derive(Debug)]
pub enum Pushed<P> {
    /// Queued; these older frames were evicted to make room (`drop-oldest`).
    Queued(Vec<Queued<P>>),
    /// The new frame was dropped (`drop-newest`, or too big to ever fit under `drop-oldest`).
    DroppedNew,
}

/// A FIFO with count and byte bounds.
#[derive(Debug)]
pub struct Queue<P> {
    items: VecDeque<Queued<P>>,
    bytes: usize,
    limits: QueueLimits,
}

impl<P> Queue<P> {
    /// An empty queue with these bounds.
    pub fn new(limits: QueueLimits) -> Self {
        Queue { items: VecDeque::new(), bytes: 0, limits }
    }

    /// Frames held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The bounds.
    pub fn limits(&self) -> QueueLimits {
        self.limits
    }

    fn fits(&self, extra_items: usize, extra_bytes: usize) -> bool {
        self.items.len() + extra_items <= self.limits.max_messages
            && self.bytes.saturating_add(extra_bytes) <= self.limits.max_bytes
    }

    /// Adds a frame under the overflow policy. `Err(QueueFull)` leaves the queue unchanged.
    pub fn push(&mut self, item: Queued<P>) -> Result<Pushed<P>, ErrorCode> {
        if self.fits(1, item.bytes) {
            self.bytes += item.bytes;
            self.items.push_back(item);
            return Ok(Pushed::Queued(Vec::new()));
        }
        match self.limits.overflow {
            Overflow::Error => Err(ErrorCode::QueueFull),
            Overflow::DropNewest => Ok(Pushed::DroppedNew),
            Overflow::DropOldest => {
                if item.bytes > self.limits.max_bytes || self.limits.max_messages == 0 {
                    return Ok(Pushed::DroppedNew);
                }
                let mut evicted = Vec::new();
                while !self.fits(1, item.bytes) {
                    match self.pop() {
                        Some(old) => evicted.push(old),
                        None => break,
                    }
                }
                self.bytes += item.bytes;
                self.items.push_back(item);
                Ok(Pushed::Queued(evicted))
            }
        }
    }

    /// Takes the oldest frame.
    pub fn pop(&mut self) -> Option<Queued<P>> {
        let item = self.items.pop_front()?;
        self.bytes -= item.bytes;
        Some(item)
    }

    /// Removes every frame whose lifetime ended at or before `now`, keeping the others in order.
    pub fn drop_expired(&mut self, now: Millis) -> Vec<Queued<P>> {
        if !self.items.iter().any(|q| q.expires_at.is_some_and(|t| t <= now)) {
            return Vec::new();
        }
        let mut expired = Vec::new();
        let mut kept = VecDeque::with_capacity(self.items.len());
        // Moved out whole rather than drained: `drain(..)` would link VecDeque's `Drain`, whose drop
        // restores the tail, for a queue that is emptied anyway (bench/README.md, size history).
        for item in std::mem::take(&mut self.items) {
            if item.expires_at.is_some_and(|t| t <= now) {
                self.bytes -= item.bytes;
                expired.push(item);
            } else {
                kept.push_back(item);
            }
        }
        self.items = kept;
        expired
    }

    /// The queued frames, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Queued<P>> {
        self.items.iter()
    }

    /// Takes every frame out, oldest first (the queue is then empty).
    pub fn take_all(&mut self) -> VecDeque<Queued<P>> {
        self.bytes = 0;
        std::mem::take(&mut self.items)
    }

    /// True when the frame of this request is queued.
    pub fn contains_request(&self, request: RequestHandle) -> bool {
        self.items.iter().any(|q| q.request == Some(request))
    }

    /// Removes the frame of a request (after it timed out or was rejected). A request has at most one
    /// frame here; the deque is rebuilt rather than `remove(at)`, which would link VecDeque's `wrap_copy`,
    /// or `retain`, both large for this one rare call (bench/README.md, size history).
    pub fn remove_request(&mut self, request: RequestHandle) {
        let capacity = self.items.len();
        for q in std::mem::replace(&mut self.items, VecDeque::with_capacity(capacity)) {
            if q.request == Some(request) {
                self.bytes -= q.bytes;
            } else {
                self.items.push_back(q);
            }
        }
    }
}
