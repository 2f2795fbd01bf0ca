#![cfg(not(target_arch = "wasm32"))]
//! The fast path's block (src/core/fast_path.rs) as JavaScript reads it (src/js/fast_path.js), and the
//! engine's lanes and collection in scenarios (`tests/fast_path_properties.rs` has the random ones).

use std::collections::BTreeMap;

use wxsocket::core::{Config, Engine, FastBlock, FastDone, FastLanes, Heartbeat, Inbound, Output, State, TaskId, Text};

/// `var NAME = NUMBER;` declarations of src/js/fast_path.js whose names are all capitals.
fn js_offsets() -> BTreeMap<String, usize> {
    let src = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/js/fast_path.js")).expect("src/js/fast_path.js");
    src.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("var ")?;
            let (name, value) = rest.split_once(" = ")?;
            let value = value.strip_suffix(';')?;
            let is_const = !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_');
            Some((name.to_owned(), value.parse().ok()?)).filter(|_| is_const)
        })
        .collect()
}

#[test]
fn the_javascript_offsets_are_the_rust_struct_s() {
    let js = js_offsets();
    let rust: BTreeMap<String, usize> = FastBlock::FIELDS.iter().map(|(n, o)| (n.to_string(), *o)).collect();
    assert_eq!(js, rust, "src/js/fast_path.js declares other offsets than FastBlock::FIELDS");
    // The u32 fields sit on 4-byte boundaries, the f64 counters on 8-byte ones (JavaScript indexes a
    // Uint32Array and a Float64Array with offset >> 2 and >> 3).
    for (name, offset) in FastBlock::FIELDS {
        let align = if ["SEND_TASK", "RECEIVE_TASK", "STAMP_FRAMES"].contains(&name) { 4 } else { 8 };
        assert_eq!(offset % align, 0, "{name} at {offset}");
    }
    assert_eq!(std::mem::align_of::<FastBlock>(), 8);
}

#[test]
fn the_block_keeps_its_lanes_when_its_counters_are_taken() {
    let mut b = FastBlock::default();
    b.publish(FastLanes { send: Some(TaskId(3)), receive: Some(TaskId(3)), stamp_frames: true });
    b.sent_messages = 2.0;
    b.sent_bytes = 10.0;
    b.received_messages = 1.0;
    b.received_bytes = 7.0;
    b.last_frame_at = 1234.0;
    let done = b.take();
    assert_eq!(
        done,
        FastDone { sent_messages: 2, sent_bytes: 10, received_messages: 1, received_bytes: 7, last_frame_at: Some(1234) }
    );
    assert_eq!((b.send_task, b.receive_task, b.stamp_frames), (3, 3, 1));
    assert_eq!(b.take(), FastDone::default(), "taken once");
    // What JavaScript could have written wrongly counts as nothing.
    b.sent_messages = f64::NAN;
    b.received_bytes = -5.0;
    b.last_frame_at = f64::INFINITY;
    assert_eq!(b.take(), FastDone::default());
    b.publish(FastLanes::default());
    assert_eq!((b.send_task, b.receive_task, b.stamp_frames), (0, 0, 0));
}

fn drain(e: &mut Engine<Text>) -> Vec<Output<Text>> {
    std::iter::from_fn(|| e.poll()).collect()
}

fn open(cfg: Config<Text>) -> (Engine<Text>, TaskId) {
    let mut e = Engine::new(cfg, 1, 0);
    let task = match e.poll() {
        Some(Output::Open { task, .. }) => task,
        other => panic!("{other:?}"),
    };
    e.task_opened(10, task);
    drain(&mut e);
    (e, task)
}

fn heartbeat() -> Config<Text> {
    Config { heartbeat: Some(Heartbeat { interval_ms: 1000, timeout_ms: 500, ping: Text::from("ping") }), ..Config::default() }
}

