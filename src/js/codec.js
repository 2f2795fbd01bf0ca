// Frames: what send() hands to the socket (JSON text, a string under the text codec, an ArrayBuffer), what a
// frame is and how long, and the JSON encode/decode the client uses.

import { makeError, describe as errText } from './errors.js';

var NON_ASCII = /[^\x00-\x7f]/;

// UTF-8 length of a string without copying it anywhere. ASCII (most JSON) is answered by one regex scan.
export function utf8Length(s) {
  if (!NON_ASCII.test(s)) return s.length;
  var n = s.length;
  var bytes = n;
  for (var i = 0; i < n; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0x80) {
      if (c < 0x800) bytes += 1;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) { bytes += 2; i++; } else bytes += 2;
      } else bytes += 2;
    }
  }
  return bytes;
}

// 0: string, 1: ArrayBuffer, 2: typed array or DataView, 3: anything else. Tag-based, so buffers
// from another realm (a vm context, an iframe) are recognised too.
export function frameKind(x) {
  if (typeof x === 'string') return 0;
  var tag = Object.prototype.toString.call(x);
  if (tag === '[object ArrayBuffer]') return 1;
  if (x && typeof x === 'object' && x.buffer && typeof x.byteLength === 'number' && typeof x.byteOffset === 'number' &&
      Object.prototype.toString.call(x.buffer) === '[object ArrayBuffer]') return 2;
  return 3;
}

// One call for what a frame is and how long: a string's length × 2, an ArrayBuffer's byteLength × 2 + 1,
// or -1 for anything else.
export function frameLength(x) {
  if (typeof x === 'string') return x.length * 2;
  if (x && typeof x.byteLength === 'number' && Object.prototype.toString.call(x) === '[object ArrayBuffer]') {
    return x.byteLength * 2 + 1;
  }
  return -1;
}

// What send() hands to the socket: an ArrayBuffer as is, a typed array's own bytes, and otherwise the
// codec's text (JSON, or the string itself under the text codec). Throws a WxSocketError SERIALIZE.
export function encodeFrame(v, textCodec) {
  if (typeof v === 'object' && v !== null && typeof v.byteLength === 'number') {
    var k = frameKind(v);
    if (k === 1) return v;
    if (k === 2) return ownBytes(v);
  }
  // A Blob's bytes can only be read asynchronously; as JSON it would go out as {}.
  if (typeof Blob === 'function' && v instanceof Blob) {
    throw makeError('SERIALIZE', 'a Blob cannot be sent as it is: send its bytes (await blob.arrayBuffer())');
  }
  if (textCodec) {
    if (typeof v === 'string') return v;
    throw makeError('SERIALIZE', "the text codec sends strings (or ArrayBuffers); use codec: 'json' for objects");
  }
  try {
    return encodeJson(v);
  } catch (e) {
    throw makeError('SERIALIZE', 'cannot encode as JSON: ' + errText(e));
  }
}

// A typed array's own bytes in a fresh ArrayBuffer (never the whole backing buffer).
export function ownBytes(view) {
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

// JSON encode for `send`: the text, or a thrown description. Top-level values JSON cannot encode
// (undefined, functions, symbols) are refused here; BigInt and cycles throw inside stringify.
export function encodeJson(v) {
  var t = typeof v;
  if (t === 'undefined' || t === 'function' || t === 'symbol') throw new TypeError('a ' + t + ' cannot be sent as JSON');
  var s = JSON.stringify(v);
  if (typeof s !== 'string') throw new TypeError('this value has no JSON form');
  return s;
}

