//! The JS class `SocketClient` in Node, on a scripted fake `wx` (tests/support/wx_sockets.js) that behaves
//! like the phone's SocketTask: synchronous return, no off*, errMsg strings, close-code rules, the
//! 5-task limit, late callbacks. Each test names the docs/contract.md clause it checks.
//!
//! Covers: options and thrown errors; connect at once; queue flushed in order before `open`; JSON,
//! text and binary frames; SERIALIZE; DECODE; MESSAGE_TOO_LARGE; request/response, timeouts and
//! at-least-once resend; close() and its errors; reconnect() and backoff after a server close;
//! shouldReconnect; maxRetries; heartbeat timeout, pongs swallowed, ping on app show; network off/on;
//! lifecycle listeners removed on close(); late callbacks from old tasks; the 5-task limit; throwing
//! listeners; the logger never seeing secrets; wasm memory across 10,000 connect/close cycles.
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wxsocket::SocketClient;

#[path = "support/js_imports.rs"]
mod js_imports;
use js_imports::*;

/// A fake wx and a client on it, every event recorded.
struct Rig {
    ctrl: JsValue,
    client: SocketClient,
    rec: JsValue,
}

impl Rig {
    fn new(json_opts: &str) -> Rig {
        let ctrl = fake_new(&JsValue::UNDEFINED);
        Rig::on(ctrl, json_opts)
    }

    fn on(ctrl: JsValue, json_opts: &str) -> Rig {
        let opts = options(&fake_wx(&ctrl), json_opts);
        let client = SocketClient::new(opts).expect("valid options");
        let rec = recorder();
        for ev in ["open", "message", "close", "reconnecting", "error", "state"] {
            client.on(ev.into(), listener(&rec, ev)).expect("known event");
        }
        Rig { ctrl, client, rec }
    }

    fn task(&self) -> JsValue {
        last_task(&self.ctrl)
    }

