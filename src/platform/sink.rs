//! The way back into the module: one [`Sink`] per client, handed to the platform code (`src/js/transport.js`,
//! `lifecycle.js`, `callbacks.js`), which calls one method per kind of input with the `Date.now()` it read.
//! It holds the driver weakly: once the client is freed, late callbacks from old tasks (a `SocketTask` cannot
//! remove its listeners) do nothing. No closure is made per task, per timer or per message.

use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;

use super::Frame;
use crate::core::{Inbound, Input, Millis, RequestHandle, TaskId};

/// An input from the platform, as the driver handles it.
pub(crate) enum PlatformInput {
    /// An engine input as it is: nothing for the driver to add (a frame, the network, the app's lifecycle).
    Engine(Input<Frame>),
    /// The task opened; `header` is the handshake's response headers where the platform gives them.
    Opened { task: TaskId, header: JsValue },
    /// The task closed with a code and reason as the platform gave them (possibly missing).
    Closed { task: TaskId, code: JsValue, reason: JsValue },
    /// The task failed (connect failure or an error event), with the platform's text.
    Failed { task: TaskId, err_msg: String },
    /// A `send` on the task failed, with the platform's text.
    SendFailed { task: TaskId, err_msg: String },
    /// The client's timer fired.
    Timer,
    /// The platform refused the URL as invalid, with its text.
    UrlRefused { task: TaskId, err_msg: String },
    /// The url function's promise resolved.
    UrlResolved { task: TaskId, url: JsValue },
    /// The url function's promise rejected, with its text.
    UrlRejected { task: TaskId, why: String },
}

/// What a sink feeds: the driver of one client.
pub(crate) trait Target {
    fn input(self: Rc<Self>, now: Millis, input: PlatformInput);
}

/// The inputs of one client's driver, as the platform code calls them.
#[wasm_bindgen(skip_typescript)]
pub struct Sink {
    target: Weak<dyn Target>,
}

impl Sink {
    pub(crate) fn new(target: Weak<dyn Target>) -> Sink {
        Sink { target }
    }

    fn frame(&self, task: u32, size: f64, now: f64, frame: Inbound<Frame>) {
        // A size the JS measured: finite and whole; anything else counts as 0.
        let size = if size.is_finite() && size > 0.0 { size as usize } else { 0 };
        self.feed(now, PlatformInput::Engine(Input::Frame { task: TaskId(task), size, frame }));
    }

    fn feed(&self, now: f64, input: PlatformInput) {
        if let Some(t) = self.target.upgrade() {
            t.input(super::now_from(now), input);
        }
    }
}

#[wasm_bindgen]
impl Sink {
    /// `task` opened; `header` is the handshake's response headers (or undefined).
    pub fn opened(&self, task: u32, header: JsValue, now: f64) {
        self.feed(now, PlatformInput::Opened { task: TaskId(task), header });
    }

    /// A message of `size` bytes arrived on `task`: `value` decoded (text by the codec, binary as an
    /// ArrayBuffer).
    pub fn message(&self, task: u32, size: f64, value: JsValue, now: f64) {
        self.frame(task, size, now, Inbound::Message(Frame::received(value)));
    }

    /// A reply to the pending request `request` arrived (src/js/inbound.js found its id among the client's
    /// pending ids, [`Host::pending_ids`](super::Host::pending_ids)); `error`: it is an error reply.
    pub fn reply(&self, task: u32, size: f64, request: u32, error: bool, value: JsValue, now: f64) {
        self.frame(task, size, now, Inbound::Answer { request: RequestHandle(request), reply: Frame::received(value), error });
    }

    /// The heartbeat's pong arrived.
    pub fn pong(&self, task: u32, size: f64, now: f64) {
        self.frame(task, size, now, Inbound::Pong);
    }

    /// A text frame that is not JSON arrived.
    pub fn undecodable(&self, task: u32, size: f64, raw: JsValue, now: f64) {
        self.frame(task, size, now, Inbound::Undecodable { raw: Frame::received(raw) });
    }

    /// A frame over `maxMessageBytes` arrived (not decoded).
    #[wasm_bindgen(js_name = tooLarge)]
    pub fn too_large(&self, task: u32, size: f64, now: f64) {
        self.frame(task, size, now, Inbound::TooLarge);
    }

    /// `task` closed.
    pub fn closed(&self, task: u32, code: JsValue, reason: JsValue, now: f64) {
        self.feed(now, PlatformInput::Closed { task: TaskId(task), code, reason });
    }

    /// `task` failed.
    pub fn failed(&self, task: u32, err_msg: String, now: f64) {
        self.feed(now, PlatformInput::Failed { task: TaskId(task), err_msg });
    }

    /// A send on `task` failed.
    #[wasm_bindgen(js_name = sendFailed)]
    pub fn send_failed(&self, task: u32, err_msg: String, now: f64) {
        self.feed(now, PlatformInput::SendFailed { task: TaskId(task), err_msg });
    }

    /// The app went to the background.
    #[wasm_bindgen(js_name = appHidden)]
    pub fn app_hidden(&self, now: f64) {
        self.feed(now, PlatformInput::Engine(Input::AppHidden));
    }

    /// The app came back.
    #[wasm_bindgen(js_name = appShown)]
    pub fn app_shown(&self, now: f64) {
        self.feed(now, PlatformInput::Engine(Input::AppShown));
    }

    /// The network changed.
    pub fn network(&self, online: bool, now: f64) {
        self.feed(now, PlatformInput::Engine(Input::Network { online }));
    }

    /// The platform refused `task`'s URL as invalid.
    #[wasm_bindgen(js_name = urlRefused)]
    pub fn url_refused(&self, task: u32, err_msg: String, now: f64) {
        self.feed(now, PlatformInput::UrlRefused { task: TaskId(task), err_msg });
    }

    /// The url function's promise for `task` resolved to `url`.
    #[wasm_bindgen(js_name = urlResolved)]
    pub fn url_resolved(&self, task: u32, url: JsValue, now: f64) {
        self.feed(now, PlatformInput::UrlResolved { task: TaskId(task), url });
    }

    /// The url function's promise for `task` rejected.
    #[wasm_bindgen(js_name = urlRejected)]
    pub fn url_rejected(&self, task: u32, why: String, now: f64) {
        self.feed(now, PlatformInput::UrlRejected { task: TaskId(task), why });
    }

    /// A read or a write of the outbox failed (src/js/outbox.js).
    #[wasm_bindgen(js_name = storageFailed)]
    pub fn storage_failed(&self, err_msg: String, now: f64) {
        self.feed(now, PlatformInput::Engine(Input::StorageFailed { err_msg }));
    }
}

/// The client's timer fired (gloo-timers calls this; no JS in between).
pub(crate) fn timer_fired(target: &Weak<dyn Target>) {
    if let Some(t) = target.upgrade() {
        // A call into the module like the sink's methods (which JS brackets: `guarded_sink`).
        super::bindings::begin_call();
        t.input(super::now_ms(), PlatformInput::Timer);
        super::bindings::end_call();
    }
}
