#![cfg(not(target_arch = "wasm32"))]
//! Scenario tests of the sans-IO engine with a hand-moved clock, one (or more) per clause of docs/contract.md;
//! each test quotes the clause it checks. Covers:
//! - backoff: first attempt without delay, exact sequences with jitter 0, `minUptimeMs` resets,
//!   jitter bounds and reproducibility, `retryCount`, `maxRetries` and `RETRIES_EXHAUSTED`,
//!   `shouldReconnect`, `reconnect: false`, connect timeout, network down/up;
//! - heartbeat: pings every interval, `HEARTBEAT_TIMEOUT`, inbound frames postpone pings, pongs and
//!   `lastRttMs`, the ping when the app is shown again;
//! - the queue: flush order on open, count and byte bounds under each overflow policy, kept across
//!   `close()`, `CLOSED` after `close()`;
//! - requests: replies, unmatched ids, `TIMEOUT`, re-sending after a reconnect, `CLOSED` on `close()`;
//! - `close()` from every state, its checks, idempotence; `reconnect()` from every state; `startClosed`;
//! - the `close` event's rules, late callbacks of old tasks, `MESSAGE_TOO_LARGE`, platform errors, stats;
//! - the platform timer contract (a timer that fires early is armed again).

mod common;

use common::*;
use wxsocket::core::{Backoff, Engine, ErrorCode, Event, Inbound, Input, Output, Overflow, RequestKey, Rng, State, Stats, TaskId, Text};

/// Fails the live attempt before it opens (the platform closes it), as a refused connection does.
fn refuse(h: &mut Harness) {
    let task = h.task();
    h.engine.handle(h.now, Input::Closed { task, code: 1006, reason: "refused".into(), should_reconnect: true });
    h.drain();
}

/// Runs the failed-attempt cycle `n` times: each attempt is refused at once, the next one comes when
/// its retry is due. Returns the delays between each failure and the next attempt.
fn refused_delays(h: &mut Harness, n: usize) -> Vec<u64> {
    let mut delays = Vec::new();
    for _ in 0..n {
        let failed_at = h.now;
        let opens = h.opens();
        refuse(h);
        let at = h.timer.expect("a retry is armed");
        h.advance_to(at);
        assert_eq!(h.opens(), opens + 1, "the retry opened a task");
        delays.push(h.now - failed_at);
    }
    delays
}

// ------------------------------------------------------------------------------------------------
// Backoff
// ------------------------------------------------------------------------------------------------

/// "The first attempt has no delay."
#[test]
fn backoff_first_attempt_has_no_delay() {
    let mut h = Harness::new(config());
    let out = h.take();
    assert!(matches!(out[0], Output::Open { attempt: 0, .. }), "{out:?}");
    assert_eq!(h.open_times(), [0]);
    assert_eq!(h.state(), State::Connecting);
}

/// "With `jitter: 0` the delays are exact: min 100, max 1000, factor 2 gives 100, 200, 400, 800, 1000, 1000."
#[test]
fn backoff_exact_delays_with_jitter_0() {
    let mut h = Harness::new(config());
    assert_eq!(refused_delays(&mut h, 6), [100, 200, 400, 800, 1000, 1000]);
    // The `reconnecting` events announce the same delays, numbered from 1.
    let all = h.all();
    assert_eq!(reconnect_delays(&all), [100, 200, 400, 800, 1000, 1000]);
    let attempts: Vec<u32> = events(&all)
        .into_iter()
        .filter_map(|e| if let Event::Reconnecting { attempt, .. } = e { Some(attempt) } else { None })
        .collect();
    assert_eq!(attempts, [1, 2, 3, 4, 5, 6]);
    // Each `Open` carries its retry number.
    let open_attempts: Vec<u32> = all.iter().filter_map(|o| if let Output::Open { attempt, .. } = o { Some(*attempt) } else { None }).collect();
    assert_eq!(open_attempts, [0, 1, 2, 3, 4, 5, 6]);
}

