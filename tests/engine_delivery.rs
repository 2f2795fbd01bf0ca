#![cfg(not(target_arch = "wasm32"))]
//! Scenario tests of issue 15's engine rules with a hand-moved clock (docs/contract.md, "Methods and
//! properties" and the `queue` option): message lifetimes (`ttlMs`, `queue.ttlMs`, one `EXPIRED` report per
//! flush), volatile sends, message ids, and the durable outbox model (`queue.persist`: batched `Persist`
//! outputs, restore before anything new, bounds applied to restored frames, `STORAGE` errors).

mod common;

use common::*;
use wxsocket::core::{
    Config, ErrorCode, Event, Input, Output, Overflow, QueueLimits, RequestHandle, Restored, SendOptions, Snapshot, State, StoredFrame, Text,
};

fn ttl(ms: u64) -> SendOptions {
    SendOptions { ttl_ms: Some(ms), volatile: false }
}

const VOLATILE: SendOptions = SendOptions { ttl_ms: None, volatile: true };

/// The texts of the frames sent, in order.
fn sent(outputs: &[Output<Text>]) -> Vec<String> {
    outputs.iter().filter_map(|o| if let Output::Send { payload, .. } = o { Some(payload.0.clone()) } else { None }).collect()
}

/// The snapshots the engine asked to store, with the time each came out.
fn persists(h: &Harness) -> Vec<(u64, Snapshot<Text>)> {
    h.log.iter().filter_map(|(at, o)| if let Output::Persist(s) = o { Some((*at, s.clone())) } else { None }).collect()
}

fn texts(s: &Snapshot<Text>) -> Vec<String> {
    s.frames.iter().map(|f| f.payload.0.clone()).collect()
}

/// The scenarios' config with a connect timeout of an hour: an attempt stays pending while the clock moves.
fn patient() -> Config<Text> {
    Config { connect_timeout_ms: HOUR, ..config() }
}

const HOUR: u64 = 3_600_000;

fn persisted_config() -> Config<Text> {
    let mut cfg = patient();
    cfg.queue = QueueLimits { persist: true, ..QueueLimits::default() };
    cfg
}

fn send_with(h: &mut Harness, s: &str, options: SendOptions) -> Result<bool, ErrorCode> {
    let r = h.engine.send_with(h.now, t(s), options);
    h.drain();
    r
}

fn stored(s: &str, expires_at: Option<u64>) -> StoredFrame<Text> {
    StoredFrame { payload: t(s), expires_at }
}

// ------------------------------------------------------------------------------------------------
// Lifetimes
// ------------------------------------------------------------------------------------------------

/// "a frame queued longer than `ttlMs` is dropped (counted in `stats.dropped`)", reported once per flush.
#[test]
fn ttl_drops_frames_that_waited_too_long_at_the_flush() {
    let mut h = Harness::new(patient());
    h.take();
    assert_eq!(send_with(&mut h, "short-1", ttl(100)), Ok(false));
    assert_eq!(send_with(&mut h, "long", ttl(10_000)), Ok(false));
    assert_eq!(send_with(&mut h, "short-2", ttl(100)), Ok(false));
    assert_eq!(h.send("forever"), Ok(false));
    assert_eq!(h.engine.queued_count(), 4);
    h.advance(500);
    h.open();
    let out = h.take();
    assert_eq!(sent(&out), ["long", "forever"], "{out:?}");
    let expired: Vec<_> = events(&out)
        .into_iter()
        .filter_map(|e| if let Event::Error { code: ErrorCode::Expired, message, .. } = e { Some(message) } else { None })
        .collect();
    assert_eq!(expired.len(), 1, "one report per flush: {out:?}");
    assert!(expired[0].contains(" 2 "), "the report gives the count: {}", expired[0]);
    assert_eq!(h.engine.stats().dropped, 2);
    assert_eq!(h.engine.queued_count(), 0);
    assert_eq!(h.engine.buffered_amount(), 0);
}

/// A frame within its lifetime is sent; the lifetime ends exactly at `ttlMs` after the send.
#[test]
fn ttl_boundary() {
    let mut h = Harness::new(patient());
    send_with(&mut h, "a", ttl(100)).unwrap();
    h.advance(99);
    h.open();
    assert_eq!(sent(&h.take()), ["a"]);
    let mut h = Harness::new(patient());
    send_with(&mut h, "a", ttl(100)).unwrap();
    h.advance(100);
    h.open();
    let out = h.take();
    assert_eq!(sent(&out), Vec::<String>::new());
    assert_eq!(error_codes(&out), [ErrorCode::Expired]);
}

