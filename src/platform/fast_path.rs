//! The driver's side of the fast path (src/core/fast_path.rs): the client's [`FastBlock`] in wasm memory and
//! the JavaScript object that reads it (src/js/fast_path.js). The driver takes the block's counters into
//! the engine as every engine call or getter begins, closes the lanes for the length of every call into
//! the engine, and publishes the engine's lanes when the outermost call has performed everything.

use std::cell::UnsafeCell;

use wasm_bindgen::JsValue;

use super::bindings::{new_fast_path, release_fast_path};
use crate::core::{FastBlock, FastDone, FastLanes};

pub(crate) struct FastPath {
    /// Shared with JavaScript, which writes it between calls into the module: read and written only
    /// through the cell's pointer, never across a call out of the module.
    block: Box<UnsafeCell<FastBlock>>,
    /// The JavaScript object over the block.
    js: JsValue,
}

impl FastPath {
    /// The block of a new client; `sink` hears failed sends, `receiver` delivers messages (undefined: none
    /// are delivered on the fast path).
    pub fn new(sink: &JsValue, receiver: &JsValue) -> FastPath {
        let block = Box::new(UnsafeCell::new(FastBlock::default()));
        let address = block.get() as usize as u32;
        let js = new_fast_path(&wasm_bindgen::memory(), address, sink, receiver);
        FastPath { block, js }
    }

    /// The JavaScript object (src/js/fast_path.js).
    pub fn js(&self) -> &JsValue {
        &self.js
    }

    /// What JavaScript did since the last time, taken.
    pub fn take(&self) -> FastDone {
        // SAFETY: the block is only written by JavaScript while the module is not running; no reference
        // to it outlives this statement.
        unsafe { (*self.block.get()).take() }
    }

    /// Opens the lanes the engine allows (closes them all with `FastLanes::default()`).
    pub fn publish(&self, lanes: FastLanes) {
        // SAFETY: as in `take`.
        unsafe { (*self.block.get()).publish(lanes) }
    }
}

impl Drop for FastPath {
    fn drop(&mut self) {
        // Before the block's memory goes back to the allocator: JavaScript must not touch it again.
        release_fast_path(&self.js);
    }
}