/// "Retry number n (n ≥ 1) waits `min(maxDelayMs, minDelayMs · factor^(n−1)) · (1 − jitter · r)`":
/// the same sequence from `Backoff::delay`, and huge retry numbers stay at the formula's values.
#[test]
fn backoff_formula_directly() {
    let mut rng = Rng::new(3);
    let b = exact_backoff();
    let d: Vec<u64> = (1..=8).map(|n| b.delay(n, &mut rng)).collect();
    assert_eq!(d, [100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    assert_eq!(b.delay(u32::MAX, &mut rng), 1000);
    let factor_3 = Backoff { min_delay_ms: 10.0, max_delay_ms: 10_000.0, factor: 3.0, ..exact_backoff() };
    let d: Vec<u64> = (1..=5).map(|n| factor_3.delay(n, &mut rng)).collect();
    assert_eq!(d, [10, 30, 90, 270, 810]);
    // minDelayMs 0 means no delay at all, however many retries (0 · factor^n is 0, even when factor^n
    // overflows to infinity).
    let zero = Backoff { min_delay_ms: 0.0, max_delay_ms: 1000.0, factor: 2.0, ..exact_backoff() };
    for n in [1, 10, 1024, 1025, 5000, u32::MAX] {
        assert_eq!(zero.delay(n, &mut rng), 0, "retry {n}");
    }
    let fixed = Backoff { min_delay_ms: 250.0, max_delay_ms: 250.0, factor: 1.0, ..exact_backoff() };
    assert!((1..100).all(|n| fixed.delay(n, &mut rng) == 250));
}

/// "A connection that stays open for `minUptimeMs` resets it; a shorter one does not (a flapping server
/// keeps backing off)." With `minUptimeMs: 500` and connections lasting 100, 200, 300, 400, 500, 600 ms
/// the delays before each retry are 100, 200, 400, 800, 100, 100.
#[test]
fn backoff_min_uptime_resets_retry_count() {
    let mut cfg = config();
    cfg.reconnect = Some(Backoff { min_uptime_ms: 500, ..exact_backoff() });
    let mut h = Harness::new(cfg);
    let mut delays = Vec::new();
    for lasting in [100, 200, 300, 400, 500, 600] {
        h.open();
        h.advance(lasting);
        let closed_at = h.now;
        h.server_close(1006, "gone");
        let at = h.timer.expect("a retry is armed");
        h.advance_to(at);
        assert_eq!(h.state(), State::Connecting);
        delays.push(h.now - closed_at);
    }
    assert_eq!(delays, [100, 200, 400, 800, 100, 100]);
    assert_eq!(reconnect_delays(&h.all()), [100, 200, 400, 800, 100, 100]);
}

/// "A connection that stays open for `minUptimeMs` resets it": `retryCount` reads 0 once the
/// connection has been up that long, not only when it later closes.
#[test]
fn backoff_retry_count_resets_while_open() {
    let mut cfg = config();
    cfg.reconnect = Some(Backoff { min_uptime_ms: 500, ..exact_backoff() });
    let mut h = Harness::new(cfg);
    refused_delays(&mut h, 3);
    assert_eq!(h.engine.retry_count(), 3);
    h.open();
    h.advance(499);
    assert_eq!(h.engine.retry_count(), 3);
    h.advance(1);
    assert_eq!(h.engine.retry_count(), 0);
}

/// "`(1 − jitter · r)`, r uniform in [0, 1)": every delay lies in [base·(1−jitter), base]; randomness
/// comes from the seed, so a seed gives the same delays every time and seeds differ.
#[test]
fn backoff_jittered_delays_are_bounded_and_reproducible() {
    let policy = |jitter: f64| Backoff { min_delay_ms: 1000.0, max_delay_ms: 30_000.0, factor: 2.0, jitter, ..exact_backoff() };
    let run = |seed: u64, jitter: f64| {
        let mut cfg = config();
        cfg.reconnect = Some(policy(jitter));
        let mut h = Harness::with_seed(cfg, seed);
        refused_delays(&mut h, 8)
    };
    for jitter in [0.1, 0.5, 1.0] {
        let mut sequences = Vec::new();
        for seed in 0..20 {
            let delays = run(seed, jitter);
            for (i, d) in delays.iter().enumerate() {
                let base = (1000.0 * 2f64.powi(i as i32)).min(30_000.0);
                let low = (base * (1.0 - jitter)).floor() as u64;
                assert!(*d >= low && *d as f64 <= base, "seed {seed} jitter {jitter}: retry {} waited {d}, base {base}", i + 1);
            }
            assert_eq!(delays, run(seed, jitter), "seed {seed} is reproducible");
            sequences.push(delays);
        }
        sequences.sort();
        sequences.dedup();
        assert!(sequences.len() > 15, "seeds give different delays (jitter {jitter})");
    }
    // The bounds are used: over many draws, delays come near both ends.
    let mut rng = Rng::new(99);
    let b = policy(0.5);
    let draws: Vec<u64> = (0..2000).map(|_| b.delay(1, &mut rng)).collect();
    assert!(draws.iter().all(|d| (500..=1000).contains(d)));
    assert!(draws.iter().any(|d| *d < 520) && draws.iter().any(|d| *d > 980));
}

/// "`retryCount` is 0 before any failure and counts the retries since the last reset."
#[test]
fn backoff_retry_count_counts_retries() {
    let mut h = Harness::new(config());
    assert_eq!(h.engine.retry_count(), 0);
    for n in 1..=4 {
        refuse(&mut h);
        assert_eq!(h.engine.retry_count(), n, "after failure {n}");
        h.advance_to(h.timer.unwrap());
        assert_eq!(h.engine.retry_count(), n);
    }
    // The `open` event says how many retries it took.
    h.take();
    h.open();
    assert!(h.take_events().contains(&Event::Open { attempt: 4, reconnected: false }));
}

/// "`maxRetries: N` allows N retries after the first attempt; then the client goes to `closed`
/// (error `RETRIES_EXHAUSTED`). `reconnect()` revives it."
#[test]
fn backoff_max_retries_then_closed_and_reconnect_revives() {
    for max in [0u32, 1, 3] {
        let mut cfg = config();
        cfg.reconnect = Some(Backoff { max_retries: Some(max), ..exact_backoff() });
        let mut h = Harness::new(cfg);
        refused_delays(&mut h, max as usize);
        assert_eq!(h.opens(), 1 + max as usize, "the first attempt and {max} retries");
        h.take();
        refuse(&mut h);
        let out = h.take();
        assert!(error_codes(&out).contains(&ErrorCode::RetriesExhausted), "{out:?}");
        let said = error_messages(&out).into_iter().find(|m| m.contains("maxRetries")).expect("the message names reconnect.maxRetries");
        assert!(said.contains(&format!("after {max} retries")) && said.contains("reconnect()"), "{said}");
        assert_eq!(h.state(), State::Closed);
        assert_eq!(
            close_events(&out),
            [Event::Close { code: 1006, reason: "refused".into(), will_reconnect: false, delay_ms: None }]
        );
        assert_eq!(h.timer, None);
        h.advance(1_000_000);
        assert_eq!(h.opens(), 1 + max as usize, "no attempt after giving up");
        // reconnect() revives it, from retry 0.
        h.reconnect();
        let out = h.take();
        assert!(matches!(out.iter().find(|o| matches!(o, Output::Open { .. })), Some(Output::Open { attempt: 0, .. })));
        assert_eq!(h.state(), State::Connecting);
        assert_eq!(h.engine.retry_count(), 0);
        // And it has its N retries again.
        refused_delays(&mut h, max as usize);
        refuse(&mut h);
        assert_eq!(h.state(), State::Closed);
        assert_eq!(h.opens(), 2 * (1 + max as usize));
    }
}

/// "`shouldReconnect` returning false after a server close stops retrying (the client goes to
/// `closed`)." It is asked with the close code and reason, and the client stays closed.
#[test]
fn backoff_should_reconnect_false_closes() {
    let asked = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = asked.clone();
    let mut h = Harness::new(config());
    h.should_reconnect = Some(Box::new(move |code: u16, reason: &str| {
        log.borrow_mut().push((code, reason.to_owned()));
        code != 4001
    }));
    h.open();
    h.server_close(1001, "going away");
    assert_eq!(h.state(), State::Waiting, "shouldReconnect returned true");
    h.advance_to(h.timer.unwrap());
    h.open();
    h.take();
    h.server_close(4001, "banned");
    let out = h.take();
    assert_eq!(h.state(), State::Closed);
    assert_eq!(close_events(&out), [Event::Close { code: 4001, reason: "banned".into(), will_reconnect: false, delay_ms: None }]);
    assert_eq!(reconnect_delays(&out), Vec::<u64>::new());
    assert_eq!(h.timer, None, "no retry is armed");
    h.advance(1_000_000);
    assert_eq!(h.opens(), 2);
    assert_eq!(h.state(), State::Closed);
    assert_eq!(*asked.borrow(), [(1001, "going away".to_owned()), (4001, "banned".to_owned())]);
    // reconnect() still revives it.
    h.reconnect();
    assert_eq!(h.state(), State::Connecting);
}

/// "Without it every close is retried", whatever its code.
#[test]
fn backoff_without_should_reconnect_every_close_is_retried() {
    let mut h = Harness::new(config());
    for code in [1000, 1001, 1006, 1008, 1011, 3000, 4999] {
        h.open();
        h.server_close(code, "");
        assert_eq!(h.state(), State::Waiting, "code {code}");
        h.advance_to(h.timer.unwrap());
    }
}

/// `shouldReconnect` decides after a *server close* (only `Input::Closed` carries its answer); our own
/// verdicts (connect timeout, heartbeat timeout) and platform errors are always retried. (docs/contract.md
/// names only the server close; this is the reading a socket.io user expects: transport failures always
/// reconnect.)
#[test]
fn backoff_should_reconnect_is_only_asked_about_server_closes() {
    let mut cfg = config();
    cfg.heartbeat = Some(heartbeat(1000, 500));
    let mut h = Harness::new(cfg);
    h.should_reconnect = Some(Box::new(|_: u16, _: &str| false));
    h.advance(1000); // connect timeout: retried at once (the attempt's 1000 ms exceed the 100 ms delay)
    assert_eq!(h.state(), State::Connecting);
    assert_eq!(h.opens(), 2);
    h.open();
    h.advance(1500); // heartbeat timeout
    assert_eq!(h.state(), State::Waiting);
    h.advance_to(h.timer.unwrap());
    h.error("boom");
    assert_eq!(h.state(), State::Waiting);
}

/// `reconnect: false`: a lost connection is not retried; the client goes to `closed`.
#[test]
fn backoff_reconnect_false_closes_on_loss() {
    let mut cfg = config();
    cfg.reconnect = None;
    let mut h = Harness::new(cfg);
    h.open();
    h.take();
    h.server_close(1001, "bye");
    let out = h.take();
    assert_eq!(h.state(), State::Closed);
    assert_eq!(close_events(&out), [Event::Close { code: 1001, reason: "bye".into(), will_reconnect: false, delay_ms: None }]);
    assert_eq!(h.timer, None);
    assert!(!error_codes(&out).contains(&ErrorCode::RetriesExhausted));
    h.reconnect();
    h.open();
    assert_eq!(h.state(), State::Open);
}

/// "`connectTimeoutMs` … an attempt not open by then is abandoned (error `CONNECT_TIMEOUT`) and retried."
#[test]
fn connect_timeout_abandons_and_retries() {
    let mut h = Harness::new(config());
    let first = h.task();
    h.advance(999);
    assert_eq!(h.state(), State::Connecting);
    h.take();
    h.advance(1);
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::ConnectTimeout]);
    let said = &error_messages(&out)[0];
    assert!(said.contains("connectTimeoutMs") && said.contains("1000 ms"), "names the option and its value: {said}");
    assert_eq!(task_closes(&out).len(), 1);
    assert_eq!(task_closes(&out)[0].0, first, "the abandoned task is closed");
    assert_eq!(states(&out), [(State::Connecting, State::Waiting), (State::Waiting, State::Connecting)]);
    assert_eq!(close_events(&out), [], "it never opened: no close event");
    // Its retry delay (100) counts from the attempt's start (docs/contract.md, Reconnecting): it has passed.
    assert_eq!(reconnect_delays(&out), [0]);
    assert_eq!(h.open_times(), [0, 1000]);
    assert_ne!(h.task(), first);
    // The abandoned task opening late changes nothing.
    h.take();
    h.engine.handle(h.now, Input::Opened { task: first });
    h.drain();
    assert_eq!(h.take(), []);
    assert_eq!(h.state(), State::Connecting);
}

/// "While the platform reports no network, no attempts are spent; when it reports the network back,
/// the client connects at once." Down while waiting for a retry.
#[test]
fn network_down_while_waiting_spends_no_attempts() {
    let mut h = Harness::new(config());
    refuse(&mut h);
    assert_eq!(h.state(), State::Waiting);
    h.network(false);
    assert_eq!(h.timer, None);
    h.advance(10_000_000);
    assert_eq!(h.opens(), 1, "no attempt while the network is down");
    assert_eq!(h.engine.retry_count(), 1);
    h.take();
    h.network(true);
    assert!(matches!(h.take().iter().find(|o| matches!(o, Output::Open { .. })), Some(Output::Open { .. })));
    assert_eq!(h.open_times(), [0, 10_000_000], "connects at once");
    assert_eq!(h.state(), State::Connecting);
}

/// Network down while connecting: the attempt runs its course; when it fails the client waits for the
/// network without counting a retry, and connects when the network is back.
#[test]
fn network_down_while_connecting_then_failure_waits_for_network() {
    let mut h = Harness::new(config());
    h.network(false);
    assert_eq!(h.state(), State::Connecting);
    h.advance(1000); // connect timeout
    assert_eq!(h.state(), State::Waiting);
    assert_eq!(h.engine.retry_count(), 0, "no retry spent");
    assert_eq!(h.timer, None);
    h.advance(60_000);
    assert_eq!(h.opens(), 1);
    h.network(true);
    assert_eq!(h.opens(), 2);
    assert_eq!(h.state(), State::Connecting);
}

