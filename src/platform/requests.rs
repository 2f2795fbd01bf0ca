//! The request model shared by the JS class and the Rust `Client`: which id a request carries, and how its
//! reply is recognised (docs/contract.md, "Request ids").

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::{Driver, Host};
use crate::core::{Error, ErrorCode, RequestKey};

/// The key an id is matched by: a number or a string; `None` for anything else.
fn request_key(id: &JsValue) -> Option<RequestKey> {
    match id.as_f64() {
        Some(n) => Some(RequestKey::Number(n)),
        None => id.as_string().map(RequestKey::Text),
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidOption, message)
}

impl<H: Host> Driver<H> {
    /// The key of request `data` (an object): its `requestIdField` if it has one (`undefined` and `null` are
    /// none), else a fresh automatic id, set on `data`, that no pending request has. A second request with
    /// the id of a pending one, an id that is neither a number nor a string, or an id that cannot be set
    /// (a frozen or sealed object) is an `INVALID_OPTION` error.
    pub fn request_key_of(&self, data: &JsValue) -> Result<RequestKey, Error> {
        let field = self.id_field();
        let id = Reflect::get(data, &field).unwrap_or(JsValue::UNDEFINED);
        if id.is_undefined() || id.is_null() {
            let (key, id) = loop {
                let n = self.with_engine(|e, _| e.fresh_request_id());
                let key = RequestKey::from(n);
                if !self.read(|e| e.has_pending_request(&key)) {
                    break (key, JsValue::from_f64(n as f64));
                }
            };
            let set = Reflect::set(data, &field, &id).unwrap_or(false);
            if !set || Reflect::get(data, &field).ok().as_ref() != Some(&id) {
                return Err(invalid("could not set the request id on data (frozen or sealed?): pass a plain object"));
            }
            return Ok(key);
        }
        let key = request_key(&id).ok_or_else(|| invalid("a request id must be a number or a string"))?;
        if self.read(|e| e.has_pending_request(&key)) {
            return Err(invalid("a request with this id is already pending; give each its own id"));
        }
        Ok(key)
    }
}
