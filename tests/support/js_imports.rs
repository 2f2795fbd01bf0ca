//! The JS side of the wasm-bindgen-test suites (wasm_node, wasm_client, wasm_browser), declared once:
//! the `wx` stand-ins of tests/support/wx_sockets.js (the scripted fake's `fake*` functions and
//! `wxOverWebSocket`) and the helpers of tests/support/wasm_helpers.js. Each suite includes it with
//! `#[path = "support/js_imports.rs"] mod js_imports;` and uses what it needs.
#![allow(dead_code)]

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/support/wx_sockets.js")]
extern "C" {
    #[wasm_bindgen(js_name = fakeWxNew)]
    pub fn fake_new(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeWx)]
    pub fn fake_wx(ctrl: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeLastTask)]
    pub fn last_task(ctrl: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeTask)]
    pub fn task_at(ctrl: &JsValue, index: u32) -> JsValue;
    #[wasm_bindgen(js_name = fakeTaskCount)]
    pub fn task_count(ctrl: &JsValue) -> u32;
    #[wasm_bindgen(js_name = fakeLiveCount)]
    pub fn live_count(ctrl: &JsValue) -> u32;
    #[wasm_bindgen(js_name = fakeServerOpen)]
    pub fn server_open(task: &JsValue, header: &JsValue);
    #[wasm_bindgen(js_name = fakeServerMessage)]
    pub fn server_message(task: &JsValue, data: &JsValue);
    #[wasm_bindgen(js_name = fakeServerClose)]
    pub fn server_close(task: &JsValue, code: u32, reason: &str);
    #[wasm_bindgen(js_name = fakeServerError)]
    pub fn server_error(task: &JsValue, msg: &str);
    #[wasm_bindgen(js_name = fakeFireLate)]
    pub fn fire_late(task: &JsValue, kind: &str, payload: &JsValue);
    #[wasm_bindgen(js_name = fakeSent)]
    pub fn sent(task: &JsValue) -> js_sys::Array;
    #[wasm_bindgen(js_name = fakeCloseCalls)]
    pub fn close_calls(task: &JsValue) -> js_sys::Array;
    #[wasm_bindgen(js_name = fakeTaskOptions)]
    pub fn task_options(task: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeTaskState)]
    pub fn task_state(task: &JsValue) -> String;
    #[wasm_bindgen(js_name = fakeHide)]
    pub fn hide(ctrl: &JsValue);
    #[wasm_bindgen(js_name = fakeShow)]
    pub fn show(ctrl: &JsValue);
    #[wasm_bindgen(js_name = fakeSetNetwork)]
    pub fn set_network(ctrl: &JsValue, connected: bool, kind: &JsValue);
    #[wasm_bindgen(js_name = fakeListenerCounts)]
    pub fn listener_counts(ctrl: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = wxOverWebSocket)]
    pub fn wx_over_websocket(ctor: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/tests/support/wasm_helpers.js")]
extern "C" {
    pub fn options(platform: &JsValue, json: &str) -> JsValue;
    #[wasm_bindgen(js_name = setPath)]
    pub fn set_path(obj: &JsValue, path: &str, value: &JsValue) -> JsValue;
    pub fn recorder() -> JsValue;
    pub fn listener(rec: &JsValue, name: &str) -> JsValue;
    #[wasm_bindgen(js_name = throwingListener)]
    pub fn throwing_listener() -> JsValue;
    #[wasm_bindgen(js_name = eventNames)]
    pub fn event_names(rec: &JsValue) -> String;
    #[wasm_bindgen(js_name = eventsJson)]
    pub fn events_json(rec: &JsValue, name: &str) -> String;
    #[wasm_bindgen(js_name = eventCount)]
    pub fn event_count(rec: &JsValue, name: &str) -> u32;
    #[wasm_bindgen(js_name = lastEvent)]
    pub fn last_event(rec: &JsValue, name: &str) -> JsValue;
    pub fn json(v: &JsValue) -> String;
    pub fn parse(s: &str) -> JsValue;
    pub fn sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = errorCode)]
    pub fn error_code(e: &JsValue) -> String;
    #[wasm_bindgen(js_name = errorName)]
    pub fn error_name(e: &JsValue) -> String;
    #[wasm_bindgen(js_name = errorMessage)]
    pub fn error_message(e: &JsValue) -> String;
    pub fn settle(p: &js_sys::Promise) -> js_sys::Promise;
    pub fn bytes(list: Vec<u8>) -> JsValue;
    #[wasm_bindgen(js_name = subarrayOf)]
    pub fn subarray_of(list: Vec<u8>, start: u32, end: u32) -> JsValue;
    #[wasm_bindgen(js_name = bufferBytes)]
    pub fn buffer_bytes(buf: &JsValue) -> String;
    #[wasm_bindgen(js_name = isArrayBuffer)]
    pub fn is_array_buffer(x: &JsValue) -> bool;
    pub fn cyclic() -> JsValue;
    pub fn bigint() -> JsValue;
    pub fn symbol() -> JsValue;
    #[wasm_bindgen(js_name = fn)]
    pub fn a_function() -> JsValue;
    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes(memory: &JsValue) -> f64;
    #[wasm_bindgen(js_name = urlFunction)]
    pub fn url_function(url: &str) -> JsValue;
    #[wasm_bindgen(js_name = asyncUrlFunction)]
    pub fn async_url_function(url: &str) -> JsValue;
    #[wasm_bindgen(js_name = logSink)]
    pub fn log_sink() -> JsValue;
    #[wasm_bindgen(js_name = logLines)]
    pub fn log_lines(f: &JsValue) -> String;
    pub fn control(base: &str, path: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = globalWebSocket)]
    pub fn global_websocket() -> JsValue;
    pub fn until(pred: &js_sys::Function, ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = nowMs)]
    pub fn now_ms() -> f64;
}

/// Sleep `ms` milliseconds on the JS timer.
pub async fn wait(ms: u32) {
    let _ = JsFuture::from(sleep(ms)).await;
}
