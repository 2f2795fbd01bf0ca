// Small helpers for the wasm-bindgen-test suite of the Rust client (tests/wasm_client.rs). ES module, no
// dependencies.

export function json(v) {
  return JSON.stringify(v);
}

export function bytes(list) {
  return new Uint8Array(list).buffer;
}

export function bufferBytes(buf) {
  return Array.from(new Uint8Array(buf)).join(',');
}
