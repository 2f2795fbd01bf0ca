//! The request model shared by the JS class and the Rust `Client`: which id a request carries, and which ids
//! are refused (docs/contract.md, "Request ids"). The engine keeps each pending request's key for these
//! rules; the host keeps the same ids in a JS `Map` (id -> handle, [`Host::pending_ids`]) where
//! src/js/inbound.js recognises a reply and hands it in by its request's handle.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use super::{Driver, Host};
use crate::core::{Error, ErrorCode, RequestKey};

/// The key of an id: a finite number or a string; `None` for anything else (a `NaN` or infinite
/// id would go out in JSON as `null`, so no reply could carry it).
fn request_key(id: &JsValue) -> Option<RequestKey> {
    match id.as_f64() {
        Some(n) => n.is_finite().then_some(RequestKey::Number(n)),
        None => id.as_string().map(RequestKey::Text),
    }
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorCode::InvalidOption, message)
}

impl<H: Host> Driver<H> {
    /// The key of request `data` (an object) and its id as a JS value: its `requestIdField` if it has one
    /// (`undefined` and `null` are none), else a fresh automatic id, set on `data`, that no pending request
    /// has. A second request with the id of a pending one, an id that is neither a finite number nor a
    /// string, or an id that cannot be set (a frozen or sealed object) is an `INVALID_OPTION` error.
    pub fn request_id_of(&self, data: &JsValue) -> Result<(RequestKey, JsValue), Error> {
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
            return Ok((key, id));
        }
        let key = request_key(&id).ok_or_else(|| invalid("a request id must be a finite number or a string"))?;
        if self.read(|e| e.has_pending_request(&key)) {
            return Err(invalid("a request with this id is already pending; give each its own id"));
        }
        Ok((key, id))
    }
}
