//! The JS side of the wasm-bindgen-test suite of the Rust client (tests/wasm_client.rs): the scripted fake `wx`
//! of tests/support/wx_sockets.js and the helpers of tests/support/wasm_helpers.js. (The JS class is tested on
//! the built package, in tests/e2e.)
#![allow(dead_code)]

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/tests/support/wx_sockets.js")]
extern "C" {
    #[wasm_bindgen(js_name = fakeWxNew)]
    pub fn fake_new(options: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeWx)]
    pub fn fake_wx(ctrl: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeLastTask)]
    pub fn last_task(ctrl: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = fakeServerOpen)]
    pub fn server_open(task: &JsValue, header: &JsValue);
    #[wasm_bindgen(js_name = fakeServerMessage)]
    pub fn server_message(task: &JsValue, data: &JsValue);
    #[wasm_bindgen(js_name = fakeServerClose)]
    pub fn server_close(task: &JsValue, code: u32, reason: &str);
    #[wasm_bindgen(js_name = fakeSent)]
    pub fn sent(task: &JsValue) -> js_sys::Array;
}

#[wasm_bindgen(module = "/tests/support/wasm_helpers.js")]
extern "C" {
    pub fn json(v: &JsValue) -> String;
    pub fn bytes(list: Vec<u8>) -> JsValue;
    #[wasm_bindgen(js_name = bufferBytes)]
    pub fn buffer_bytes(buf: &JsValue) -> String;
}
