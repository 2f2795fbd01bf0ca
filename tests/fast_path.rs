#![cfg(not(target_arch = "wasm32"))]
//! The fast path's block (src/core/fast_path.rs) as JavaScript reads it (src/js/fast_path.js), and the
//! engine's lanes and collection in scenarios (`tests/fast_path_properties.rs` has the random ones).

use std::collections::BTreeMap;

use wxsocket::core::{
    alive_sample_ms, Config, Engine, ErrorCode, Event, FastBlock, FastDone, FastLanes, Heartbeat, Inbound, Input, Output, State, TaskId, Text,
};

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
        let align = if ["SEND_TASK", "RECEIVE_TASK"].contains(&name) { 4 } else { 8 };
        assert_eq!(offset % align, 0, "{name} at {offset}");
    }
    assert_eq!(std::mem::align_of::<FastBlock>(), 8);
}

#[test]
fn the_block_keeps_its_lanes_when_its_counters_are_taken() {
    let mut b = FastBlock::default();
    b.publish(FastLanes { send: Some(TaskId(3)), receive: Some(TaskId(3)) });
    b.sent_messages = 2.0;
    b.sent_bytes = 10.0;
    b.received_messages = 1.0;
    b.received_bytes = 7.0;
    let done = b.take();
    assert_eq!(done, FastDone { sent_messages: 2, sent_bytes: 10, received_messages: 1, received_bytes: 7 });
    assert_eq!((b.send_task, b.receive_task), (3, 3));
    assert_eq!(b.take(), FastDone::default(), "taken once");
    // What JavaScript could have written wrongly counts as nothing.
    b.sent_messages = f64::NAN;
    b.received_bytes = -5.0;
    b.sent_bytes = f64::INFINITY;
    assert_eq!(b.take(), FastDone::default());
    b.publish(FastLanes::default());
    assert_eq!((b.send_task, b.receive_task), (0, 0));
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
    e.handle(10, Input::Opened { task });
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
    e.handle(10, Input::Opened { task });
    assert_eq!(e.fast_lanes(), FastLanes::default(), "outputs not performed yet");
    drain(&mut e);
    assert_eq!(e.fast_lanes(), FastLanes { send: Some(task), receive: Some(task) });
    e.set_resend_unconfirmed(true);
    assert_eq!(e.fast_lanes().send, None, "at-least-once re-sending keeps every frame it sends");
    assert_eq!(e.fast_lanes().receive, Some(task));
    e.close(20, 1000, "").unwrap();
    drain(&mut e);
    assert_eq!(e.fast_lanes(), FastLanes::default(), "closed");
}

#[test]
fn the_sample_period_is_at_most_a_second_and_a_tenth_of_the_interval() {
    assert_eq!(alive_sample_ms(30_000), 1000);
    assert_eq!(alive_sample_ms(10_000), 1000);
    assert_eq!(alive_sample_ms(5_000), 500);
    assert_eq!(alive_sample_ms(50), 5);
    assert_eq!(alive_sample_ms(3), 1);
}

/// With a heartbeat, the receive lane opens with the first frame through the module and stays open while
/// frames keep coming; one sample that finds none closes it.
#[test]
fn with_a_heartbeat_fast_receive_is_open_while_frames_keep_coming() {
    let (mut e, task) = open(heartbeat()); // interval 1000: samples every 100 ms
    assert_eq!(e.fast_lanes().receive, None, "quiet: the next frame goes through the module");
    assert_eq!(e.fast_lanes().send, Some(task), "sends are not sampled");
    e.handle(20, Input::Frame { task, size: 5, frame: Inbound::Message(Text::from("a")) });
    drain(&mut e);
    assert_eq!(e.fast_lanes().receive, Some(task));
    assert_eq!(e.next_deadline(), Some(120), "the first sample");
    e.collect_fast(60, FastDone { received_messages: 3, received_bytes: 15, ..FastDone::default() });
    e.handle(120, Input::Timeout);
    drain(&mut e);
    assert_eq!(e.fast_lanes().receive, Some(task), "frames came: sampling goes on");
    assert_eq!(e.next_deadline(), Some(220));
    e.handle(220, Input::Timeout);
    drain(&mut e);
    assert_eq!(e.fast_lanes().receive, None, "none came: the lane closes");
    assert_eq!(e.next_deadline(), Some(1060), "the ping, an interval after the last collection");
    assert_eq!(e.stats().messages_received, 4);
}

/// The stated bound: fast frames postpone the ping as if they arrived at their collection, at most one
/// sample period after the slow path would have; the pong deadline goes exactly as with slow frames.
#[test]
fn fast_frames_put_the_ping_off_within_one_sample_period_and_clear_the_pong_deadline() {
    let (mut slow, task) = open(heartbeat());
    let (mut fast, _) = open(heartbeat());
    for e in [&mut slow, &mut fast] {
        e.handle(1010, Input::Timeout); // the ping
        assert!(drain(e).iter().any(|o| matches!(o, Output::Send { payload, .. } if payload.0 == "ping")));
        assert_eq!(e.next_deadline(), Some(1510), "the pong deadline");
        e.handle(1100, Input::Frame { task, size: 5, frame: Inbound::Message(Text::from("a")) }); // through the module: sampling starts
        drain(e);
    }
    // A frame at 1150: through the module on one side, on the fast path (collected at the sample, 1200)
    // on the other.
    slow.handle(1150, Input::Frame { task, size: 5, frame: Inbound::Message(Text::from("b")) });
    fast.collect_fast(1200, FastDone { received_messages: 1, received_bytes: 5, ..FastDone::default() });
    for e in [&mut slow, &mut fast] {
        e.handle(1200, Input::Timeout);
        e.handle(1300, Input::Timeout); // no frame since 1200: sampling stops
        drain(e);
    }
    assert_eq!(slow.next_deadline(), Some(2150));
    assert_eq!(fast.next_deadline(), Some(2200), "at most alive_sample_ms(1000) = 100 later");
    assert_eq!(fast.stats(), slow.stats());
    for e in [&mut slow, &mut fast] {
        e.handle(2200, Input::Timeout);
        e.handle(2700, Input::Timeout);
        assert_eq!(e.state(), State::Waiting, "a ping, then no pong within 500 ms");
    }
}

#[test]
fn fast_sends_are_unconfirmed_until_a_pong_and_counted_when_the_connection_is_lost() {
    let (mut e, task) = open(heartbeat());
    e.collect_fast(20, FastDone { sent_messages: 3, sent_bytes: 12, ..FastDone::default() });
    assert_eq!(e.unconfirmed_count(), 3);
    e.handle(1010, Input::Timeout); // ping
    e.collect_fast(1020, FastDone { sent_messages: 2, sent_bytes: 8, ..FastDone::default() });
    assert_eq!(e.unconfirmed_count(), 5);
    e.handle(1100, Input::Frame { task, size: 4, frame: Inbound::Pong });
    assert_eq!(e.unconfirmed_count(), 2, "the pong confirms the three sent before its ping");
    drain(&mut e);
    e.handle(1200, Input::Failed { task, err_msg: "gone".into() });
    let lost: Vec<_> = drain(&mut e)
        .into_iter()
        .filter_map(|o| match o {
            Output::Event(Event::Error { code: ErrorCode::UnconfirmedLost, message, .. }) => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(lost.len(), 1);
    assert!(lost[0].starts_with("2 frames"), "{}", lost[0]);
    assert_eq!(e.stats().dropped, 2);
    assert_eq!(e.stats().messages_sent, 6, "five fast and one ping");
}