/// Network down while open: the connection is kept; when it closes, the `close` event says a
/// reconnect will come (with no known delay) and it comes when the network is back.
#[test]
fn network_down_while_open_then_close_waits_for_network() {
    let mut h = Harness::new(config());
    h.open();
    h.network(false);
    assert_eq!(h.state(), State::Open);
    h.take();
    h.server_close(1006, "");
    let out = h.take();
    assert_eq!(close_events(&out), [Event::Close { code: 1006, reason: String::new(), will_reconnect: true, delay_ms: None }]);
    assert_eq!(h.timer, None);
    h.advance(100_000);
    assert_eq!(h.opens(), 1);
    h.network(true);
    assert_eq!(h.opens(), 2);
    // A network event that changes nothing (still up) does not start another attempt.
    h.network(true);
    assert_eq!(h.opens(), 2);
}

// ------------------------------------------------------------------------------------------------
// Heartbeat
// ------------------------------------------------------------------------------------------------

fn heartbeat_harness() -> Harness {
    let mut cfg = config();
    cfg.heartbeat = Some(heartbeat(1000, 300));
    Harness::new(cfg)
}

/// "Every `intervalMs` of an open connection the client sends `message`."
#[test]
fn heartbeat_pings_every_interval() {
    let mut h = heartbeat_harness();
    h.advance(500);
    assert_eq!(sent(&h.all()), Vec::<String>::new(), "no ping before open");
    let task = h.open();
    h.take();
    let mut ping_times = Vec::new();
    for _ in 0..3 {
        h.advance(999);
        assert_eq!(sent(&h.take()), Vec::<String>::new());
        h.advance(1);
        assert_eq!(sent_to(&h.take(), task), ["ping"]);
        ping_times.push(h.now);
        h.advance(50);
        h.pong();
    }
    assert_eq!(ping_times, [1500, 2550, 3600]);
}

/// "If no pong arrives within `timeoutMs`, the connection is dead: error `HEARTBEAT_TIMEOUT`, the task
/// is closed and the client reconnects."
#[test]
fn heartbeat_timeout_closes_and_reconnects() {
    let mut h = heartbeat_harness();
    let task = h.open();
    h.advance(1000);
    h.take();
    h.advance(299);
    assert_eq!(h.state(), State::Open);
    h.advance(1);
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::HeartbeatTimeout]);
    // The dead task is aborted, not closed with a handshake (tests/heartbeat_scenarios.rs).
    assert_eq!(task_closes(&out), []);
    assert!(out.iter().any(|o| matches!(o, Output::Abort { task: t, .. } if *t == task)), "{out:?}");
    assert_eq!(h.state(), State::Waiting);
    assert_eq!(close_events(&out), [Event::Close { code: 1006, reason: "heartbeat timeout".into(), will_reconnect: true, delay_ms: Some(100) }]);
    h.advance(100);
    assert_eq!(h.state(), State::Connecting);
    assert_eq!(h.opens(), 2);
}

/// "Any inbound frame counts as proof of life and postpones the next ping."
#[test]
fn heartbeat_inbound_frames_postpone_the_ping() {
    let mut h = heartbeat_harness();
    let task = h.open();
    h.advance(600);
    assert_eq!(h.frame(10), Fate::Delivered);
    h.advance(900);
    assert_eq!(h.frame(10), Fate::Delivered);
    h.advance(999);
    assert_eq!(sent_to(&h.all(), task), Vec::<String>::new(), "no ping yet at {}", h.now);
    h.advance(1);
    assert_eq!(sent_to(&h.all(), task), ["ping"]);
    // After a ping, any frame (not only a pong) is proof of life: no timeout.
    h.advance(200);
    assert_eq!(h.frame(10), Fate::Delivered);
    h.advance(250); // past the ping's pong deadline (2800)
    assert!(error_codes(&h.all()).is_empty());
    assert_eq!(h.state(), State::Open);
}

/// "Pongs are not delivered as `message`": a pong emits nothing, and records the round trip
/// (`stats.lastRttMs`).
#[test]
fn heartbeat_pong_is_swallowed_and_sets_rtt() {
    let mut h = heartbeat_harness();
    h.open();
    assert_eq!(h.engine.stats().last_rtt_ms, None);
    h.advance(1000);
    h.advance(120);
    h.take();
    h.pong();
    assert_eq!(h.take_events(), [], "a pong is no event");
    assert_eq!(h.engine.stats().last_rtt_ms, Some(120));
    assert_eq!(h.engine.stats().messages_received, 1, "but it is counted as received");
    // The next ping is an interval after the pong.
    h.advance(999);
    assert_eq!(sent(&h.take()), Vec::<String>::new());
    h.advance(1);
    assert_eq!(sent(&h.take()), ["ping"]);
}

/// "When the app returns to the foreground, a heartbeat-enabled client pings at once instead of
/// trusting a timer that was frozen."
#[test]
fn heartbeat_app_shown_pings_at_once() {
    let mut h = heartbeat_harness();
    let task = h.open();
    h.advance(100);
    h.take();
    h.app_hidden();
    assert_eq!(h.take_events(), []);
    h.app_shown();
    assert_eq!(sent_to(&h.take(), task), ["ping"]);
    // That ping has its own pong deadline.
    h.advance(300);
    assert_eq!(error_codes(&h.take()), [ErrorCode::HeartbeatTimeout]);
}

/// Beyond docs/contract.md: when the app comes back to the foreground, a client waiting for a retry (with the
/// network up) tries at once, as it does when the network comes back: mini-program platforms drop
/// sockets in the background and a user looking at the page should not wait out a long backoff. The
/// retry count is not reset (a down server keeps backing off).
#[test]
fn app_shown_while_waiting_connects_at_once() {
    let mut h = Harness::new(config());
    refused_delays(&mut h, 3);
    refuse(&mut h); // retry 4 is due in 800 ms
    h.advance(10);
    h.app_shown();
    assert_eq!(h.state(), State::Connecting);
    assert_eq!(h.open_times().last(), Some(&h.now));
    assert_eq!(h.engine.retry_count(), 4);
    // Offline, showing the app does not spend an attempt.
    refuse(&mut h);
    h.network(false);
    h.app_shown();
    assert_eq!(h.state(), State::Waiting);
    assert_eq!(h.timer, None);
}

/// The same clause, heartbeat disabled: showing the app sends nothing, and there are no pings at all.
#[test]
fn heartbeat_disabled_sends_nothing() {
    let mut h = Harness::new(config());
    h.open();
    h.app_hidden();
    h.app_shown();
    h.advance(1_000_000);
    assert_eq!(sent(&h.all()), Vec::<String>::new());
    assert_eq!(h.state(), State::Open);
}

// ------------------------------------------------------------------------------------------------
// The queue
// ------------------------------------------------------------------------------------------------

/// "`send(data)`: `true` when handed to the socket now, `false` when queued (the queue is flushed in
/// order on open, before `open` listeners run)"; `open` is emitted "after the queue was flushed".
#[test]
fn queue_flushed_in_order_before_open_event() {
    let mut h = Harness::new(config());
    assert_eq!(h.send("a"), Ok(false));
    assert_eq!(h.send("bb"), Ok(false));
    assert_eq!(h.send("ccc"), Ok(false));
    assert_eq!(h.engine.queued_count(), 3);
    assert_eq!(h.engine.buffered_amount(), 6);
    h.take();
    let task = h.open();
    let out = h.take();
    assert_eq!(sent_to(&out, task), ["a", "bb", "ccc"]);
    let last_send = out.iter().rposition(|o| matches!(o, Output::Send { .. })).unwrap();
    let open_event = position(&out, |o| matches!(o, Output::Event(Event::Open { .. }))).unwrap();
    let state_event = position(&out, |o| matches!(o, Output::Event(Event::State { to: State::Open, .. }))).unwrap();
    assert!(last_send < state_event && state_event < open_event, "{out:?}");
    assert_eq!(h.engine.queued_count(), 0);
    assert_eq!(h.engine.buffered_amount(), 0);
    // Open now: handed over at once.
    assert_eq!(h.send("d"), Ok(true));
    assert_eq!(sent_to(&h.take(), task), ["d"]);
}

/// "`bufferedAmount` (UTF-8 bytes queued)".
#[test]
fn queue_buffered_amount_counts_utf8_bytes() {
    let mut h = Harness::new(config());
    h.send("é").unwrap();
    h.send("€").unwrap();
    h.send("😀").unwrap();
    assert_eq!(h.engine.buffered_amount(), 2 + 3 + 4);
}

fn queue_harness(max_messages: usize, max_bytes: usize, overflow: Overflow) -> Harness {
    let mut cfg = config();
    cfg.queue = queue(max_messages, max_bytes, overflow);
    Harness::new(cfg)
}