/// `queue.ttlMs` applies to frames sent without a `ttlMs`; a frame's own `ttlMs` wins over it.
#[test]
fn queue_ttl_is_the_default_lifetime() {
    let mut cfg = patient();
    cfg.queue = QueueLimits { ttl_ms: Some(200), ..QueueLimits::default() };
    let mut h = Harness::new(cfg);
    h.send("default").unwrap();
    send_with(&mut h, "own", ttl(5_000)).unwrap();
    h.advance(1_000);
    h.open();
    let out = h.take();
    assert_eq!(sent(&out), ["own"]);
    assert_eq!(h.engine.stats().dropped, 1);
}

/// No flush, no report: a frame that expires while the client stays down is reported at the next flush only,
/// and frames sent while open never expire (they are not queued).
#[test]
fn ttl_report_comes_at_the_flush_and_open_sends_are_untouched() {
    let mut h = Harness::new(patient());
    send_with(&mut h, "a", ttl(10)).unwrap();
    h.advance(5_000);
    assert_eq!(error_codes(&h.take()), Vec::<ErrorCode>::new());
    h.open();
    assert_eq!(error_codes(&h.take()), [ErrorCode::Expired]);
    assert_eq!(send_with(&mut h, "b", ttl(1)), Ok(true));
    h.advance(1_000);
    assert_eq!(sent(&h.take()), ["b"]);
}

/// A request carries no lifetime: it waits for its own timeout (`timeoutMs`), whatever `queue.ttlMs` says.
#[test]
fn requests_are_exempt_from_queue_ttl() {
    let mut cfg = patient();
    cfg.queue = QueueLimits { ttl_ms: Some(10), ..QueueLimits::default() };
    let mut h = Harness::new(cfg);
    let r = h.request("1", "req", 10_000).unwrap();
    h.advance(500);
    h.open();
    let out = h.take();
    assert_eq!(sent(&out), ["req"]);
    assert_eq!(h.reply("1"), Some(r));
}

// ------------------------------------------------------------------------------------------------
// Volatile
// ------------------------------------------------------------------------------------------------

/// "a `volatile` frame is sent only if the client is open, never queued (returns false)".
#[test]
fn volatile_sends_only_when_open() {
    let mut h = Harness::new(patient());
    assert_eq!(send_with(&mut h, "typing-1", VOLATILE), Ok(false));
    assert_eq!(h.engine.queued_count(), 0);
    assert_eq!(h.engine.stats().dropped, 1);
    h.open();
    assert_eq!(sent(&h.take()), Vec::<String>::new(), "nothing was queued");
    assert_eq!(send_with(&mut h, "typing-2", VOLATILE), Ok(true));
    assert_eq!(sent(&h.take()), ["typing-2"]);
    h.server_close(1006, "gone");
    assert_eq!(h.state(), State::Waiting);
    assert_eq!(send_with(&mut h, "typing-3", VOLATILE), Ok(false));
    assert_eq!(h.engine.queued_count(), 0);
    assert_eq!(h.engine.stats().dropped, 2);
    // Not even a full queue under overflow 'error' makes a volatile send throw.
    let mut cfg = patient();
    cfg.queue = queue(0, 0, Overflow::Error);
    let mut h = Harness::new(cfg);
    assert_eq!(send_with(&mut h, "v", VOLATILE), Ok(false));
    assert_eq!(h.send("x"), Err(ErrorCode::QueueFull));
}

/// After `close()`, a volatile send throws `CLOSED` like any send.
#[test]
fn volatile_after_close_is_closed() {
    let mut h = Harness::new(patient());
    h.close(1000, "").unwrap();
    assert_eq!(send_with(&mut h, "v", VOLATILE), Err(ErrorCode::Closed));
}

// ------------------------------------------------------------------------------------------------
// Message ids
// ------------------------------------------------------------------------------------------------

/// Ids are 1, 2, 3, …, and continue after a restored counter (they survive restarts with the outbox).
#[test]
fn message_ids_are_monotonic_and_continue_after_restore() {
    let mut h = Harness::new(persisted_config());
    let ids: Vec<u64> = (0..3).map(|_| h.engine.fresh_message_id(h.now)).collect();
    h.drain();
    assert_eq!(ids, [1, 2, 3]);
    h.advance(1_000);
    let (_, snap) = persists(&h).pop().expect("the counter was stored");
    assert_eq!(snap.next_message_id, 4);

    let mut relaunched = Harness::new(persisted_config());
    relaunched.engine.restore(0, snap);
    relaunched.drain();
    assert_eq!(relaunched.engine.fresh_message_id(0), 4);
    // A restored counter never moves ids back.
    relaunched.engine.restore(0, Snapshot { frames: vec![], next_message_id: 2 });
    assert_eq!(relaunched.engine.fresh_message_id(0), 5);
    relaunched.drain();
}

