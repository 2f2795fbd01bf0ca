//! The Rust client `wxsocket::Client<In, Out>` in Node on the scripted fake wx.
//!
//! Covers: typed send (serde → JSON text on the task), queued before open; typed receive through the
//! event stream; a message that does not fit `In` as a DECODE error; binary frames; request with a
//! typed reply and its timeout; the request-id rules (numbers and strings, a duplicate pending id, ids
//! reused after settle, late and unknown replies as messages, REMOTE_ERROR); close() ending the stream's
//! story with one Close event; bad options; `should_reconnect` deciding after a server close.
#![cfg(target_arch = "wasm32")]

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wxsocket::core::{ErrorCode, Event, State};
use wxsocket::{Client, ClientEvent, ClientOptions, ShouldReconnect};

#[path = "support/js_imports.rs"]
mod js_imports;
use js_imports::*;

#[derive(Serialize, Clone, Debug)]
struct Say {
    text: String,
    n: u32,
}

#[derive(Deserialize, Clone, Debug, PartialEq)]
struct Heard {
    text: String,
    n: u32,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Sum {
    id: u64,
    sum: i64,
}

/// A request id: a number or a string.
#[derive(Serialize, Clone, Debug)]
#[serde(untagged)]
enum Id {
    N(f64),
    S(&'static str),
}

/// A request with its own id.
#[derive(Serialize, Clone, Debug)]
struct Ask {
    id: Id,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Got {
    v: i64,
}

/// Lets the other futures of a `join` run (a turn of the microtask queue).
async fn tick() {
    let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await;
}

fn client(ctrl: &JsValue) -> Client<Heard, Say> {
    let mut o = ClientOptions::new("ws://127.0.0.1:9/ws");
    o.platform = Some(fake_wx(ctrl));
    Client::new(o).expect("valid options")
}

#[wasm_bindgen_test]
async fn typed_send_and_typed_receive() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let c = client(&ctrl);
    let mut events = c.events();
    assert_eq!(c.send(&Say { text: "queued".into(), n: 1 }).unwrap(), false);
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    assert_eq!(c.state(), State::Open);
    assert_eq!(c.send(&Say { text: "你好".into(), n: 2 }).unwrap(), true);
    assert_eq!(json(&sent(&last_task(&ctrl))), r#"["{\"text\":\"queued\",\"n\":1}","{\"text\":\"你好\",\"n\":2}"]"#);
    server_message(&last_task(&ctrl), &JsValue::from_str(r#"{"text":"back","n":3}"#));
    server_message(&last_task(&ctrl), &JsValue::from_str(r#"{"unexpected":true}"#));
    server_message(&last_task(&ctrl), &bytes(vec![1, 2]));
    let mut seen = Vec::new();
    while let Some(ev) = events.next().await {
        let done = matches!(ev, ClientEvent::Binary(_));
        seen.push(ev);
        if done {
            break;
        }
    }
    assert!(seen.contains(&ClientEvent::Event(Event::State { from: State::Connecting, to: State::Open })));
    assert!(seen.contains(&ClientEvent::Event(Event::Open { attempt: 0, reconnected: false })));
    assert!(seen.contains(&ClientEvent::Message(Heard { text: "back".into(), n: 3 })));
    assert!(seen.iter().any(|e| matches!(e, ClientEvent::Event(Event::Error { code: ErrorCode::Decode, .. }))), "{seen:?}");
    assert_eq!(seen.last(), Some(&ClientEvent::Binary(vec![1, 2])));
    assert!(c.send_binary(&[7, 7]).unwrap());
    assert_eq!(buffer_bytes(&sent(&last_task(&ctrl)).get(2)), "7,7");
}

#[wasm_bindgen_test]
async fn typed_request_and_timeout() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let c = client(&ctrl);
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    let task = last_task(&ctrl);
    let add = Say { text: "add".into(), n: 5 };
    let fut = c.request::<Sum>(&add);
    // Answer as soon as the frame is out: the request was sent synchronously by `request`'s first poll.
    let answer = async {
        for _ in 0..50 {
            if sent(&task).length() > 0 {
                let frame: String = sent(&task).get(0).as_string().unwrap();
                assert!(frame.contains("\"id\":1"), "a fresh id was added: {frame}");
                server_message(&task, &JsValue::from_str(r#"{"id":1,"sum":42}"#));
                return;
            }
            let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await;
        }
        panic!("the request frame never went out");
    };
    let (reply, ()) = futures_util::future::join(fut, answer).await;
    assert_eq!(reply.unwrap(), Sum { id: 1, sum: 42 });
    let err = c.request_with_timeout::<Sum>(&Say { text: "slow".into(), n: 0 }, 20).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    c.close(1000, "done").unwrap();
    let err = c.request::<Sum>(&Say { text: "late".into(), n: 0 }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Closed);
    assert_eq!(c.send(&Say { text: "x".into(), n: 0 }).unwrap_err().code, ErrorCode::Closed);
}

/// docs/contract.md, "Request ids", for the Rust client: the number 7 and the string "7" are two ids; a
/// second request with a pending id is refused at once; an id is free again once its request settled; a
/// reply whose id no request waits for (also one that comes after its request timed out) is a message; an
/// error reply rejects with REMOTE_ERROR; an id that cannot go out in JSON is refused.
#[wasm_bindgen_test]
async fn request_ids_follow_the_contract() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let mut o = ClientOptions::new("ws://127.0.0.1:9/ws");
    o.platform = Some(fake_wx(&ctrl));
    let c: Client<Heard, Ask> = Client::new(o).expect("valid options");
    let mut events = c.events();
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    let task = last_task(&ctrl);
    let reply = |text: &str| server_message(&task, &JsValue::from_str(text));
    let number = c.request::<Got>(&Ask { id: Id::N(7.0) });
    let text = c.request::<Got>(&Ask { id: Id::S("7") });
    let server = async {
        tick().await;
        assert_eq!(json(&sent(&task)), r#"["{\"id\":7}","{\"id\":\"7\"}"]"#);
        let dup = c.request::<Got>(&Ask { id: Id::N(7.0) }).await.unwrap_err();
        assert_eq!(dup.code, ErrorCode::InvalidOption, "a pending id is refused: {dup:?}");
        assert_eq!(c.request::<Got>(&Ask { id: Id::S("7") }).await.unwrap_err().code, ErrorCode::InvalidOption);
        reply(r#"{"id":"7","v":2}"#);
        reply(r#"{"id":7,"v":1}"#);
    };
    let (number, text, ()) = futures_util::future::join3(number, text, server).await;
    assert_eq!((number.unwrap(), text.unwrap()), (Got { v: 1 }, Got { v: 2 }), "each id answers its own request");
    // Settled: the id is free again; a reply by the wrong kind of id or an unknown id is a message.
    let again = c.request::<Got>(&Ask { id: Id::N(7.0) });
    let server = async {
        tick().await;
        reply(r#"{"id":"7","text":"string seven","n":1}"#);
        reply(r#"{"id":70,"text":"unknown","n":2}"#);
        reply(r#"{"id":7,"v":3}"#);
        reply(r#"{"id":7,"text":"settled seven","n":3}"#);
    };
    let (again, ()) = futures_util::future::join(again, server).await;
    assert_eq!(again.unwrap(), Got { v: 3 }, "an id reused after settle");
    // Timed out: its late reply is a message, and its id is free again.
    let late = c.request_with_timeout::<Got>(&Ask { id: Id::S("late") }, 20).await.unwrap_err();
    assert_eq!(late.code, ErrorCode::Timeout);
    reply(r#"{"id":"late","text":"late","n":4}"#);
    let remote = c.request::<Got>(&Ask { id: Id::S("late") });
    let server = async {
        tick().await;
        reply(r#"{"jsonrpc":"2.0","id":"late","error":{"code":-32000}}"#);
    };
    let (remote, ()) = futures_util::future::join(remote, server).await;
    let remote = remote.unwrap_err();
    assert_eq!((remote.code, remote.message.as_str()), (ErrorCode::RemoteError, r#"{"code":-32000}"#));
    let nan = c.request::<Got>(&Ask { id: Id::N(f64::NAN) }).await.unwrap_err();
    assert_eq!(nan.code, ErrorCode::InvalidOption, "NaN goes out as null: {nan:?}");
    assert_eq!(sent(&task).length(), 5, "the refused requests sent nothing");
    c.close(1000, "done").unwrap();
    let mut heard = Vec::new();
    while let Some(ev) = events.next().await {
        match ev {
            ClientEvent::Message(m) => heard.push((m.text, m.n)),
            ClientEvent::Event(Event::Close { .. }) => break,
            _ => {}
        }
    }
    let heard: Vec<(&str, u32)> = heard.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    assert_eq!(heard, [("string seven", 1), ("unknown", 2), ("settled seven", 3), ("late", 4)]);
}

#[wasm_bindgen_test]
fn bad_options_are_typed_errors() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let mut o = ClientOptions::new("ws://example.com/");
    o.platform = Some(fake_wx(&ctrl));
    assert_eq!(Client::<Heard, Say>::new(o.clone()).err().map(|e| e.code), Some(ErrorCode::InsecureUrl));
    o.url = "wss://example.com/".into();
    o.header = vec![("X-A".into(), "1\r\n2".into())];
    assert_eq!(Client::<Heard, Say>::new(o.clone()).err().map(|e| e.code), Some(ErrorCode::InvalidOption));
    o.header.clear();
    o.platform = None;
    assert_eq!(Client::<Heard, Say>::new(o).err().map(|e| e.code), Some(ErrorCode::NoPlatform));
}

/// `ClientOptions::should_reconnect` is asked with the server's close code and reason; `false` stops the
/// client (`closed`, no new task), `true` retries.
#[wasm_bindgen_test]
fn should_reconnect_decides_after_a_server_close() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let asked = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = asked.clone();
    let mut o = ClientOptions::new("ws://127.0.0.1:9/ws");
    o.platform = Some(fake_wx(&ctrl));
    o.should_reconnect = Some(ShouldReconnect::new(move |code, reason| {
        log.borrow_mut().push((code, reason.to_owned()));
        code != 4001
    }));
    let c: Client<Heard, Say> = Client::new(o).expect("valid options");
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    server_close(&last_task(&ctrl), 1001, "going away");
    assert_eq!(c.state(), State::Waiting, "a true answer retries");
    c.reconnect();
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    let task = last_task(&ctrl);
    server_close(&task, 4001, "banned");
    assert_eq!(c.state(), State::Closed, "a false answer stops the client");
    assert!(js_sys::Object::is(&last_task(&ctrl), &task), "no new task after a false answer");
    assert_eq!(*asked.borrow(), [(1001, "going away".to_owned()), (4001, "banned".to_owned())]);
}