/// "`overflow`: `'error'` (send throws `QUEUE_FULL`) … a throw queues nothing." Count bound.
#[test]
fn queue_count_bound_error() {
    let mut h = queue_harness(2, 1000, Overflow::Error);
    assert_eq!(h.send("a"), Ok(false));
    assert_eq!(h.send("b"), Ok(false));
    assert_eq!(h.send("c"), Err(ErrorCode::QueueFull));
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (2, 2));
    assert_eq!(h.engine.stats().dropped, 0, "a refused send is not a drop");
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["a", "b"]);
}

/// Byte bound under `'error'`.
#[test]
fn queue_byte_bound_error() {
    let mut h = queue_harness(100, 5, Overflow::Error);
    assert_eq!(h.send("abc"), Ok(false));
    assert_eq!(h.send("def"), Err(ErrorCode::QueueFull));
    assert_eq!(h.send("de"), Ok(false));
    assert_eq!(h.send(""), Ok(false), "an empty frame still fits");
    assert_eq!(h.send("x"), Err(ErrorCode::QueueFull));
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (3, 5));
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["abc", "de", ""]);
}

/// `'drop-oldest'`: the oldest frames make room for the new one. Count bound.
#[test]
fn queue_count_bound_drop_oldest() {
    let mut h = queue_harness(2, 1000, Overflow::DropOldest);
    for s in ["a", "b", "c", "d"] {
        assert_eq!(h.send(s), Ok(false));
    }
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (2, 2));
    assert_eq!(h.engine.stats().dropped, 2);
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["c", "d"]);
}

/// `'drop-oldest'`, byte bound: as many old frames go as the new one needs; a frame larger than the
/// whole queue is dropped itself (it could never fit) and the queue is left alone.
#[test]
fn queue_byte_bound_drop_oldest() {
    let mut h = queue_harness(100, 6, Overflow::DropOldest);
    h.send("aa").unwrap();
    h.send("bb").unwrap();
    h.send("cc").unwrap();
    assert_eq!(h.send("dddd"), Ok(false));
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (2, 6));
    assert_eq!(h.engine.stats().dropped, 2);
    assert_eq!(h.send("1234567"), Ok(false));
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (2, 6));
    assert_eq!(h.engine.stats().dropped, 3);
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["cc", "dddd"]);
}

/// `'drop-newest'`: the new frame is dropped, `send` returns false. Count bound.
#[test]
fn queue_count_bound_drop_newest() {
    let mut h = queue_harness(2, 1000, Overflow::DropNewest);
    for s in ["a", "b", "c", "d"] {
        assert_eq!(h.send(s), Ok(false));
    }
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (2, 2));
    assert_eq!(h.engine.stats().dropped, 2);
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["a", "b"]);
}

/// `'drop-newest'`, byte bound.
#[test]
fn queue_byte_bound_drop_newest() {
    let mut h = queue_harness(100, 4, Overflow::DropNewest);
    h.send("abc").unwrap();
    h.send("de").unwrap();
    h.send("f").unwrap();
    assert_eq!((h.engine.queued_count(), h.engine.buffered_amount()), (2, 4));
    assert_eq!(h.engine.stats().dropped, 1);
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["abc", "f"]);
}

/// "The queue is kept for a later `reconnect()`."
#[test]
fn queue_kept_across_close_for_reconnect() {
    let mut h = Harness::new(config());
    h.send("one").unwrap();
    h.send("two").unwrap();
    h.close(1000, "").unwrap();
    assert_eq!(h.engine.queued_count(), 2);
    assert_eq!(h.engine.buffered_amount(), 6);
    h.reconnect();
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["one", "two"]);
}

/// "Throws … `CLOSED` (after `close()`); a throw queues nothing."
#[test]
fn queue_send_after_close_is_closed() {
    let mut h = Harness::new(config());
    h.open();
    h.close(1000, "").unwrap();
    h.take();
    assert_eq!(h.send("late"), Err(ErrorCode::Closed));
    assert_eq!(h.engine.queued_count(), 0);
    assert_eq!(h.take(), []);
    // After reconnect() sending works again.
    h.reconnect();
    assert_eq!(h.send("again"), Ok(false));
}

/// Frames sent while waiting for a retry or after the client gave up are queued too (for the next
/// open, or a `reconnect()`).
#[test]
fn queue_holds_frames_while_waiting_and_after_giving_up() {
    let mut cfg = config();
    cfg.reconnect = Some(Backoff { max_retries: Some(0), ..exact_backoff() });
    let mut h = Harness::new(cfg);
    h.open();
    h.server_close(1006, "");
    assert_eq!(h.state(), State::Closed);
    assert_eq!(h.send("kept"), Ok(false));
    h.reconnect();
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["kept"]);
}

// ------------------------------------------------------------------------------------------------
// Requests
// ------------------------------------------------------------------------------------------------

fn request(h: &mut Harness, key: &str, timeout_ms: u64) -> Result<wxsocket::core::RequestHandle, ErrorCode> {
    h.request(key, &format!("req-{key}"), timeout_ms)
}

fn reply(h: &mut Harness, key: impl Into<RequestKey>) -> Option<wxsocket::core::RequestHandle> {
    h.reply(key)
}

fn rejections(outputs: &[Output<Text>]) -> Vec<(wxsocket::core::RequestHandle, ErrorCode)> {
    outputs.iter().filter_map(|o| if let Output::Reject { request, code } = o { Some((*request, *code)) } else { None }).collect()
}

/// "resolves with the first inbound message carrying the same id (that reply is not emitted as
/// `message`)": the reply settles the request; a second one with that id is an ordinary message.
#[test]
fn request_reply_is_matched_and_settled() {
    let mut h = Harness::new(config());
    let task = h.open();
    let a = request(&mut h, "1", 5000).unwrap();
    let b = request(&mut h, "2", 5000).unwrap();
    assert_ne!(a, b);
    assert_eq!(sent_to(&h.all(), task), ["req-1", "req-2"]);
    assert_eq!(h.engine.pending_requests(), 2);
    assert_eq!(reply(&mut h, "2"), Some(b));
    assert_eq!(reply(&mut h, "1"), Some(a));
    assert_eq!(h.engine.pending_requests(), 0);
    assert_eq!(reply(&mut h, "1"), None, "already settled");
    // Settled requests time out no more.
    h.advance(10_000);
    assert_eq!(rejections(&h.all()), []);
}

/// A reply comes in by its request's handle, `Inbound::Answer` (the platform layer keeps the pending ids:
/// id -> handle): it settles that request; a handle no longer pending (settled, or timed out) makes it an
/// ordinary message, whatever the platform still held.
#[test]
fn an_answer_by_handle_settles_its_request_and_a_stale_one_is_a_message() {
    let mut h = Harness::new(config());
    let task = h.open();
    let a = request(&mut h, "1", 5000).unwrap();
    let b = request(&mut h, "2", 1000).unwrap();
    let answer = |h: &mut Harness, request| {
        let before = h.log.len();
        h.engine.handle(h.now, Input::Frame { task, size: 8, frame: Inbound::Answer { request, reply: t("answer"), error: false } });
        h.drain();
        h.log[before..].iter().map(|(_, o)| o.clone()).collect::<Vec<_>>()
    };
    let settled = answer(&mut h, a);
    assert!(settled.iter().any(|o| matches!(o, Output::Resolve { request, .. } if *request == a)), "{settled:?}");
    assert!(!settled.iter().any(|o| matches!(o, Output::Deliver(_))), "a reply is not a message");
    assert_eq!(h.engine.pending_requests(), 1);
    let again = answer(&mut h, a);
    assert!(again.iter().any(|o| matches!(o, Output::Deliver(_))), "settled already: a message: {again:?}");
    h.advance(1500);
    assert_eq!(rejections(&h.all()), [(b, ErrorCode::Timeout)]);
    let late = answer(&mut h, b);
    assert!(late.iter().any(|o| matches!(o, Output::Deliver(_))) && !late.iter().any(|o| matches!(o, Output::Resolve { .. })), "timed out: a message: {late:?}");
    assert_eq!(h.engine.pending_requests(), 0);
}