    fn open(&self) {
        server_open(&self.task(), &parse(r#"{"x-server":"fake"}"#));
    }

    fn sent_json(&self) -> String {
        json(&sent(&self.task()))
    }

    fn events(&self) -> String {
        event_names(&self.rec)
    }
}

fn thrown_code(r: Result<impl Sized, JsValue>) -> String {
    match r {
        Ok(_) => "no error".into(),
        Err(e) => {
            assert_eq!(error_name(&e), "WxSocketError", "thrown errors are WxSocketError: {}", error_message(&e));
            error_code(&e)
        }
    }
}

fn new_client_error(json_opts: &str, platform: &JsValue) -> String {
    let opts = options(platform, json_opts);
    thrown_code(SocketClient::new(opts))
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

// ---------- new SocketClient(options) ----------

/// "Starts connecting at once unless startClosed: true."
#[wasm_bindgen_test]
fn constructor_connects_at_once_with_url_header_and_protocols() {
    let rig = Rig::new(r#"{"url":"ws://127.0.0.1:8080/chat?token=abc","header":{"X-Token":"t1"},"protocols":["chat.v1"]}"#);
    assert_eq!(task_count(&rig.ctrl), 1);
    let o = task_options(&rig.task());
    assert_eq!(get(&o, "url").as_string().unwrap(), "ws://127.0.0.1:8080/chat?token=abc");
    assert_eq!(json(&get(&o, "header")), r#"{"X-Token":"t1"}"#);
    assert_eq!(json(&get(&o, "protocols")), r#"["chat.v1"]"#);
    assert_eq!(rig.client.state(), "connecting");
    assert_eq!(rig.client.url(), "ws://127.0.0.1:8080/chat?token=abc");
}

/// "startClosed: create without connecting; reconnect() starts it."
#[wasm_bindgen_test]
fn start_closed_waits_for_reconnect() {
    let rig = Rig::new(r#"{"startClosed":true}"#);
    assert_eq!(task_count(&rig.ctrl), 0);
    assert_eq!(rig.client.state(), "closed");
    assert_eq!(rig.client.send(JsValue::from_str("early")).unwrap(), false, "queued while closed");
    rig.client.reconnect();
    assert_eq!(task_count(&rig.ctrl), 1);
    rig.open();
    assert_eq!(rig.sent_json(), r#"["\"early\""]"#);
}

/// "Throws (see Errors) on bad options, before any socket exists."
#[wasm_bindgen_test]
fn bad_options_throw_typed_errors_before_any_socket() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let wx = fake_wx(&ctrl);
    let cases: &[(&str, &str)] = &[
        (r#"{"url":"http://example.com"}"#, "INVALID_URL"),
        (r#"{"url":""}"#, "INVALID_URL"),
        (r#"{"url":"wss://"}"#, "INVALID_URL"),
        (r#"{"url":"wss://host:99999/"}"#, "INVALID_URL"),
        (r#"{"url":"wss://a b/"}"#, "INVALID_URL"),
        (r#"{"url":42}"#, "INVALID_URL"),
        (r#"{"url":"ws://example.com/"}"#, "INSECURE_URL"),
        (r#"{"url":"ws://10.0.0.1/"}"#, "INSECURE_URL"),
        (r#"{"url":"ws://localhost.example.com/"}"#, "INSECURE_URL"),
        (r#"{"url":"wss://h/","header":{"X-A":"a\r\nInjected: 1"}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","header":{"X-A\n":"a"}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","header":{"X-A":"a\u0000"}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","header":{"Referer":"https://x"}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","header":{"X-N":5}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","protocols":"chat"}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","codec":"xml"}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","connectTimeoutMs":-1}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","connectTimeoutMs":"10"}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","reconnect":{"factor":0.5}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","reconnect":{"jitter":2}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","reconnect":{"minDelayMs":500,"maxDelayMs":100}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","reconnect":"yes"}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","heartbeat":"yes"}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","heartbeat":{"intervalMs":0}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","queue":{"overflow":"block"}}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","maxMessageBytes":0}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","requestIdField":""}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","lifecycle":"no"}"#, "INVALID_OPTION"),
        (r#"{"url":"wss://h/","logger":"console"}"#, "INVALID_OPTION"),
    ];
    for (opts, want) in cases {
        assert_eq!(new_client_error(opts, &wx), *want, "options {opts}");
    }
    assert_eq!(task_count(&ctrl), 0, "no socket was created by any of the bad option sets");
    // ws:// to loopback is allowed, and to any host with allowInsecure.
    assert_eq!(new_client_error(r#"{"url":"ws://localhost:1/","startClosed":true}"#, &wx), "no error");
    assert_eq!(new_client_error(r#"{"url":"ws://[::1]:1/","startClosed":true}"#, &wx), "no error");
    assert_eq!(new_client_error(r#"{"url":"ws://example.com/","allowInsecure":true,"startClosed":true}"#, &wx), "no error");
    // Not an object at all.
    assert_eq!(thrown_code(SocketClient::new(JsValue::from_str("wss://h/"))), "INVALID_OPTION");
    // A platform that is neither.
    assert_eq!(new_client_error(r#"{"url":"wss://h/"}"#, &JsValue::from_f64(3.0)), "INVALID_OPTION");
}

/// "platform: default first of global wx, tt, qq, uni, WebSocket" — Node has none of them.
#[wasm_bindgen_test]
fn no_platform_is_a_typed_error() {
    let opts = parse(r#"{"url":"wss://h/"}"#);
    assert_eq!(thrown_code(SocketClient::new(opts)), "NO_PLATFORM");
}

// ---------- send and the queue ----------

/// "send: false when queued (the queue is flushed in order on open, before open listeners run)."
#[wasm_bindgen_test]
fn queue_is_flushed_in_order_before_open_listeners_run() {
    let rig = Rig::new("{}");
    assert!(!rig.client.send(parse(r#"{"n":1}"#)).unwrap());
    assert!(!rig.client.send(parse(r#"{"n":2}"#)).unwrap());
    assert!(!rig.client.send_raw(JsValue::from_str("raw3")).unwrap());
    assert_eq!(rig.client.queued_count(), 3);
    assert_eq!(rig.client.buffered_amount(), 7.0 + 7.0 + 4.0);
    // An open listener sees the queue already sent.
    let seen = js_sys::Array::new();
    let task = rig.task();
    let seen2 = seen.clone();
    let task2 = task.clone();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |_p: JsValue| {
        seen2.push(&JsValue::from_f64(sent(&task2).length() as f64));
    });
    rig.client.on("open".into(), cb.as_ref().clone()).unwrap();
    rig.open();
    assert_eq!(rig.sent_json(), r#"["{\"n\":1}","{\"n\":2}","raw3"]"#);
    assert_eq!(json(&seen), "[3]", "three frames were sent before the open listener ran");
    assert_eq!(rig.client.queued_count(), 0);
    assert_eq!(rig.client.state(), "open");
    // Open: handed over at once.
    assert!(rig.client.send(parse(r#"{"n":4}"#)).unwrap());
    assert_eq!(sent(&rig.task()).length(), 4);
    let open = last_event(&rig.rec, "open");
    assert_eq!(json(&open), r#"{"header":{"x-server":"fake"},"attempt":0,"reconnected":false}"#);
    drop(cb);
}

/// "An ArrayBuffer or typed array goes out as a binary frame (typed arrays copied as their own bytes only)."
#[wasm_bindgen_test]
fn binary_frames_and_typed_arrays_send_their_own_bytes() {
    let rig = Rig::new("{}");
    rig.open();
    assert!(rig.client.send(bytes(vec![1, 2, 3])).unwrap());
    assert!(rig.client.send(subarray_of(vec![9, 8, 7, 6, 5], 1, 3)).unwrap());
    let s = sent(&rig.task());
    assert!(is_array_buffer(&s.get(0)) && is_array_buffer(&s.get(1)), "the task got ArrayBuffers, not views");
    assert_eq!(buffer_bytes(&s.get(0)), "1,2,3");
    assert_eq!(buffer_bytes(&s.get(1)), "8,7", "only the view's own bytes");
    assert_eq!(rig.client.stats().is_object(), true);
    assert_eq!(get(&rig.client.stats(), "bytesSent").as_f64(), Some(5.0));
}

/// "Throws SERIALIZE (undefined, function, symbol, BigInt, cycle); a throw queues nothing."
#[wasm_bindgen_test]
fn unserialisable_values_throw_serialize_and_queue_nothing() {
    let rig = Rig::new("{}");
    for v in [JsValue::UNDEFINED, a_function(), symbol(), bigint(), cyclic()] {
        assert_eq!(thrown_code(rig.client.send(v)), "SERIALIZE");
    }
    assert_eq!(rig.client.queued_count(), 0);
    // The text codec takes strings only.
    let text = Rig::new(r#"{"codec":"text"}"#);
    assert_eq!(thrown_code(text.client.send(parse(r#"{"a":1}"#))), "SERIALIZE");
    assert_eq!(text.client.send(JsValue::from_str("plain")).unwrap(), false);
    assert_eq!(thrown_code(rig.client.send_raw(parse("{}"))), "SERIALIZE");
}

/// "overflow: 'error' (send throws QUEUE_FULL), 'drop-oldest', 'drop-newest'."
#[wasm_bindgen_test]
fn queue_overflow_policies() {
    let err = Rig::new(r#"{"queue":{"maxMessages":2}}"#);
    err.client.send(JsValue::from_f64(1.0)).unwrap();
    err.client.send(JsValue::from_f64(2.0)).unwrap();
    assert_eq!(thrown_code(err.client.send(JsValue::from_f64(3.0))), "QUEUE_FULL");
    assert_eq!(err.client.queued_count(), 2);
    let old = Rig::new(r#"{"queue":{"maxMessages":2,"overflow":"drop-oldest"}}"#);
    for n in 1..=3 {
        old.client.send(JsValue::from_f64(n as f64)).unwrap();
    }
    old.open();
    assert_eq!(old.sent_json(), r#"["2","3"]"#);
    let new = Rig::new(r#"{"queue":{"maxBytes":2,"overflow":"drop-newest"}}"#);
    new.client.send(JsValue::from_f64(1.0)).unwrap();
    new.client.send(JsValue::from_f64(2.0)).unwrap();
    new.client.send(JsValue::from_f64(33.0)).unwrap();
    new.open();
    assert_eq!(new.sent_json(), r#"["1","2"]"#);
    assert_eq!(get(&new.client.stats(), "dropped").as_f64(), Some(1.0));
}

// ---------- message ----------

/// "message: decoded data; a text frame that is not valid JSON emits error DECODE with the raw text; the connection stays up."
#[wasm_bindgen_test]
fn messages_are_decoded_and_bad_json_is_a_decode_error() {
    let rig = Rig::new("{}");
    rig.open();
    server_message(&rig.task(), &JsValue::from_str(r#"{"hello":"世界 🌏"}"#));
    server_message(&rig.task(), &JsValue::from_str("{not json"));
    server_message(&rig.task(), &bytes(vec![0, 255]));
    assert_eq!(events_json(&rig.rec, "message").starts_with(r#"[{"hello":"世界 🌏"}"#), true);
    let msgs = js_sys::Array::from(&parse(&events_json(&rig.rec, "message")));
    assert_eq!(msgs.length(), 2, "the bad frame was not delivered as a message");
    let err = last_event(&rig.rec, "error");
    assert_eq!(get(&err, "code").as_string().unwrap(), "DECODE");
    assert_eq!(get(&err, "raw").as_string().unwrap(), "{not json");
    assert_eq!(rig.client.state(), "open");
    // The binary frame arrived as an ArrayBuffer.
    let last = js_sys::Array::from(&JsValue::from(js_sys::Array::new()));
    let _ = last;
    assert_eq!(get(&rig.client.stats(), "messagesReceived").as_f64(), Some(3.0));
}

/// "maxMessageBytes: larger inbound frames are dropped with error MESSAGE_TOO_LARGE, never decoded."
#[wasm_bindgen_test]
fn oversized_frames_are_dropped_unread() {
    let rig = Rig::new(r#"{"maxMessageBytes":8}"#);
    rig.open();
    server_message(&rig.task(), &JsValue::from_str(r#""0123456789""#));
    server_message(&rig.task(), &JsValue::from_str("1"));
    assert_eq!(events_json(&rig.rec, "message"), "[1]");
    assert_eq!(get(&last_event(&rig.rec, "error"), "code").as_string().unwrap(), "MESSAGE_TOO_LARGE");
    assert_eq!(rig.client.state(), "open");
}

/// "The text codec: message emits the raw string."
#[wasm_bindgen_test]
fn text_codec_delivers_strings() {
    let rig = Rig::new(r#"{"codec":"text"}"#);
    rig.open();
    server_message(&rig.task(), &JsValue::from_str("{not json"));
    assert_eq!(events_json(&rig.rec, "message"), r#"["{not json"]"#);
    assert_eq!(event_count(&rig.rec, "error"), 0);
}

// ---------- request ----------

/// "request: sets data[requestIdField] to a fresh id unless present, resolves with the first inbound message
/// carrying the same id (that reply is not emitted as message)."
#[wasm_bindgen_test]
async fn request_resolves_with_the_reply_which_is_not_a_message() {
    let rig = Rig::new("{}");
    rig.open();
    let data = parse(r#"{"op":"sum","args":[1,2]}"#);
    let p = rig.client.request(data.clone(), JsValue::UNDEFINED);
    let id = get(&data, "id");
    assert!(id.as_f64().is_some(), "a fresh numeric id was set");
    let sent_frame = sent(&rig.task()).get(0).as_string().unwrap();
    assert_eq!(get(&parse(&sent_frame), "id").as_f64(), id.as_f64());
    server_message(&rig.task(), &JsValue::from_str(r#"{"id":999,"other":true}"#));
    server_message(&rig.task(), &JsValue::from_str(&format!(r#"{{"id":{},"result":3}}"#, id.as_f64().unwrap())));
    let r = JsFuture::from(settle(&p)).await.unwrap();
    assert_eq!(json(&r), format!(r#"{{"ok":true,"value":{{"id":{},"result":3}}}}"#, id.as_f64().unwrap()));
    assert_eq!(events_json(&rig.rec, "message"), r#"[{"id":999,"other":true}]"#);
    // A custom field and a caller-chosen string id.
    let custom = Rig::new(r#"{"requestIdField":"rid"}"#);
    custom.open();
    let p = custom.client.request(parse(r#"{"rid":"abc"}"#), JsValue::UNDEFINED);
    server_message(&custom.task(), &JsValue::from_str(r#"{"rid":"abc","ok":1}"#));
    let r = JsFuture::from(settle(&p)).await.unwrap();
    assert_eq!(get(&r, "ok").as_bool(), Some(true));
}

/// "request ... Rejects TIMEOUT or CLOSED."
#[wasm_bindgen_test]
async fn request_times_out_and_close_rejects_pending() {
    let rig = Rig::new("{}");
    rig.open();
    let p = rig.client.request(parse("{}"), parse(r#"{"timeoutMs":30}"#));
    let r = JsFuture::from(settle(&p)).await.unwrap();
    assert_eq!(get(&r, "code").as_string().unwrap(), "TIMEOUT");
    assert_eq!(get(&r, "name").as_string().unwrap(), "WxSocketError");
    let p2 = rig.client.request(parse("{}"), JsValue::UNDEFINED);
    rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let r2 = JsFuture::from(settle(&p2)).await.unwrap();
    assert_eq!(get(&r2, "code").as_string().unwrap(), "CLOSED");
    let p3 = rig.client.request(parse("{}"), JsValue::UNDEFINED);
    let r3 = JsFuture::from(settle(&p3)).await.unwrap();
    assert_eq!(get(&r3, "code").as_string().unwrap(), "CLOSED", "request after close()");
}

/// "If the connection drops before the reply, the request is sent again once the client is open again (at-least-once)."
#[wasm_bindgen_test]
async fn request_in_flight_is_resent_after_reconnect() {
    let rig = Rig::new(r#"{"reconnect":{"minDelayMs":5,"maxDelayMs":5,"jitter":0}}"#);
    rig.open();
    let p = rig.client.request(parse(r#"{"q":1}"#), JsValue::UNDEFINED);
    let first = rig.task();
    server_close(&first, 1006, "gone");
    wait(30).await;
    assert_eq!(task_count(&rig.ctrl), 2, "reconnected");
    rig.open();
    let resent = sent(&rig.task());
    assert_eq!(resent.length(), 1);
    let frame = parse(&resent.get(0).as_string().unwrap());
    server_message(&rig.task(), &JsValue::from_str(&format!(r#"{{"id":{},"a":2}}"#, get(&frame, "id").as_f64().unwrap())));
    let r = JsFuture::from(settle(&p)).await.unwrap();
    assert_eq!(get(&r, "ok").as_bool(), Some(true));
}

// ---------- close ----------

/// "close(code = 1000, reason = ''): final and idempotent ... emits exactly one close event before it returns."
#[wasm_bindgen_test]
fn close_is_final_idempotent_and_emits_one_close_event() {
    let rig = Rig::new("{}");
    rig.open();
    rig.client.close(JsValue::from_f64(4000.0), JsValue::from_str("bye")).unwrap();
    assert_eq!(rig.client.state(), "closed");
    assert_eq!(event_count(&rig.rec, "close"), 1);
    assert_eq!(json(&last_event(&rig.rec, "close")), r#"{"code":4000,"reason":"bye","willReconnect":false,"delayMs":null}"#);
    assert_eq!(json(&close_calls(&rig.task())), r#"[{"code":4000,"reason":"bye","ok":true}]"#);
    rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(event_count(&rig.rec, "close"), 1, "idempotent");
    assert_eq!(thrown_code(rig.client.send(JsValue::from_f64(1.0))), "CLOSED");
    assert_eq!(task_count(&rig.ctrl), 1, "no reconnect after close()");
}

/// "Throws INVALID_CLOSE_CODE (only 1000 and 3000–4999) or REASON_TOO_LONG (over 123 UTF-8 bytes)."
#[wasm_bindgen_test]
fn close_checks_code_and_reason() {
    let rig = Rig::new("{}");
    rig.open();
    for code in [999.0, 1001.0, 1006.0, 2999.0, 5000.0, 3000.5, -1.0, 70000.0] {
        assert_eq!(thrown_code(rig.client.close(JsValue::from_f64(code), JsValue::UNDEFINED)), "INVALID_CLOSE_CODE", "code {code}");
    }
    let long = "é".repeat(62); // 124 bytes
    assert_eq!(thrown_code(rig.client.close(JsValue::UNDEFINED, JsValue::from_str(&long))), "REASON_TOO_LONG");
    assert_eq!(rig.client.state(), "open", "a refused close changes nothing");
    rig.client.close(JsValue::from_f64(1000.0), JsValue::from_str(&"é".repeat(61))).unwrap();
    assert_eq!(rig.client.state(), "closed");
}

// ---------- reconnect and backoff ----------

/// "close event: willReconnect, delayMs, after the next attempt has been scheduled"; backoff retries.
#[wasm_bindgen_test]
async fn server_close_reconnects_with_backoff() {
    let rig = Rig::new(r#"{"reconnect":{"minDelayMs":10,"maxDelayMs":40,"factor":2,"jitter":0}}"#);
    rig.open();
    server_close(&rig.task(), 1001, "going away");
    assert_eq!(rig.client.state(), "waiting");
    assert_eq!(json(&last_event(&rig.rec, "close")), r#"{"code":1001,"reason":"going away","willReconnect":true,"delayMs":10}"#);
    assert_eq!(json(&last_event(&rig.rec, "reconnecting")), r#"{"attempt":1,"delayMs":10}"#);
    assert_eq!(rig.client.retry_count(), 1);
    wait(30).await;
    assert_eq!(task_count(&rig.ctrl), 2);
    server_error(&rig.task(), "connectSocket:fail refused");
    // Retry 2's delay (20) counts from the start of the attempt that failed (docs/contract.md,
    // Reconnecting), which began about 20 ms before this failure: what is left of it, at most 20.
    let reconnecting = last_event(&rig.rec, "reconnecting");
    assert_eq!(get(&reconnecting, "attempt").as_f64(), Some(2.0));
    let left = get(&reconnecting, "delayMs").as_f64().unwrap();
    assert!((0.0..=20.0).contains(&left), "{left}");
    let err = last_event(&rig.rec, "error");
    assert_eq!(get(&err, "code").as_string().unwrap(), "CONNECT_FAILED");
    assert_eq!(get(&err, "errMsg").as_string().unwrap(), "connectSocket:fail refused");
    wait(40).await;
    rig.open();
    let open = last_event(&rig.rec, "open");
    assert_eq!(get(&open, "reconnected").as_bool(), Some(true));
    assert_eq!(get(&open, "attempt").as_f64(), Some(2.0));
    assert_eq!(get(&rig.client.stats(), "reconnects").as_f64(), Some(1.0));
}

/// "shouldReconnect returning false after a server close stops retrying (the client goes to closed)."
#[wasm_bindgen_test]
async fn should_reconnect_false_stops_on_a_chosen_code() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let opts = options(&fake_wx(&ctrl), r#"{"reconnect":{"minDelayMs":5,"jitter":0}}"#);
    let f = Closure::<dyn FnMut(JsValue) -> bool>::new(|c: JsValue| get(&c, "code").as_f64() != Some(4001.0));
    set_path(&opts, "reconnect.shouldReconnect", f.as_ref());
    let client = SocketClient::new(opts).unwrap();
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    server_close(&last_task(&ctrl), 4001, "unauthorised");
    assert_eq!(client.state(), "closed");
    wait(30).await;
    assert_eq!(task_count(&ctrl), 1, "no further attempt");
    drop(f);
}

/// "maxRetries: N allows N retries after the first attempt; then closed (error RETRIES_EXHAUSTED). reconnect() revives it."
#[wasm_bindgen_test]
async fn max_retries_then_exhausted_then_reconnect_revives() {
    let rig = Rig::new(r#"{"reconnect":{"minDelayMs":2,"maxDelayMs":2,"jitter":0,"maxRetries":2}}"#);
    for _ in 0..3 {
        server_error(&rig.task(), "connectSocket:fail refused");
        wait(15).await;
    }
    assert_eq!(task_count(&rig.ctrl), 3, "first attempt + 2 retries");
    assert_eq!(rig.client.state(), "closed");
    assert!(events_json(&rig.rec, "error").contains("RETRIES_EXHAUSTED"));
    rig.client.reconnect();
    assert_eq!(task_count(&rig.ctrl), 4);
    assert_eq!(rig.client.retry_count(), 0);
    rig.open();
    assert_eq!(rig.client.state(), "open");
}

/// "connectTimeoutMs: an attempt not open by then is abandoned (error CONNECT_TIMEOUT) and retried."
#[wasm_bindgen_test]
async fn connect_timeout_abandons_and_retries() {
    let rig = Rig::new(r#"{"connectTimeoutMs":20,"reconnect":{"minDelayMs":5,"maxDelayMs":5,"jitter":0}}"#);
    let first = rig.task();
    assert!(eventually(|| task_count(&rig.ctrl) >= 2, 3000).await, "a second attempt");
    assert!(events_json(&rig.rec, "error").contains("CONNECT_TIMEOUT"));
    assert_eq!(close_calls(&first).length(), 1, "the abandoned task was closed");
    // The abandoned task opening late changes nothing.
    fire_late(&first, "open", &parse(r#"{"header":{}}"#));
    assert_ne!(rig.client.state(), "open");
}

/// "reconnect(): closes the current task (1000, 'reconnect') if any, resets retryCount to 0, and connects now."
#[wasm_bindgen_test]
fn reconnect_closes_the_current_task_and_connects_now() {
    let rig = Rig::new("{}");
    rig.open();
    let first = rig.task();
    rig.client.reconnect();
    assert_eq!(json(&close_calls(&first)), r#"[{"code":1000,"reason":"reconnect","ok":true}]"#);
    assert_eq!(task_count(&rig.ctrl), 2);
    assert_eq!(rig.client.state(), "connecting");
}

/// Late callbacks of an old task (SocketTask has no off*) are no-ops.
#[wasm_bindgen_test]
fn late_callbacks_from_an_old_task_do_nothing() {
    let rig = Rig::new("{}");
    rig.open();
    let first = rig.task();
    rig.client.reconnect();
    let before = rig.events();
    fire_late(&first, "message", &parse(r#"{"data":"\"late\""}"#));
    fire_late(&first, "close", &parse(r#"{"code":1006,"reason":"late"}"#));
    fire_late(&first, "error", &parse(r#"{"errMsg":"late"}"#));
    fire_late(&first, "open", &parse(r#"{"header":{}}"#));
    assert_eq!(rig.events(), before, "no event came from the old task");
    assert_eq!(rig.client.state(), "connecting");
}

/// Waits until `pred` holds, checking every 5 ms, for at most `ms`: whether it came to hold. For what a timer
/// brings about, so that a loaded machine's late timers make a test slower, never wrong.
async fn eventually(pred: impl Fn() -> bool, ms: u32) -> bool {
    let mut waited = 0;
    while !pred() {
        if waited >= ms {
            return false;
        }
        wait(5).await;
        waited += 5;
    }
    true
}

// ---------- heartbeat ----------

/// "If no pong arrives within timeoutMs, the connection is dead: error HEARTBEAT_TIMEOUT, the task is closed and the client reconnects."
#[wasm_bindgen_test]
async fn heartbeat_timeout_closes_and_reconnects() {
    let rig = Rig::new(r#"{"heartbeat":{"intervalMs":20,"timeoutMs":20},"reconnect":{"minDelayMs":5,"maxDelayMs":5,"jitter":0}}"#);
    rig.open();
    let first = rig.task();
    assert!(eventually(|| sent(&first).length() > 0, 3000).await, "a ping after intervalMs");
    assert_eq!(json(&sent(&first)), r#"["ping"]"#);
    assert!(eventually(|| events_json(&rig.rec, "error").contains("HEARTBEAT_TIMEOUT"), 3000).await, "HEARTBEAT_TIMEOUT");
    assert_eq!(close_calls(&first).length(), 1);
    assert!(eventually(|| task_count(&rig.ctrl) >= 2, 3000).await, "reconnected");
}

/// "A frame is a pong when its text equals pong ... Pongs are not delivered as message"; any frame postpones the next ping.
#[wasm_bindgen_test]
async fn pongs_are_swallowed_and_frames_postpone_pings() {
    // Times with room for a loaded machine: a frame every 50 ms for 400 ms against a 300 ms interval, and the
    // ping awaited (not expected at a set time); what is checked is that it never came early.
    let rig = Rig::new(r#"{"heartbeat":{"intervalMs":300,"timeoutMs":2000}}"#);
    rig.open();
    for _ in 0..8 {
        wait(50).await;
        server_message(&rig.task(), &JsValue::from_str("1"));
    }
    let last_frame = now_ms();
    assert_eq!(sent(&rig.task()).length(), 0, "inbound frames postponed every ping");
    eventually(|| sent(&rig.task()).length() > 0, 3000).await;
    let pinged_after = now_ms() - last_frame;
    assert_eq!(rig.sent_json(), r#"["ping"]"#, "a ping once the frames stopped");
    assert!(pinged_after >= 290.0, "the ping came {pinged_after} ms after the last frame, before intervalMs");
    server_message(&rig.task(), &JsValue::from_str("pong"));
    assert_eq!(events_json(&rig.rec, "message"), "[1,1,1,1,1,1,1,1]", "the pong was not delivered");
    assert!(get(&rig.client.stats(), "lastRttMs").as_f64().is_some());
    // isPong on decoded data.
    let custom = Rig::new(r#"{"heartbeat":{"intervalMs":1000,"message":{"type":"ping"}}}"#);
    let _ = custom;
}

/// "When the app returns to the foreground, a heartbeat-enabled client pings at once."
#[wasm_bindgen_test]
fn app_show_pings_at_once() {
    let rig = Rig::new(r#"{"heartbeat":{"intervalMs":60000,"message":{"type":"ping"}}}"#);
    rig.open();
    hide(&rig.ctrl);
    show(&rig.ctrl);
    assert_eq!(rig.sent_json(), r#"["{\"type\":\"ping\"}"]"#, "non-string ping goes out as JSON");
    let plain = Rig::new("{}");
    plain.open();
    show(&plain.ctrl);
    assert_eq!(sent(&plain.task()).length(), 0, "no heartbeat, no ping");
}

// ---------- lifecycle ----------

/// "While the platform reports no network, no attempts are spent; when it reports the network back, the client connects at once."
#[wasm_bindgen_test]
async fn network_off_spends_no_attempts_and_back_connects_at_once() {
    let rig = Rig::new(r#"{"reconnect":{"minDelayMs":5,"maxDelayMs":5,"jitter":0}}"#);
    rig.open();
    set_network(&rig.ctrl, false, &JsValue::UNDEFINED);
    server_close(&rig.task(), 1006, "network lost");
    wait(40).await;
    assert_eq!(task_count(&rig.ctrl), 1, "no attempt while offline");
    assert_eq!(rig.client.state(), "waiting");
    set_network(&rig.ctrl, true, &JsValue::UNDEFINED);
    assert_eq!(task_count(&rig.ctrl), 2, "connected at once");
}

/// "lifecycle ... removed again with their off* functions when the client is closed."
#[wasm_bindgen_test]
fn close_removes_lifecycle_listeners_and_reconnect_restores_them() {
    let rig = Rig::new("{}");
    assert_eq!(json(&listener_counts(&rig.ctrl)), r#"{"appHide":1,"appShow":1,"networkStatusChange":1}"#);
    rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&listener_counts(&rig.ctrl)), r#"{"appHide":0,"appShow":0,"networkStatusChange":0}"#);
    rig.client.reconnect();
    assert_eq!(json(&listener_counts(&rig.ctrl)), r#"{"appHide":1,"appShow":1,"networkStatusChange":1}"#);
    let off = Rig::new(r#"{"lifecycle":false}"#);
    assert_eq!(json(&listener_counts(&off.ctrl)), r#"{"appHide":0,"appShow":0,"networkStatusChange":0}"#);
}

// ---------- platform limits ----------

/// The 6th simultaneous client on a 5-socket platform gets a clear error; the others keep working.
#[wasm_bindgen_test]
async fn sixth_client_gets_connect_failed_and_others_work() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let mut rigs = Vec::new();
    for _ in 0..5 {
        let r = Rig::on(ctrl.clone(), r#"{"reconnect":{"minDelayMs":1000,"jitter":0}}"#);
        server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
        rigs.push(r);
    }
    let sixth = Rig::on(ctrl.clone(), r#"{"reconnect":{"minDelayMs":1000,"jitter":0}}"#);
    wait(20).await;
    let err = events_json(&sixth.rec, "error");
    assert!(err.contains("CONNECT_FAILED") && err.contains("reach max websocket connect count 5"), "{err}");
    assert_eq!(sixth.client.state(), "waiting");
    for (i, r) in rigs.iter().enumerate() {
        assert_eq!(r.client.state(), "open");
        assert!(r.client.send(JsValue::from_f64(i as f64)).unwrap());
    }
    assert_eq!(live_count(&ctrl), 5);
    let _ = task_at(&ctrl, 0);
}

// ---------- listeners, logger ----------

/// "A listener that throws does not break the client or the other listeners."
#[wasm_bindgen_test]
fn a_throwing_listener_does_not_break_others() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let opts = options(&fake_wx(&ctrl), "{}");
    let sink = log_sink();
    set_path(&opts, "logger", &sink);
    let client = SocketClient::new(opts).unwrap();
    client.on("message".into(), throwing_listener()).unwrap();
    let rec = recorder();
    client.on("message".into(), listener(&rec, "message")).unwrap();
    server_open(&last_task(&ctrl), &JsValue::UNDEFINED);
    server_message(&last_task(&ctrl), &JsValue::from_str("7"));
    server_message(&last_task(&ctrl), &JsValue::from_str("8"));
    assert_eq!(events_json(&rec, "message"), "[7,8]");
    assert!(log_lines(&sink).contains("a listener threw"));
    assert!(client.send(JsValue::from_f64(1.0)).unwrap());
    // on() returns an unsubscribe function; once() fires once.
    let rec2 = recorder();
    let unsub: js_sys::Function = client.on("message".into(), listener(&rec2, "m")).unwrap().into();
    let rec3 = recorder();
    client.once("message".into(), listener(&rec3, "m")).unwrap();
    server_message(&last_task(&ctrl), &JsValue::from_str("9"));
    unsub.call0(&JsValue::NULL).unwrap();
    server_message(&last_task(&ctrl), &JsValue::from_str("10"));
    assert_eq!(events_json(&rec2, "m"), "[9]");
    assert_eq!(events_json(&rec3, "m"), "[9]");
    assert_eq!(thrown_code(client.on("nope".into(), listener(&rec, "x"))), "INVALID_OPTION");
}

/// "logger: never receives header values or the URL's query string."
#[wasm_bindgen_test]
async fn logger_never_sees_secrets() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let opts = options(
        &fake_wx(&ctrl),
        r#"{"url":"ws://127.0.0.1:1/ws?token=SECRET-Q","header":{"Authorization":"Bearer SECRET-H","Cookie":"sid=SECRET-C"},"reconnect":{"minDelayMs":1,"jitter":0},"heartbeat":{"intervalMs":5,"timeoutMs":5}}"#,
    );
    let sink = log_sink();
    set_path(&opts, "logger", &sink);
    set_path(&opts, "typoOption", &JsValue::TRUE);
    let client = SocketClient::new(opts).unwrap();
    let rec = recorder();
    client.on("error".into(), listener(&rec, "error")).unwrap();
    server_open(&last_task(&ctrl), &parse(r#"{"Set-Cookie":"SECRET-S"}"#));
    server_message(&last_task(&ctrl), &JsValue::from_str("{bad"));
    wait(30).await;
    server_error(&last_task(&ctrl), "connectSocket:fail");
    client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    let lines = log_lines(&sink);
    assert!(lines.contains("open") && lines.contains("typoOption"), "the logger was used: {lines}");
    assert!(lines.contains("ws://127.0.0.1:1/ws?…"), "the URL is shown without its query: {lines}");
    for secret in ["SECRET-Q", "SECRET-H", "SECRET-C", "SECRET-S"] {
        assert!(!lines.contains(secret), "{secret} leaked into the log: {lines}");
        assert!(!events_json(&rec, "error").contains(secret), "{secret} leaked into an error event");
    }
}

// ---------- url function ----------

/// "url: a function is called before every attempt (fresh auth tokens)", also returning a promise.
#[wasm_bindgen_test]
async fn url_function_is_called_before_every_attempt() {
    let ctrl = fake_new(&JsValue::UNDEFINED);
    let opts = options(&fake_wx(&ctrl), r#"{"reconnect":{"minDelayMs":2,"maxDelayMs":2,"jitter":0}}"#);
    let f = url_function("ws://127.0.0.1:7/a");
    set_path(&opts, "url", &f);
    let client = SocketClient::new(opts).unwrap();
    server_error(&last_task(&ctrl), "refused");
    wait(20).await;
    assert_eq!(task_count(&ctrl), 2);
    let calls: js_sys::Function = get(&f, "calls").into();
    assert_eq!(calls.call0(&JsValue::NULL).unwrap().as_f64(), Some(2.0));
    assert_eq!(client.url(), "ws://127.0.0.1:7/a");
    let ctrl2 = fake_new(&JsValue::UNDEFINED);
    let opts2 = options(&fake_wx(&ctrl2), "{}");
    set_path(&opts2, "url", &async_url_function("ws://127.0.0.1:7/b"));
    let _client2 = SocketClient::new(opts2).unwrap();
    wait(5).await;
    assert_eq!(get(&task_options(&last_task(&ctrl2)), "url").as_string().unwrap(), "ws://127.0.0.1:7/b");
    // A function returning an insecure URL fails the attempt with the reason, and is retried.
    let ctrl3 = fake_new(&JsValue::UNDEFINED);
    let opts3 = options(&fake_wx(&ctrl3), r#"{"reconnect":{"minDelayMs":1000}}"#);
    set_path(&opts3, "url", &url_function("ws://example.com/"));
    let client3 = SocketClient::new(opts3).unwrap();
    let rec = recorder();
    client3.on("error".into(), listener(&rec, "error")).unwrap();
    assert_eq!(task_count(&ctrl3), 0);
    assert_eq!(client3.state(), "waiting");
}

// ---------- memory ----------

/// 10,000 connect/close cycles must not grow wasm memory after warm-up.
#[wasm_bindgen_test]
fn ten_thousand_connect_close_cycles_do_not_grow_memory() {
    let ctrl = fake_new(&parse(r#"{"autoClose":true}"#));
    let wx = fake_wx(&ctrl);
    let cycle = |i: u32| {
        let opts = options(&wx, r#"{"heartbeat":true}"#);
        let client = SocketClient::new(opts).unwrap();
        let rec = recorder();
        client.on("message".into(), listener(&rec, "m")).unwrap();
        let t = last_task(&ctrl);
        server_open(&t, &JsValue::UNDEFINED);
        client.send(JsValue::from_f64(i as f64)).unwrap();
        server_message(&t, &JsValue::from_str("{\"k\":1}"));
        client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
        server_close(&t, 1000, "");
        drop(client);
    };
    for i in 0..1000 {
        cycle(i);
    }
    let memory = wasm_bindgen::memory();
    let before = memory_bytes(&memory);
    for i in 0..10_000 {
        cycle(i);
    }
    let after = memory_bytes(&memory);
    web_sys_log(&format!("memory: {before} bytes after 1,000 warm-up cycles, {after} after 10,000 more"));
    assert_eq!(after, before, "wasm memory grew across 10,000 connect/close cycles");
    assert_eq!(live_count(&ctrl), 0, "every task was closed");
}

fn web_sys_log(s: &str) {
    wasm_bindgen_test::console_log!("{}", s);
}

/// "bufferedAmount (UTF-8 bytes queued)" and "maxMessageBytes" are exact for non-ASCII text, although
/// the hot path counts text by its length.
#[wasm_bindgen_test]
fn byte_bounds_are_exact_utf8_for_non_ascii_text() {
    let rig = Rig::new(r#"{"codec":"text","maxMessageBytes":8}"#);
    rig.client.send(JsValue::from_str("世界")).unwrap();
    rig.client.send(JsValue::from_str("🌏a")).unwrap();
    assert_eq!(rig.client.buffered_amount(), 6.0 + 5.0);
    rig.open();
    server_message(&rig.task(), &JsValue::from_str("世界世")); // 3 units, 9 bytes: over 8
    server_message(&rig.task(), &JsValue::from_str("世界")); // 6 bytes: fits
    server_message(&rig.task(), &JsValue::from_str("123456789")); // 9 bytes: over 8
    assert_eq!(events_json(&rig.rec, "message"), r#"["世界"]"#);
    assert_eq!(event_count(&rig.rec, "error"), 2);
}