#[test]
fn the_lanes_are_open_only_on_an_open_idle_client() {
    let mut e: Engine<Text> = Engine::new(Config::default(), 1, 0);
    assert_eq!(e.fast_lanes().send, None, "connecting");
    let task = match e.poll() {
        Some(Output::Open { task, .. }) => task,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.send(1, Text::from("q")), Ok(false));
    e.task_opened(10, task);
    assert_eq!(e.fast_lanes(), FastLanes { send: None, receive: None, stamp_frames: false }, "outputs not performed yet");
    drain(&mut e);
    assert_eq!(e.fast_lanes(), FastLanes { send: Some(task), receive: Some(task), stamp_frames: false });
    e.set_resend_unconfirmed(true);
    assert_eq!(e.fast_lanes().send, None, "at-least-once re-sending keeps every frame it sends");
    assert_eq!(e.fast_lanes().receive, Some(task));
    e.close(20, 1000, "").unwrap();
    drain(&mut e);
    assert_eq!(e.fast_lanes(), FastLanes::default(), "closed");
    let (e, _) = open(heartbeat());
    assert!(e.fast_lanes().stamp_frames, "the heartbeat needs each frame's time");
}

#[test]
fn fast_frames_postpone_the_ping_and_clear_the_pong_deadline_exactly_as_slow_ones() {
    let (mut slow, task) = open(heartbeat());
    let (mut fast, _) = open(heartbeat());
    assert_eq!(slow.next_deadline(), Some(1010));
    // A ping at 1010, then frames at 1200 and 1300: the pong deadline goes, the next ping is 1000 after the last.
    for e in [&mut slow, &mut fast] {
        e.handle_timeout(1010);
        assert!(drain(e).iter().any(|o| matches!(o, Output::Send { payload, .. } if payload.0 == "ping")));
        assert_eq!(e.next_deadline(), Some(1510), "the pong deadline");
    }
    slow.frame(1200, task, 5, Inbound::Message(Text::from("a")));
    slow.frame(1300, task, 5, Inbound::Message(Text::from("b")));
    fast.collect_fast(FastDone { received_messages: 2, received_bytes: 10, last_frame_at: Some(1300), ..FastDone::default() });
    assert_eq!(slow.next_deadline(), Some(2300));
    assert_eq!(fast.next_deadline(), slow.next_deadline());
    assert_eq!(fast.stats(), slow.stats());
    // Nothing more arrives: both ping at 2300 and time out at 2800.
    for e in [&mut slow, &mut fast] {
        drain(e);
        e.handle_timeout(2300);
        e.handle_timeout(2800);
        assert_eq!(e.state(), State::Waiting);
    }
}

#[test]
fn fast_sends_are_unconfirmed_until_a_pong_and_counted_when_the_connection_is_lost() {
    let (mut e, task) = open(heartbeat());
    e.collect_fast(FastDone { sent_messages: 3, sent_bytes: 12, ..FastDone::default() });
    assert_eq!(e.unconfirmed_count(), 3);
    e.handle_timeout(1010); // ping
    e.collect_fast(FastDone { sent_messages: 2, sent_bytes: 8, ..FastDone::default() });
    assert_eq!(e.unconfirmed_count(), 5);
    e.frame(1100, task, 4, Inbound::Pong);
    assert_eq!(e.unconfirmed_count(), 2, "the pong confirms the three sent before its ping");
    drain(&mut e);
    e.task_error(1200, task, "gone");
    let lost: Vec<_> = drain(&mut e)
        .into_iter()
        .filter_map(|o| match o {
            Output::Event(wxsocket::core::Event::Error { code: wxsocket::core::ErrorCode::UnconfirmedLost, message, .. }) => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(lost.len(), 1);
    assert!(lost[0].starts_with("2 frames"), "{}", lost[0]);
    assert_eq!(e.stats().dropped, 2);
    assert_eq!(e.stats().messages_sent, 6, "five fast and one ping");
}