/// The request-id rules (docs/contract.md, "Request ids"), with the platform's ids as the harness keeps
/// them: a second request with the id of a pending one is refused; the number 7 and the string "7" are two
/// ids; an id is free again once its request settled (answered or timed out), and a reply to the old
/// request that comes after that is a message, or the reply of the request that reused its id.
#[test]
fn request_ids_duplicates_numbers_and_strings_reuse_after_settle() {
    let mut h = Harness::new(config());
    h.open();
    let text = request(&mut h, "7", 5000).unwrap();
    assert_eq!(request(&mut h, "7", 5000), Err(ErrorCode::InvalidOption), "a pending id is refused");
    assert!(!h.engine.has_pending_request(&RequestKey::Number(7.0)), "\"7\" is not 7");
    let number = h.request(7u64, "req-n7", 5000).unwrap();
    assert_ne!(text, number);
    assert_eq!(h.request(7u64, "again", 5000), Err(ErrorCode::InvalidOption));
    assert_eq!(h.engine.pending_requests(), 2);
    assert_eq!(reply(&mut h, 7u64), Some(number), "the number answers the number's request");
    assert!(h.engine.has_pending_request(&"7".into()), "and not the string's");
    assert_eq!(reply(&mut h, "7"), Some(text));
    assert!(!h.engine.has_pending_request(&"7".into()) && !h.engine.has_pending_request(&RequestKey::Number(7.0)));
    // Settled by its reply: the id is free again, and its next reply is the new request's.
    let again = request(&mut h, "7", 5000).unwrap();
    assert_ne!(again, text);
    assert_eq!(reply(&mut h, "7"), Some(again));
    assert_eq!(reply(&mut h, "7"), None, "settled: a message");
    // Settled by its timeout: the late reply is a message; the id is free again.
    let timed_out = request(&mut h, "8", 100).unwrap();
    h.advance(100);
    assert_eq!(rejections(&h.all()), [(timed_out, ErrorCode::Timeout)]);
    assert!(h.ids.is_empty(), "the platform holds no id of a settled request");
    assert_eq!(reply(&mut h, "8"), None, "late: a message");
    let reused = request(&mut h, "8", 5000).unwrap();
    let stale = h.answer(Inbound::Answer { request: timed_out, reply: t("late"), error: false });
    assert_eq!(stale, None, "the timed-out request's handle settles nothing");
    assert_eq!(h.engine.pending_requests(), 1);
    assert_eq!(reply(&mut h, "8"), Some(reused));
    let delivered = h.all().iter().filter(|o| matches!(o, Output::Deliver(_))).count();
    assert_eq!(delivered, 3, "the settled, the late and the stale reply are messages");
}

/// An inbound id that no request waits for is an ordinary message (`None`).
#[test]
fn request_unmatched_id_is_a_message() {
    let mut h = Harness::new(config());
    h.open();
    request(&mut h, "7", 5000).unwrap();
    assert_eq!(reply(&mut h, "8"), None);
    assert_eq!(reply(&mut h, ""), None);
    assert_eq!(h.engine.pending_requests(), 1);
}

/// "Rejects `TIMEOUT`": at its deadline, not before; a request still queued leaves the queue with it.
#[test]
fn request_timeout_rejects_and_unqueues() {
    let mut h = Harness::new(config());
    h.send("before").unwrap();
    let r = request(&mut h, "1", 300).unwrap();
    h.send("after").unwrap();
    assert_eq!(h.engine.queued_count(), 3);
    h.advance(299);
    assert_eq!(rejections(&h.all()), []);
    h.advance(1);
    assert_eq!(rejections(&h.all()), [(r, ErrorCode::Timeout)]);
    assert_eq!(h.engine.queued_count(), 2);
    assert_eq!(h.engine.buffered_amount(), "before".len() + "after".len());
    assert_eq!(h.engine.pending_requests(), 0);
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["before", "after"]);
    assert_eq!(reply(&mut h, "1"), None, "a late reply is a message");
}

/// Timeouts of requests already sent.
#[test]
fn request_timeout_after_sending() {
    let mut h = Harness::new(config());
    h.open();
    let r = request(&mut h, "1", 1000).unwrap();
    h.advance(1000);
    assert_eq!(rejections(&h.all()), [(r, ErrorCode::Timeout)]);
    assert_eq!(h.state(), State::Open, "a request timeout does not touch the connection");
}

/// "If the connection drops before the reply, the request is sent again once the client is open again
/// (at-least-once)." Re-sent requests go first: they were sent before anything in the queue.
#[test]
fn request_resent_after_reconnect_before_the_queue() {
    let mut h = Harness::new(config());
    h.open();
    let a = request(&mut h, "1", 60_000).unwrap();
    let b = request(&mut h, "2", 60_000).unwrap();
    let c = request(&mut h, "3", 60_000).unwrap();
    assert_eq!(reply(&mut h, "2"), Some(b));
    h.server_close(1006, "");
    h.send("queued").unwrap();
    let d = request(&mut h, "4", 60_000).unwrap();
    h.advance_to(h.timer.unwrap());
    h.take();
    let task = h.open();
    let out = h.take();
    assert_eq!(sent_to(&out, task), ["req-1", "req-3", "queued", "req-4"]);
    let open_event = position(&out, |o| matches!(o, Output::Event(Event::Open { .. }))).unwrap();
    assert!(out.iter().rposition(|o| matches!(o, Output::Send { .. })).unwrap() < open_event);
    assert_eq!(reply(&mut h, "1"), Some(a));
    assert_eq!(reply(&mut h, "3"), Some(c));
    assert_eq!(reply(&mut h, "4"), Some(d));
    // Answered requests are not sent again after the next reconnect.
    h.server_close(1006, "");
    h.advance_to(h.timer.unwrap());
    h.take();
    let task = h.open();
    assert_eq!(sent_to(&h.take(), task), Vec::<String>::new());
}

/// The same clause over several drops: docs/contract.md says "sent again once the client is open again"; we read
/// it as at-least-once, so an unanswered request goes out once on every new connection until it is
/// answered or times out (as socket.io's buffered emits do), never twice on one connection.
#[test]
fn request_resent_on_every_reconnect_until_answered() {
    let mut h = Harness::new(config());
    h.open();
    let a = request(&mut h, "1", 60_000).unwrap();
    for _ in 0..3 {
        h.server_close(1006, "");
        h.advance_to(h.timer.unwrap());
        h.take();
        let task = h.open();
        assert_eq!(sent_to(&h.take(), task), ["req-1"]);
    }
    assert_eq!(reply(&mut h, "1"), Some(a));
}

/// The same clause after `reconnect()`: an unanswered request goes out again on the new task.
#[test]
fn request_resent_after_user_reconnect() {
    let mut h = Harness::new(config());
    h.open();
    let a = request(&mut h, "1", 60_000).unwrap();
    h.reconnect();
    h.take();
    let task = h.open();
    assert_eq!(sent_to(&h.take(), task), ["req-1"]);
    assert_eq!(reply(&mut h, "1"), Some(a));
}

/// "Rejects … `CLOSED`": pending requests reject with `CLOSED` on `close()`, whether sent or queued;
/// the queued frames of requests leave the queue, other frames stay for a later `reconnect()`.
#[test]
fn request_rejected_closed_on_close() {
    let mut h = Harness::new(config());
    h.open();
    let a = request(&mut h, "1", 60_000).unwrap();
    h.server_close(1006, "");
    let b = request(&mut h, "2", 60_000).unwrap();
    h.send("plain").unwrap();
    h.take();
    h.close(1000, "").unwrap();
    let out = h.take();
    let mut rejected = rejections(&out);
    rejected.sort_by_key(|(h, _)| *h);
    assert_eq!(rejected, [(a, ErrorCode::Closed), (b, ErrorCode::Closed)]);
    assert_eq!(h.engine.pending_requests(), 0);
    assert_eq!(h.engine.queued_count(), 1);
    // The rejections come before the `close` event (close() settles everything before it returns).
    let close_at = position(&out, |o| matches!(o, Output::Event(Event::Close { .. }))).unwrap();
    assert!(out.iter().rposition(|o| matches!(o, Output::Reject { .. })).unwrap() < close_at);
    // And after close(), request() throws CLOSED.
    assert_eq!(request(&mut h, "3", 1000), Err(ErrorCode::Closed));
    assert_eq!(h.engine.pending_requests(), 0);
    h.reconnect();
    let task = h.open();
    assert_eq!(sent_to(&h.take(), task), ["plain"]);
}

/// A request follows the queue's rules: `'error'` throws `QUEUE_FULL` and registers nothing;
/// `'drop-newest'` rejects it with `QUEUE_FULL`; `'drop-oldest'` rejects the evicted request.
#[test]
fn request_under_a_full_queue() {
    let mut h = queue_harness(1, 1000, Overflow::Error);
    h.send("x").unwrap();
    assert_eq!(request(&mut h, "1", 1000), Err(ErrorCode::QueueFull));
    assert_eq!(h.engine.pending_requests(), 0);
    assert_eq!(h.timer, Some(1000), "only the connect timeout is armed");

    let mut h = queue_harness(1, 1000, Overflow::DropNewest);
    h.send("x").unwrap();
    let r = request(&mut h, "1", 1000).unwrap();
    assert_eq!(rejections(&h.all()), [(r, ErrorCode::QueueFull)]);
    assert_eq!(h.engine.pending_requests(), 0);

    let mut h = queue_harness(1, 1000, Overflow::DropOldest);
    let old = request(&mut h, "1", 1000).unwrap();
    let new = request(&mut h, "2", 1000).unwrap();
    assert_eq!(rejections(&h.all()), [(old, ErrorCode::QueueFull)]);
    assert_eq!(h.engine.pending_requests(), 1);
    let task = h.open();
    assert_eq!(sent_to(&h.all(), task), ["req-2"]);
    assert_eq!(reply(&mut h, "2"), Some(new));
}