// ------------------------------------------------------------------------------------------------
// Durable outbox
// ------------------------------------------------------------------------------------------------

/// "Writes are batched (not one storage call per send), and a frame is in storage at most 1 s after `send()`
/// returned."
#[test]
fn persist_is_batched_within_one_second() {
    let mut h = Harness::new(persisted_config());
    for (i, at) in [0u64, 100, 300, 999].into_iter().enumerate() {
        h.advance_to(at);
        h.send(&format!("m{i}")).unwrap();
    }
    assert!(persists(&h).is_empty(), "nothing written before the deadline");
    h.advance_to(1_000);
    let p = persists(&h);
    assert_eq!(p.len(), 1, "one write for four sends");
    assert_eq!(p[0].0, 1_000, "at most 1 s after the first send");
    assert_eq!(texts(&p[0].1), ["m0", "m1", "m2", "m3"]);
    // A send after that write gets its own deadline, 1 s after it.
    h.advance_to(1_500);
    h.send("m4").unwrap();
    h.advance_to(2_499);
    assert_eq!(persists(&h).len(), 1);
    h.advance_to(2_500);
    let p = persists(&h);
    assert_eq!(p.len(), 2);
    assert_eq!(texts(&p[1].1), ["m0", "m1", "m2", "m3", "m4"]);
    // No change, no write.
    h.advance_to(10_000);
    assert_eq!(persists(&h).len(), 2);
}

/// The flush on open empties the stored queue too (within 1 s), so a relaunch does not send them again.
#[test]
fn persist_after_flush_stores_the_empty_queue() {
    let mut h = Harness::new(persisted_config());
    h.send("a").unwrap();
    h.advance(1_000);
    h.open();
    h.advance(1_000);
    let p = persists(&h);
    assert_eq!(p.len(), 2);
    assert!(p[1].1.frames.is_empty());
}

/// Without `queue.persist` the engine never asks for a write.
#[test]
fn no_persist_without_the_option() {
    let mut h = Harness::new(patient());
    h.send("a").unwrap();
    h.engine.fresh_message_id(h.now);
    h.drain();
    h.advance(10_000);
    assert!(persists(&h).is_empty());
    assert_eq!(h.timer, Some(HOUR), "only the connect timeout is armed");
}

/// Restored frames are sent in order before anything new, lifetimes included; request frames are not stored.
#[test]
fn restore_sends_stored_frames_first_in_order() {
    let mut first = Harness::new(persisted_config());
    first.send("one").unwrap();
    send_with(&mut first, "two", ttl(60_000)).unwrap();
    first.engine.request(first.now, "9", t("req"), 10_000).unwrap();
    first.send("three").unwrap();
    first.advance(1_000);
    let (_, snap) = persists(&first).pop().unwrap();
    assert_eq!(texts(&snap), ["one", "two", "three"], "requests are not stored");
    assert_eq!(snap.frames[1].expires_at, Some(60_000));
    // The app dies. A new client with the same key, created later on the same clock.
    let mut second = Harness::new(persisted_config());
    second.send("new").unwrap();
    let restored = second.engine.restore(second.now, snap);
    second.drain();
    assert_eq!(restored, Restored { queued: 3, dropped: 0 });
    second.open();
    assert_eq!(sent(&second.take()), ["one", "two", "three", "new"]);
}

/// A stored frame that expired while the app was dead is dropped at the first flush.
#[test]
fn restored_frames_keep_their_lifetimes() {
    let mut h = Harness::new(persisted_config());
    h.advance(5_000);
    h.engine.restore(h.now, Snapshot { frames: vec![stored("stale", Some(4_000)), stored("fresh", Some(9_000))], next_message_id: 1 });
    h.drain();
    h.open();
    let out = h.take();
    assert_eq!(sent(&out), ["fresh"]);
    assert_eq!(error_codes(&out), [ErrorCode::Expired]);
}

