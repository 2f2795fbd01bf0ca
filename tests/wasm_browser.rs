//! The JS class in headless Chromium against the real fault-injecting test server on 127.0.0.1
//! (tests/server/server.js, started by the test command; its URLs arrive at build time in
//! WXSOCKET_TEST_SERVER and WXSOCKET_CONTROL).
//!
//! Covers, through the browser's `WebSocket` and through a `wx` built on it
//! (wxOverWebSocket in tests/support/wx_sockets.js): echo of JSON and binary frames, request/response, reconnect
//! after the server kills the connection, messages sent during an outage arriving after reconnect in
//! order, and a heartbeat timeout against a server that stalls.
#![cfg(target_arch = "wasm32")]

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wxsocket::SocketClient;

#[path = "support/js_imports.rs"]
mod js_imports;
use js_imports::*;

wasm_bindgen_test_configure!(run_in_browser);

const SERVER: Option<&str> = option_env!("WXSOCKET_TEST_SERVER");
const CONTROL: Option<&str> = option_env!("WXSOCKET_CONTROL");

fn server() -> &'static str {
    SERVER.expect("WXSOCKET_TEST_SERVER must be set when building the browser tests (the test command does)")
}

async fn ctl(path: &str) -> JsValue {
    let base = CONTROL.expect("WXSOCKET_CONTROL must be set when building the browser tests");
    JsFuture::from(control(base, path)).await.expect("control request")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The two ways a page reaches the socket: the browser's WebSocket, and a wx built on it.
fn platforms() -> Vec<(&'static str, JsValue)> {
    let ws = global_websocket();
    let wx = get(&wx_over_websocket(&ws), "wx");
    vec![("WebSocket", ws), ("wx over WebSocket", wx)]
}

/// The scenarios share one server whose faults hit every connection, and wasm-bindgen-test runs async
/// tests concurrently: so they run here one after another, each starting from a reset server.
#[wasm_bindgen_test]
async fn scenarios_against_the_real_server() {
    echo_of_json_and_binary_frames().await;
    request_response_against_the_server().await;
    reconnect_after_kill_and_queued_messages_arrive_in_order().await;
    heartbeat_finds_a_stalled_server().await;
}

struct Rig {
    client: SocketClient,
    rec: JsValue,
}

impl Rig {
    fn new(platform: &JsValue, json_opts: &str) -> Rig {
        let opts = options(platform, json_opts);
        Reflect::set(&opts, &"url".into(), &JsValue::from_str(&format!("{}/ws", server()))).unwrap();
        let client = SocketClient::new(opts).expect("valid options");
        let rec = recorder();
        for ev in ["open", "message", "close", "reconnecting", "error", "state"] {
            client.on(ev.into(), listener(&rec, ev)).unwrap();
        }
        Rig { client, rec }
    }

    async fn until_count(&self, event: &str, n: u32, ms: u32) {
        let start = now_ms();
        while event_count(&self.rec, event) < n {
            assert!(now_ms() - start < ms as f64, "waited {ms} ms for {n} {event} events; saw {}", events_json(&self.rec, event));
            wait(5).await;
        }
    }
}

async fn echo_of_json_and_binary_frames() {
    ctl("/reset?kill=1").await;
    for (name, platform) in platforms() {
        let rig = Rig::new(&platform, "{}");
        assert!(!rig.client.send(parse(r#"{"hello":"世界 🌏","n":[1,2,3]}"#)).unwrap(), "{name}: queued before open");
        rig.until_count("open", 1, 3000).await;
        assert!(rig.client.send(bytes(vec![0, 1, 254, 255])).unwrap());
        rig.until_count("message", 2, 3000).await;
        let json_msgs = events_json(&rig.rec, "message");
        assert!(json_msgs.starts_with(r#"[{"hello":"世界 🌏","n":[1,2,3]}"#), "{name}: {json_msgs}");
        rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
        assert_eq!(rig.client.state(), "closed");
    }
    // The binary echo arrives as an ArrayBuffer with the same bytes.
    let ws = global_websocket();
    let rig = Rig::new(&ws, "{}");
    rig.until_count("open", 1, 3000).await;
    let got = js_sys::Array::new();
    let got2 = got.clone();
    let cb = Closure::<dyn FnMut(JsValue)>::new(move |m: JsValue| {
        got2.push(&m);
    });
    rig.client.on("message".into(), cb.as_ref().clone()).unwrap();
    rig.client.send(bytes(vec![9, 8, 7])).unwrap();
    rig.until_count("message", 1, 3000).await;
    assert!(is_array_buffer(&got.get(0)));
    assert_eq!(buffer_bytes(&got.get(0)), "9,8,7");
    rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
}

async fn request_response_against_the_server() {
    ctl("/reset?kill=1").await;
    for (name, platform) in platforms() {
        let rig = Rig::new(&platform, "{}");
        let p = rig.client.request(parse(r#"{"method":"add","params":[2,3]}"#), JsValue::UNDEFINED);
        let r = JsFuture::from(settle(&p)).await.unwrap();
        assert_eq!(get(&r, "ok").as_bool(), Some(true), "{name}: {}", json(&r));
        assert_eq!(json(&get(&get(&r, "value"), "result")), r#"{"method":"add","params":[2,3]}"#, "{name}");
        assert_eq!(event_count(&rig.rec, "message"), 0, "{name}: the reply was not a message");
        rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    }
}

async fn reconnect_after_kill_and_queued_messages_arrive_in_order() {
    ctl("/reset?kill=1").await;
    for (name, platform) in platforms() {
        ctl("/reset?kill=1").await;
        let rig = Rig::new(&platform, r#"{"reconnect":{"minDelayMs":50,"maxDelayMs":50,"jitter":0}}"#);
        rig.until_count("open", 1, 3000).await;
        ctl("/refuse?ms=300").await;
        ctl("/kill").await;
        rig.until_count("close", 1, 3000).await;
        for i in 0..20 {
            assert!(!rig.client.send(JsValue::from_f64(i as f64)).unwrap(), "{name}: queued during the outage");
        }
        rig.until_count("open", 2, 5000).await;
        // The frames were handed over before `open` was emitted; wait until the server has read them.
        let start = now_ms();
        let frames: Vec<String> = loop {
            let log = ctl("/log").await;
            let conns = js_sys::Array::from(&get(&log, "connections"));
            let last = conns.get(conns.length() - 1);
            let frames: Vec<String> =
                js_sys::Array::from(&get(&last, "frames")).iter().map(|f| get(&f, "data").as_string().unwrap_or_default()).collect();
            if frames.len() >= 20 || now_ms() - start > 3000.0 {
                break frames;
            }
            wait(20).await;
        };
        let want: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        assert_eq!(frames, want, "{name}: every queued message arrived once, in order");
        let close = parse(&events_json(&rig.rec, "close"));
        assert_eq!(get(&js_sys::Array::from(&close).get(0), "willReconnect").as_bool(), Some(true));
        assert!(event_count(&rig.rec, "reconnecting") >= 1);
        rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    }
}

async fn heartbeat_finds_a_stalled_server() {
    for (name, platform) in platforms() {
        ctl("/reset?kill=1").await;
        let rig = Rig::new(&platform, r#"{"heartbeat":{"intervalMs":100,"timeoutMs":100},"reconnect":{"minDelayMs":20,"maxDelayMs":20,"jitter":0}}"#);
        rig.until_count("open", 1, 3000).await;
        // A healthy server answers pings: no timeout over several intervals.
        wait(350).await;
        assert!(!events_json(&rig.rec, "error").contains("HEARTBEAT_TIMEOUT"), "{name}: pongs kept it alive");
        ctl("/stall?new=1").await;
        let stalled_at = now_ms();
        rig.until_count("close", 1, 3000).await;
        let detected = now_ms() - stalled_at;
        assert!(events_json(&rig.rec, "error").contains("HEARTBEAT_TIMEOUT"), "{name}");
        // intervalMs + timeoutMs, plus slack for a shared machine.
        assert!(detected <= 200.0 + 1000.0, "{name}: detected after {detected} ms");
        wasm_bindgen_test::console_log!("{}: stall detected after {} ms (interval 100 + timeout 100)", name, detected);
        ctl("/unstall").await;
        rig.until_count("open", 2, 5000).await;
        rig.client.close(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    }
    ctl("/reset?kill=1").await;
}