/// "`fresh_request_id`": ids are fresh (never repeat).
#[test]
fn request_fresh_ids() {
    let mut engine: Engine<Text> = Engine::new(config(), 1, 0);
    let ids: Vec<u64> = (0..100).map(|_| engine.fresh_request_id()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 100);
}

// ------------------------------------------------------------------------------------------------
// close()
// ------------------------------------------------------------------------------------------------

/// Checks what `close()` must do from any state: exactly one `close` event with the given code and
/// reason, state `closed`, nothing armed, and a second call does nothing.
fn check_close_from(h: &mut Harness, from: State) {
    assert_eq!(h.state(), from);
    let live = h.engine.task();
    h.take();
    h.close(4000, "done").unwrap();
    let out = h.take();
    assert_eq!(
        close_events(&out),
        [Event::Close { code: 4000, reason: "done".into(), will_reconnect: false, delay_ms: None }],
        "from {from:?}: {out:?}"
    );
    assert_eq!(h.state(), State::Closed);
    assert_eq!(h.engine.task(), None);
    match live {
        Some(task) => assert_eq!(task_closes(&out), [(task, 4000, "done".to_owned())], "the live task is closed"),
        None => assert_eq!(task_closes(&out), []),
    }
    let st = states(&out);
    if from != State::Closed {
        assert_eq!(st.last(), Some(&(if live.is_some() { State::Closing } else { from }, State::Closed)), "{st:?}");
    } else {
        assert_eq!(st, [], "closed → closed is no state change");
    }
    // The `close` event comes last among the events (after the state changes).
    assert!(matches!(events(&out).last(), Some(Event::Close { .. })));
    assert_eq!(h.timer, None, "nothing is armed after close()");
    assert!(h.engine.is_closed_by_user());
    // Idempotent.
    assert_eq!(h.close(4000, "done"), Ok(()));
    assert_eq!(h.close(1000, ""), Ok(()));
    assert_eq!(h.take(), []);
    // Final: nothing happens later, whatever the platform says.
    h.network(false);
    h.network(true);
    h.app_shown();
    h.advance(1_000_000);
    if let Some(task) = live {
        h.engine.handle(h.now, Input::Closed { task, code: 1000, reason: String::new(), should_reconnect: true });
        h.engine.handle(h.now, Input::Failed { task, err_msg: "late".into() });
        h.drain();
    }
    assert_eq!(h.take(), []);
    assert_eq!(h.state(), State::Closed);
}

/// "`close(code = 1000, reason = '')`: final and idempotent. Stops reconnects, closes the task, sets
/// `state` to `closed` and emits exactly one `close` event before it returns." From `open`.
#[test]
fn close_from_open() {
    let mut h = Harness::new(config());
    h.open();
    check_close_from(&mut h, State::Open);
    let st = states(&h.all());
    assert!(st.ends_with(&[(State::Open, State::Closing), (State::Closing, State::Closed)]), "{st:?}");
}

/// The same clause from `connecting`.
#[test]
fn close_from_connecting() {
    let mut h = Harness::new(config());
    check_close_from(&mut h, State::Connecting);
}

/// The same clause from `waiting` (a retry is scheduled: it is cancelled).
#[test]
fn close_from_waiting() {
    let mut h = Harness::new(config());
    refuse(&mut h);
    check_close_from(&mut h, State::Waiting);
    assert_eq!(h.opens(), 1);
}

/// The same clause from `waiting` for the network.
#[test]
fn close_from_waiting_offline() {
    let mut h = Harness::new(config());
    h.network(false);
    refuse(&mut h);
    check_close_from(&mut h, State::Waiting);
}

/// The same clause after the client gave up (`RETRIES_EXHAUSTED`). The client is already `closed`,
/// but not finished: `close()` still emits its one `close` event. (docs/contract.md: close() "emits exactly one
/// `close` event before it returns"; we read that literally, so code awaiting the `close` event after
/// calling `close()` never hangs, whatever state the client was in.)
#[test]
fn close_after_retries_exhausted() {
    let mut cfg = config();
    cfg.reconnect = Some(Backoff { max_retries: Some(1), ..exact_backoff() });
    let mut h = Harness::new(cfg);
    refused_delays(&mut h, 1);
    refuse(&mut h);
    check_close_from(&mut h, State::Closed);
}

/// The same clause with `startClosed: true`, before anything happened (same reading as above).
#[test]
fn close_when_start_closed() {
    let mut cfg = config();
    cfg.start_closed = true;
    let mut h = Harness::new(cfg);
    check_close_from(&mut h, State::Closed);
    assert_eq!(h.opens(), 0);
}

/// The same clause after `shouldReconnect` said no, and with `reconnect: false`.
#[test]
fn close_after_the_client_stopped_by_itself() {
    let mut h = Harness::new(config());
    h.should_reconnect = Some(Box::new(|_: u16, _: &str| false));
    h.open();
    h.server_close(1000, "");
    check_close_from(&mut h, State::Closed);

    let mut cfg = config();
    cfg.reconnect = None;
    let mut h = Harness::new(cfg);
    refuse(&mut h);
    check_close_from(&mut h, State::Closed);
}

/// The same clause after `reconnect()` revived a closed client.
#[test]
fn close_again_after_reconnect() {
    let mut h = Harness::new(config());
    h.open();
    h.close(1000, "").unwrap();
    h.reconnect();
    h.open();
    check_close_from(&mut h, State::Open);
    assert_eq!(close_events(&h.all()).len(), 2, "one per close()");
}

/// "Throws `INVALID_CLOSE_CODE` (only 1000 and 3000–4999) or `REASON_TOO_LONG` (over 123 UTF-8
/// bytes)"; a throwing `close()` changes nothing.
#[test]
fn close_invalid_code_or_reason_changes_nothing() {
    let mut h = Harness::new(config());
    let task = h.open();
    h.send("x").unwrap();
    h.take();
    for code in [0u16, 999, 1001, 1005, 1006, 2999, 5000, 65535] {
        let err = h.close(code, "").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidCloseCode, "code {code}");
    }
    let err = h.close(1000, &"a".repeat(124)).unwrap_err();
    assert_eq!(err.code, ErrorCode::ReasonTooLong);
    let err = h.close(3000, &"€".repeat(42)).unwrap_err(); // 126 bytes, 42 characters
    assert_eq!(err.code, ErrorCode::ReasonTooLong);
    assert_eq!(h.take(), []);
    assert_eq!(h.state(), State::Open);
    assert_eq!(h.engine.task(), Some(task));
    assert!(!h.engine.is_closed_by_user());
    // The limits themselves are fine.
    h.close(4999, &"€".repeat(41)).unwrap();
    assert_eq!(task_closes(&h.take()), [(task, 4999, "€".repeat(41))]);
}

// ------------------------------------------------------------------------------------------------
// reconnect()
// ------------------------------------------------------------------------------------------------

/// What `reconnect()` must do from any state: close the live task with (1000, "reconnect"), retry count
/// 0, an attempt at once.
fn check_reconnect_from(h: &mut Harness, from: State) {
    assert_eq!(h.state(), from);
    let live = h.engine.task();
    let opens = h.opens();
    h.take();
    h.reconnect();
    let out = h.take();
    match live {
        Some(task) => assert_eq!(task_closes(&out), [(task, 1000, "reconnect".to_owned())]),
        None => assert_eq!(task_closes(&out), []),
    }
    let close_at = position(&out, |o| matches!(o, Output::Close { .. }));
    let open_at = position(&out, |o| matches!(o, Output::Open { .. })).expect("an attempt at once");
    assert!(close_at.map_or(true, |c| c < open_at), "the old task is closed before the new one opens");
    assert!(matches!(out[open_at], Output::Open { attempt: 0, .. }));
    assert_eq!(h.opens(), opens + 1);
    assert_eq!(h.state(), State::Connecting);
    assert_eq!(h.engine.retry_count(), 0);
    assert!(!h.engine.is_closed_by_user());
    // A `close` event only when it leaves `open`.
    let closes = close_events(&out);
    if from == State::Open {
        assert_eq!(closes, [Event::Close { code: 1000, reason: "reconnect".into(), will_reconnect: true, delay_ms: Some(0) }]);
    } else {
        assert_eq!(closes, []);
    }
    // The new task works.
    let task = h.open();
    assert_eq!(h.state(), State::Open);
    assert_ne!(live, Some(task), "a new task");
}

/// "`reconnect()`: closes the current task (1000, `'reconnect'`) if any, resets `retryCount` to 0, and
/// connects now; also after `close()` or exhausted retries." From `open`.
#[test]
fn reconnect_from_open() {
    let mut h = Harness::new(config());
    refused_delays(&mut h, 2);
    h.open();
    assert_eq!(h.engine.retry_count(), 2);
    check_reconnect_from(&mut h, State::Open);
}

/// The same clause from `connecting`.
#[test]
fn reconnect_from_connecting() {
    let mut h = Harness::new(config());
    refused_delays(&mut h, 3);
    check_reconnect_from(&mut h, State::Connecting);
}

