//! The Rust client `wxsocket::Client<In, Out>` in Node on the scripted fake wx.
//!
//! Covers: typed send (serde → JSON text on the task), queued before open; typed receive through the
//! event stream; a message that does not fit `In` as a DECODE error; binary frames; request with a
//! typed reply and its timeout; close() ending the stream's story with one Close event; bad options;
//! `should_reconnect` deciding after a server close.
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