/// "the queue bounds apply, overflow follows the queue's policy": under 'error' what does not fit is dropped
/// (nothing can throw at a restore) and reported once.
#[test]
fn restore_applies_bounds_under_error_policy() {
    let mut cfg = persisted_config();
    cfg.queue = QueueLimits { persist: true, ..queue(2, 1 << 20, Overflow::Error) };
    let mut h = Harness::new(cfg);
    h.take();
    let r = h.engine.restore(0, Snapshot { frames: vec![stored("a", None), stored("b", None), stored("c", None)], next_message_id: 1 });
    h.drain();
    assert_eq!(r, Restored { queued: 2, dropped: 1 });
    assert_eq!(error_codes(&h.take()), Vec::<ErrorCode>::new(), "a restore emits nothing (it runs in the constructor)");
    h.engine.restore_dropped(0, r.dropped);
    h.drain();
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::QueueFull]);
    assert!(events(&out).iter().any(|e| matches!(e, Event::Error { message, .. } if message.starts_with("1 ") && message.contains("queue.persist"))), "{out:?}");
    assert_eq!(h.engine.stats().dropped, 1);
    h.open();
    assert_eq!(sent(&h.take()), ["a", "b"]);
}

/// Under 'drop-oldest' the newest frames win, restored or not; under 'drop-newest' the oldest do.
#[test]
fn restore_applies_the_overflow_policy() {
    for (overflow, expect) in [(Overflow::DropOldest, ["c", "new"]), (Overflow::DropNewest, ["a", "b"])] {
        let mut cfg = persisted_config();
        cfg.queue = QueueLimits { persist: true, ..queue(2, 1 << 20, overflow) };
        let mut h = Harness::new(cfg);
        h.send("new").unwrap();
        let r = h.engine.restore(0, Snapshot { frames: vec![stored("a", None), stored("b", None), stored("c", None)], next_message_id: 1 });
        h.drain();
        assert_eq!(r.dropped, 2, "{overflow:?}");
        assert_eq!(h.engine.stats().dropped, 2);
        h.open();
        assert_eq!(sent(&h.take()), expect, "{overflow:?}");
    }
}

/// A request queued before the restore that no longer fits is rejected with `QUEUE_FULL`, not left hanging.
#[test]
fn restore_rejects_a_request_that_no_longer_fits() {
    let mut cfg = persisted_config();
    cfg.queue = QueueLimits { persist: true, ..queue(1, 1 << 20, Overflow::Error) };
    let mut h = Harness::new(cfg);
    let req = h.engine.request(0, "1", t("req"), 10_000).unwrap();
    h.drain();
    h.take();
    h.engine.restore(0, Snapshot { frames: vec![stored("a", None)], next_message_id: 1 });
    h.drain();
    let out = h.take();
    let rejected: Vec<RequestHandle> =
        out.iter().filter_map(|o| if let Output::Reject { request, code: ErrorCode::QueueFull } = o { Some(*request) } else { None }).collect();
    assert_eq!(rejected, [req]);
    assert_eq!(h.engine.pending_requests(), 0);
}

/// "a storage failure is an `error` event, never a lost message without a word"; the next change writes again.
#[test]
fn storage_failure_is_an_error_event_and_the_next_change_writes_again() {
    let mut h = Harness::new(persisted_config());
    h.send("a").unwrap();
    h.advance(1_000);
    h.take();
    h.engine.handle(h.now, Input::StorageFailed { err_msg: "setStorage:fail exceed storage max size 10Mb".into() });
    h.drain();
    let out = h.take();
    let errs: Vec<_> = events(&out)
        .into_iter()
        .filter_map(|e| if let Event::Error { code: ErrorCode::Storage, err_msg, .. } = e { Some(err_msg) } else { None })
        .collect();
    assert_eq!(errs, [Some("setStorage:fail exceed storage max size 10Mb".to_owned())]);
    assert!(error_messages(&out).iter().all(|m| m.contains("queue.persist")), "names the option");
    assert_eq!(h.engine.queued_count(), 1, "the frame is still queued");
    h.send("b").unwrap();
    h.advance(1_000);
    let (_, snap) = persists(&h).pop().unwrap();
    assert_eq!(texts(&snap), ["a", "b"]);
}

/// Ids stamped on sends made while open still move the stored counter (else a relaunch would reuse them).
#[test]
fn message_ids_used_while_open_are_stored() {
    let mut h = Harness::new(persisted_config());
    h.open();
    h.advance(2_000);
    let before = persists(&h).len();
    let id = h.engine.fresh_message_id(h.now);
    h.drain();
    h.send("x").unwrap();
    h.advance(1_000);
    let p = persists(&h);
    assert_eq!(p.len(), before + 1);
    assert_eq!(p.last().unwrap().1.next_message_id, id + 1);
}