/// The same clause from `waiting`: the scheduled retry is cancelled (no second attempt when it was due).
#[test]
fn reconnect_from_waiting() {
    let mut h = Harness::new(config());
    refused_delays(&mut h, 2);
    refuse(&mut h);
    check_reconnect_from(&mut h, State::Waiting);
    let opens = h.opens();
    h.advance(10_000);
    assert_eq!(h.opens(), opens, "the old retry does not fire");
}

/// The same clause after `close()`.
#[test]
fn reconnect_after_close() {
    let mut h = Harness::new(config());
    h.open();
    h.close(1000, "").unwrap();
    check_reconnect_from(&mut h, State::Closed);
}

/// The same clause after exhausted retries.
#[test]
fn reconnect_after_retries_exhausted() {
    let mut cfg = config();
    cfg.reconnect = Some(Backoff { max_retries: Some(2), ..exact_backoff() });
    let mut h = Harness::new(cfg);
    refused_delays(&mut h, 2);
    refuse(&mut h);
    check_reconnect_from(&mut h, State::Closed);
}

/// "`startClosed` … create without connecting; `reconnect()` starts it."
#[test]
fn start_closed_creates_without_connecting() {
    let mut cfg = config();
    cfg.start_closed = true;
    let mut h = Harness::new(cfg);
    assert_eq!(h.take(), []);
    assert_eq!(h.state(), State::Closed);
    assert_eq!(h.timer, None);
    h.advance(1_000_000);
    assert_eq!(h.opens(), 0);
    assert_eq!(h.send("early"), Ok(false), "queued for later");
    check_reconnect_from(&mut h, State::Closed);
    assert_eq!(sent(&h.all()), ["early"]);
    assert!(h.take_events().contains(&Event::Open { attempt: 0, reconnected: false }));
}

/// `reconnect()` while the network is reported down: it is an explicit request, so it tries at once
/// (the platform's network report can be wrong). If that attempt fails, the client waits for the
/// network without spending retries. (docs/contract.md: `reconnect()` "connects now"; "no attempts are spent"
/// is about the client's own retries.)
#[test]
fn reconnect_while_offline_tries_once_then_waits_for_network() {
    let mut h = Harness::new(config());
    h.network(false);
    refuse(&mut h);
    h.reconnect();
    assert_eq!(h.opens(), 2);
    refuse(&mut h);
    assert_eq!(h.state(), State::Waiting);
    assert_eq!(h.timer, None);
    h.advance(1_000_000);
    assert_eq!(h.opens(), 2);
}

// ------------------------------------------------------------------------------------------------
// Events
// ------------------------------------------------------------------------------------------------

/// "`close` … the client left `open`, or `close()` finished it; once per such change, after the next
/// attempt (if any) has been scheduled." A lost open connection: state `waiting` first, the retry's
/// timer armed, then `close` with `willReconnect` and the delay, then `reconnecting`.
#[test]
fn close_event_after_the_retry_is_scheduled() {
    let mut h = Harness::new(config());
    h.open();
    h.advance(50);
    h.take();
    h.server_close(1001, "restart");
    let out = h.take();
    let timer = position(&out, |o| matches!(o, Output::Timer { at: Some(150) })).expect("the retry is armed");
    let state = position(&out, |o| matches!(o, Output::Event(Event::State { from: State::Open, to: State::Waiting }))).unwrap();
    let close = position(&out, |o| matches!(o, Output::Event(Event::Close { .. }))).unwrap();
    let reconnecting = position(&out, |o| matches!(o, Output::Event(Event::Reconnecting { .. }))).unwrap();
    assert!(timer < close && state < close && close < reconnecting, "{out:?}");
    assert_eq!(
        close_events(&out),
        [Event::Close { code: 1001, reason: "restart".into(), will_reconnect: true, delay_ms: Some(100) }]
    );
    assert_eq!(events(&out)[2], Event::Reconnecting { attempt: 1, delay_ms: 100 });
}

/// The same clause: attempts that never opened produce no `close` event (only `error`,
/// `reconnecting` and state changes), until the client enters `closed`.
#[test]
fn close_event_only_when_leaving_open_or_entering_closed() {
    let mut cfg = config();
    cfg.reconnect = Some(Backoff { max_retries: Some(3), ..exact_backoff() });
    let mut h = Harness::new(cfg);
    refused_delays(&mut h, 3);
    assert_eq!(close_events(&h.all()), []);
    assert_eq!(error_codes(&h.all()), [ErrorCode::ConnectFailed; 3]);
    refuse(&mut h);
    assert_eq!(close_events(&h.all()).len(), 1);
    // A full lifecycle: open → lost → open → close(): two close events.
    let mut h = Harness::new(config());
    h.open();
    h.server_close(1006, "");
    h.advance_to(h.timer.unwrap());
    h.advance(1000); // connect timeout: no close event
    h.advance_to(h.timer.unwrap());
    h.open();
    h.close(1000, "").unwrap();
    assert_eq!(close_events(&h.all()).len(), 2);
}

/// "`state` … every state change": each state event's `from` is the previous one's `to`, none is a
/// non-change.
#[test]
fn state_events_chain() {
    let mut cfg = config();
    cfg.heartbeat = Some(heartbeat(1000, 100));
    let mut h = Harness::new(cfg);
    h.open();
    h.advance(1100);
    h.advance_to(h.timer.unwrap());
    h.advance(1000);
    h.advance_to(h.timer.unwrap());
    h.open();
    h.reconnect();
    h.open();
    h.close(1000, "").unwrap();
    h.reconnect();
    let st = states(&h.all());
    let mut current = State::Connecting;
    for (from, to) in &st {
        assert_eq!(*from, current, "{st:?}");
        assert_ne!(from, to);
        current = *to;
    }
    assert_eq!(current, h.state());
}

/// "`open` | `{ header, attempt, reconnected }`": `reconnected` is true from the second open on.
#[test]
fn open_event_attempt_and_reconnected() {
    let mut h = Harness::new(config());
    h.open();
    assert!(h.take_events().contains(&Event::Open { attempt: 0, reconnected: false }));
    h.server_close(1006, "");
    h.advance_to(h.timer.unwrap()); // retry 1
    refused_delays(&mut h, 1); // retry 1 refused, retry 2 under way
    h.take();
    h.open();
    assert!(h.take_events().contains(&Event::Open { attempt: 2, reconnected: true }));
}

// ------------------------------------------------------------------------------------------------
// The platform's callbacks
// ------------------------------------------------------------------------------------------------

/// Late callbacks of an old task (its `onOpen`, `onMessage`, `onClose`, `onError` arriving after it was
/// replaced) change nothing. (style.md: "a generation number in each closure makes a late call from an
/// old task a no-op".)
#[test]
fn late_callbacks_from_old_tasks_are_ignored() {
    let mut h = Harness::new(config());
    let first = h.open();
    h.reconnect();
    let second = h.task();
    assert_ne!(first, second);
    let check = |h: &mut Harness, state: State| {
        h.take();
        let stats = h.engine.stats();
        h.engine.handle(h.now, Input::Opened { task: first });
        assert_eq!(h.frame_on(first, 10), Fate::Ignored);
        h.engine.handle(h.now, Input::Closed { task: first, code: 1006, reason: "late".into(), should_reconnect: true });
        h.engine.handle(h.now, Input::Failed { task: first, err_msg: "late".into() });
        h.engine.handle(h.now, Input::SendFailed { task: first, err_msg: "late".into() });
        // A task id that was never handed out.
        h.engine.handle(h.now, Input::Opened { task: TaskId(second.0 + 100) });
        h.engine.handle(h.now, Input::Closed { task: TaskId(second.0 + 100), code: 1006, reason: String::new(), should_reconnect: true });
        h.drain();
        assert_eq!(h.take(), [], "in {state:?}");
        assert_eq!(h.state(), state);
        assert_eq!(h.engine.stats(), stats);
    };
    check(&mut h, State::Connecting);
    h.open();
    check(&mut h, State::Open);
    h.server_close(1006, "");
    check(&mut h, State::Waiting);
    h.close(1000, "").unwrap();
    check(&mut h, State::Closed);
    // And of the second task, now old too.
    h.take();
    h.engine.handle(h.now, Input::Closed { task: second, code: 1000, reason: String::new(), should_reconnect: true });
    h.engine.handle(h.now, Input::Failed { task: second, err_msg: "late".into() });
    assert_eq!(h.frame_on(second, 1), Fate::Ignored);
    h.drain();
    assert_eq!(h.take(), []);
}

/// "`maxMessageBytes` … larger inbound frames are dropped with error `MESSAGE_TOO_LARGE`, never
/// decoded": `Inbound::TooLarge`'s fate, counted in `stats.dropped`; a frame of exactly the limit is decoded.
#[test]
fn message_too_large_is_dropped() {
    let mut cfg = config();
    cfg.max_message_bytes = 100;
    let mut h = Harness::new(cfg);
    h.open();
    h.take();
    assert_eq!(h.frame(100), Fate::Delivered);
    assert_eq!(h.take_events(), []);
    assert_eq!(h.frame(101), Fate::TooLarge);
    assert_eq!(error_codes(&h.take()), [ErrorCode::MessageTooLarge]);
    assert_eq!(h.engine.stats().dropped, 1);
    assert_eq!(h.state(), State::Open, "the connection stays up");
}

