//! Page code that calls `close()` or `reconnect()` while the engine's outputs of the previous input are still
//! being performed (a `close` listener, the logger): the outputs not yet polled must not announce what no
//! longer happens (docs/contract.md, "Re-entrancy and lifetimes").

mod common;

use common::*;
use wxsocket::core::{Engine, Event, Input, Output, Text};

/// Polls outputs up to and including the first `close` event; what follows stays queued.
fn poll_through_close(engine: &mut Engine<Text>) -> Vec<Output<Text>> {
    let mut got = Vec::new();
    while let Some(o) = engine.poll() {
        let is_close = matches!(o, Output::Event(Event::Close { .. }));
        got.push(o);
        if is_close {
            break;
        }
    }
    got
}

fn rest(engine: &mut Engine<Text>) -> Vec<Output<Text>> {
    std::iter::from_fn(|| engine.poll()).collect()
}

fn reconnecting_events(outputs: &[Output<Text>]) -> usize {
    outputs.iter().filter(|o| matches!(o, Output::Event(Event::Reconnecting { .. }))).count()
}

fn open_engine() -> Engine<Text> {
    let mut engine: Engine<Text> = Engine::new(config(), 1, 0);
    let task = engine.task().expect("the first attempt");
    engine.handle(10, Input::Opened { task });
    rest(&mut engine);
    engine
}

#[test]
fn close_from_a_close_listener_withdraws_the_retry_announcement() {
    let mut engine = open_engine();
    let task = engine.task().unwrap();
    engine.handle(20, Input::Closed { task, code: 4000, reason: "bye".into(), should_reconnect: true });
    let before = poll_through_close(&mut engine);
    assert!(before.iter().any(|o| matches!(o, Output::Event(Event::Close { will_reconnect: true, .. }))));
    // The close listener calls close().
    engine.close(20, 1000, "").unwrap();
    let after = rest(&mut engine);
    assert_eq!(reconnecting_events(&before) + reconnecting_events(&after), 0, "{after:?}");
    assert!(after.iter().any(|o| matches!(o, Output::Event(Event::State { to: wxsocket::core::State::Closed, .. }))));
}

#[test]
fn reconnect_from_a_close_listener_withdraws_the_old_retry_announcement() {
    let mut engine = open_engine();
    let task = engine.task().unwrap();
    engine.handle(20, Input::Closed { task, code: 4000, reason: "bye".into(), should_reconnect: true });
    poll_through_close(&mut engine);
    engine.reconnect(20);
    let after = rest(&mut engine);
    assert_eq!(reconnecting_events(&after), 0, "{after:?}");
    assert!(after.iter().any(|o| matches!(o, Output::Open { .. })), "reconnect() connects now: {after:?}");
}

#[test]
fn without_a_call_from_page_code_the_retry_is_announced() {
    let mut engine = open_engine();
    let task = engine.task().unwrap();
    engine.handle(20, Input::Closed { task, code: 4000, reason: "bye".into(), should_reconnect: true });
    let all = rest(&mut engine);
    assert_eq!(reconnecting_events(&all), 1, "{all:?}");
}
