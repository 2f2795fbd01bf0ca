// TextEncoder / TextDecoder for the wasm-bindgen glue on runtimes that lack them (mini-programs on phones).
// The build injects this module into the glue with esbuild's `inject`, so the glue's free references to
// `TextEncoder` and `TextDecoder` resolve to the exports below, inside the glue's own scope: no global is
// read or written besides the feature tests. Where the runtime has its own class, that class is exported.
//
// The stand-ins are NOT general TextEncoder/TextDecoder polyfills. They do only what the glue does with
// them (wasm-bindgen 0.2.130; tests/package/text-codec.test.js checks the glue still does just this):
//   new TextDecoder('utf-8', { ignoreBOM: true }); decode(); decode(Uint8Array view of wasm memory)
//   new TextEncoder(); encode(string); and encodeInto(string, view) only if the encoder has it, else the
//   glue adds its own (encode, then set into the view, which it sized at 3 bytes per UTF-16 unit).
// - decode(bytes): the bytes come from Rust `&str`, so they are valid UTF-8. Valid UTF-8 of any length
//   (4-byte sequences too) is decoded exactly; a leading U+FEFF is kept (ignoreBOM: true). No labels, no
//   options, no `fatal`, no `stream`, no U+FFFD replacement: invalid bytes throw a URIError.
// - encode(string): any JS string, exactly like the platform TextEncoder: a lone surrogate becomes U+FFFD
//   (EF BF BD). Returns a Uint8Array. No `encoding` property, no encodeInto (see above).
// Both go through the engine's URI functions (escape/unescape are Annex B, present in every engine).

class Decoder {
  decode(b = []) {
    // Bytes to a one-byte-per-char string, in chunks (apply's argument limit), then UTF-8 decoded.
    for (var s = '', i = 0; i < b.length; ) s += String.fromCharCode.apply(0, b.subarray(i, (i += 8192)));
    return decodeURIComponent(escape(s));
  }
}

class Encoder {
  encode(s) {
    // Lone surrogates to U+FFFD first (encodeURIComponent throws on them), then one char per UTF-8 byte.
    s = unescape(encodeURIComponent(s.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g, (c) => (c[1] ? c : '\ufffd'))));
    for (var b = new Uint8Array(s.length), i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return b;
  }
}

var E = typeof TextEncoder == 'function' ? TextEncoder : Encoder;
var D = typeof TextDecoder == 'function' ? TextDecoder : Decoder;

export { E as TextEncoder, D as TextDecoder };