/// "`error` … `CONNECT_FAILED`, … `PLATFORM`": an error before open is `CONNECT_FAILED`, after open
/// `PLATFORM` with the platform's errMsg; either way the task is closed and the client retries.
#[test]
fn task_errors_close_the_task_and_retry() {
    let mut h = Harness::new(config());
    h.take();
    let task = h.error("dns failure");
    let out = h.take();
    assert!(matches!(&events(&out)[0], Event::Error { code: ErrorCode::ConnectFailed, err_msg: Some(m), .. } if m == "dns failure"));
    assert_eq!(task_closes(&out).iter().map(|c| c.0).collect::<Vec<_>>(), [task]);
    assert_eq!(h.state(), State::Waiting);
    h.advance_to(h.timer.unwrap());
    h.open();
    h.take();
    let task = h.error("reset by peer");
    let out = h.take();
    assert!(matches!(&events(&out)[0], Event::Error { code: ErrorCode::Platform, err_msg: Some(m), .. } if m == "reset by peer"));
    assert_eq!(task_closes(&out).iter().map(|c| c.0).collect::<Vec<_>>(), [task]);
    assert_eq!(close_events(&out).len(), 1);
    assert_eq!(h.state(), State::Waiting);
}

/// The platform is handed the same connect timeout (wx `connectSocket({ timeout })`) and its timer can
/// fire before the engine's: an error that says so, before open, is `CONNECT_TIMEOUT` all the same, keeps
/// the platform's errMsg, and is retried. After open, "timeout" in an errMsg is an ordinary `PLATFORM`;
/// a failed `url` function is never taken for the platform's timeout.
#[test]
fn the_platforms_own_connect_timeout_is_connect_timeout() {
    for msg in ["connectSocket:fail timeout", "Connection TIMED OUT", "ETIMEOUT"] {
        let mut h = Harness::new(config());
        h.take();
        let task = h.error(msg);
        let out = h.take();
        assert!(
            matches!(&events(&out)[0], Event::Error { code: ErrorCode::ConnectTimeout, message, err_msg: Some(m), .. } if m == msg && message.contains("platform")),
            "{msg}: {:?}", events(&out)
        );
        assert_eq!(task_closes(&out).iter().map(|c| c.0).collect::<Vec<_>>(), [task]);
        assert_eq!(h.state(), State::Waiting);
    }
    let mut h = Harness::new(config());
    h.take();
    h.error("connectSocket:fail time out of range"); // not a timeout: "time out" is not one of the words
    assert_eq!(error_codes(&h.take()), [ErrorCode::ConnectFailed]);
    h.advance_to(h.timer.unwrap());
    h.open();
    h.take();
    h.error("read timeout");
    assert_eq!(error_codes(&h.take()), [ErrorCode::Platform]);
    // An attempt that failed before any task (the url function rejected) is CONNECT_FAILED, whatever
    // its message says: only the platform's own error speaks for the platform's timer.
    let mut h = Harness::new(config());
    h.take();
    let task = h.task();
    h.engine.handle(h.now, Input::AttemptFailed { task, message: "the url function's promise rejected: token fetch timeout".into() });
    h.drain();
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::ConnectFailed]);
    assert_eq!(h.state(), State::Waiting);
}

/// A platform error message becomes the reason the engine closes the task with; a close frame carries
/// at most 123 bytes, so a long message is cut on a character boundary (the platform would throw).
#[test]
fn long_error_messages_are_cut_for_the_close_frame() {
    let mut h = Harness::new(config());
    h.open();
    h.take();
    let long = "错误".repeat(50); // 300 bytes
    h.error(&long);
    let out = h.take();
    let closes = task_closes(&out);
    assert_eq!(closes.len(), 1);
    let reason = &closes[0].2;
    assert!(reason.len() <= 123 && reason.len() > 117 && long.starts_with(reason.as_str()), "{} bytes", reason.len());
    assert!(matches!(&events(&out)[0], Event::Error { err_msg: Some(m), .. } if *m == long), "the error event keeps it whole");
}

/// "`SEND_FAILED`": the platform could not send on the open task: error, task closed, reconnect.
#[test]
fn send_failed_reconnects() {
    let mut h = Harness::new(config());
    let task = h.open();
    h.take();
    h.engine.handle(h.now, Input::SendFailed { task, err_msg: "buffer full".into() });
    h.drain();
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::SendFailed]);
    assert!(out.iter().any(|o| matches!(o, Output::Abort { task: t, .. } if *t == task)), "aborted: {out:?}");
    assert_eq!(h.state(), State::Waiting);
}

/// A server close before the task opened is a failed attempt (`CONNECT_FAILED`), retried.
#[test]
fn close_before_open_is_connect_failed() {
    let mut h = Harness::new(config());
    h.take();
    refuse(&mut h);
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::ConnectFailed]);
    assert_eq!(task_closes(&out), [], "the platform closed it already");
    assert_eq!(h.state(), State::Waiting);
}

/// "`stats` (`{ connects, reconnects, messagesSent, messagesReceived, bytesSent, bytesReceived,
/// dropped, lastRttMs }`)".
#[test]
fn stats_counters() {
    let mut cfg = config();
    cfg.heartbeat = Some(heartbeat(1000, 500));
    cfg.max_message_bytes = 50;
    cfg.queue = queue(1, 1000, Overflow::DropNewest);
    let mut h = Harness::new(cfg);
    assert_eq!(h.engine.stats(), Stats::default());
    h.send("abc").unwrap(); // queued
    h.send("dropped").unwrap(); // dropped (drop-newest)
    h.open(); // sends "abc"
    h.send("hello").unwrap();
    h.frame(10);
    h.frame(60); // too large
    h.advance(1000); // ping (4 bytes)
    h.advance(30);
    h.pong();
    h.server_close(1006, "");
    h.advance_to(h.timer.unwrap());
    h.open();
    assert_eq!(
        h.engine.stats(),
        Stats {
            connects: 2,
            reconnects: 1,
            messages_sent: 3,
            messages_received: 3,
            bytes_sent: 3 + 5 + 4,
            bytes_received: 10 + 60 + 4,
            dropped: 2,
            last_rtt_ms: Some(30),
        }
    );
}

/// The platform timer is one-shot: when it fires a little early (the host's clock and the engine's
/// disagree by a millisecond, or the host rounds), nothing is due yet, and the engine must arm it
/// again, or it would wait forever. ("a timer is armed whenever the engine waits", issue 6.)
#[test]
fn timer_that_fires_early_is_armed_again() {
    let mut h = Harness::new(config());
    refuse(&mut h);
    let at = h.timer.unwrap();
    h.now = at - 1;
    h.timer = None; // the host's timer fired, early
    h.engine.handle(h.now, Input::Timeout);
    h.drain(); // checks the platform timer against next_deadline
    assert_eq!(h.timer, Some(at));
    h.advance_to(at);
    assert_eq!(h.state(), State::Connecting);
}

/// "A URL the platform itself refuses is final" (docs/contract.md, Errors): a fixed URL's refusal is an
/// `INVALID_URL` error and the client stops in `closed` with no retry loop; `reconnect()` tries again.
#[test]
fn platform_refusal_of_a_fixed_url_is_final() {
    let mut h = Harness::new(config());
    let task = h.task();
    h.take();
    h.engine.handle(h.now, Input::UrlRefused { task, err_msg: "SyntaxError: Invalid URL: wss://exa%mple.com/".into(), fixed: true });
    h.drain();
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::InvalidUrl]);
    assert_eq!(h.state(), State::Closed);
    assert!(out.iter().any(|o| matches!(o, Output::Event(Event::Close { will_reconnect: false, .. }))), "a close event saying no retry: {out:?}");
    h.advance(10 * 60_000);
    assert_eq!(h.opens(), 1, "no second attempt on a URL that can never open");
    h.engine.reconnect(h.now);
    h.drain();
    assert_eq!(h.state(), State::Connecting);
    assert_eq!(h.opens(), 2);
}

/// A url function may return another URL next time: its refusal is an `INVALID_URL` error and a failed
/// attempt, retried with the backoff.
#[test]
fn platform_refusal_of_a_url_functions_result_is_retried() {
    let mut h = Harness::new(config());
    let task = h.task();
    h.take();
    h.engine.handle(h.now, Input::UrlRefused { task, err_msg: "connectSocket:fail invalid url".into(), fixed: false });
    h.drain();
    let out = h.take();
    assert_eq!(error_codes(&out), [ErrorCode::InvalidUrl]);
    assert_eq!(h.state(), State::Waiting);
    assert!(out.iter().any(|o| matches!(o, Output::Event(Event::Reconnecting { attempt: 1, .. }))), "{out:?}");
    h.advance(60_000);
    assert!(h.opens() >= 2, "retried");
}
