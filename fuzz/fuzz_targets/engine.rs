//! The engine under arbitrary input sequences (see `src/engine_model.rs` for the decoding and the invariants).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = wxsocket_fuzz::engine_model::run(data) {
        panic!("engine invariant broken: {e}");
    }
});
