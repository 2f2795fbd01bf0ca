// UTF-8 TextEncoder / TextDecoder stand-ins for runtimes that lack them (mini-programs on devices:
// see the platform notes). The build injects this module into the wasm-bindgen glue with esbuild's
// `inject`, so the glue's free references to `TextEncoder` and `TextDecoder` resolve to the exports
// below, inside the glue's own module scope: nothing is written to any global object.
//
// The exports are the runtime's own classes where they exist, and the stand-ins only where they don't.
// What the stand-ins do (the WHATWG Encoding Standard, UTF-8 only):
// - TextDecoder(label = 'utf-8', { fatal = false, ignoreBOM = false }): labels 'utf-8', 'utf8' and
//   'unicode-1-1-utf-8' (any case, surrounding whitespace ignored); other labels throw RangeError.
// - decode(input?, { stream }): input undefined → ''; ArrayBuffer or any ArrayBufferView (also from
//   another realm). Invalid bytes become U+FFFD per maximal subpart, or throw TypeError with `fatal`.
//   A leading BOM is dropped unless `ignoreBOM`. `stream: true` keeps an incomplete trailing sequence.
// - TextEncoder: encode(string = '') → Uint8Array, encodeInto(string, Uint8Array) → { read, written };
//   a lone surrogate is encoded as U+FFFD.
// Plain ES2017, no globals touched.

var REPLACEMENT = 0xfffd;

function isBufferLike(x) {
  var tag = Object.prototype.toString.call(x);
  return tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
}

function toBytes(input) {
  if (input === undefined || input === null) return new Uint8Array(0);
  if (isBufferLike(input)) return new Uint8Array(input);
  if (typeof input === 'object' && isBufferLike(input.buffer) && typeof input.byteLength === 'number') {
    return new Uint8Array(input.buffer, input.byteOffset || 0, input.byteLength);
  }
  throw new TypeError("TextDecoder.decode: the input must be an ArrayBuffer or an ArrayBufferView");
}

// Code units collected in chunks, so String.fromCharCode never gets too many arguments.
function unitsToString(units, n) {
  var out = '';
  for (var i = 0; i < n; i += 8192) {
    out += String.fromCharCode.apply(null, units.subarray(i, Math.min(n, i + 8192)));
  }
  return out;
}

function Utf8Decoder(label, options) {
  var l = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
  if (l !== 'utf-8' && l !== 'utf8' && l !== 'unicode-1-1-utf-8') {
    throw new RangeError('TextDecoder: the encoding "' + String(label) + '" is not supported (only UTF-8 is)');
  }
  var o = options === undefined || options === null ? {} : options;
  this.encoding = 'utf-8';
  this.fatal = !!o.fatal;
  this.ignoreBOM = !!o.ignoreBOM;
  this._pending = null; // bytes of an incomplete sequence kept by decode(..., { stream: true })
  this._started = false; // some text of the current stream was returned already (BOM handling)
}

Utf8Decoder.prototype.decode = function (input, options) {
  var stream = !!(options && options.stream);
  var bytes = toBytes(input);
  if (this._pending !== null) {
    var joined = new Uint8Array(this._pending.length + bytes.length);
    joined.set(this._pending, 0);
    joined.set(bytes, this._pending.length);
    bytes = joined;
    this._pending = null;
  }
  var n = bytes.length;
  var units = new Uint16Array(n + 1);
  var u = 0;
  var i = 0;
  var fatal = this.fatal;
  while (i < n) {
    var b = bytes[i];
    if (b < 0x80) {
      units[u++] = b;
      i++;
      continue;
    }
    var need = 0;
    var cp = 0;
    var lower = 0x80;
    var upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2; cp = b & 0x0f;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3; cp = b & 0x07;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else {
      if (fatal) throw new TypeError('TextDecoder: invalid UTF-8 data');
      units[u++] = REPLACEMENT;
      i++;
      continue;
    }
    // Walk the continuation bytes; stop at the first one out of range (maximal subpart).
    var j = i + 1;
    var seen = 0;
    var ok = true;
    while (seen < need) {
      if (j >= n) { ok = false; break; }
      var c = bytes[j];
      if (c < lower || c > upper) { ok = false; break; }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (c & 0x3f);
      j++;
      seen++;
    }
    if (!ok) {
      if (j >= n && stream) {
        this._pending = bytes.slice(i);
        break;
      }
      if (fatal) throw new TypeError('TextDecoder: invalid UTF-8 data');
      units[u++] = REPLACEMENT;
      i = j;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units[u++] = 0xd800 + (cp >> 10);
      units[u++] = 0xdc00 + (cp & 0x3ff);
    } else {
      units[u++] = cp;
    }
    i = j;
  }
  var start = 0;
  if (!this.ignoreBOM && !this._started && u > 0 && units[0] === 0xfeff) start = 1;
  this._started = stream && (this._started || u > 0);
  return unitsToString(units.subarray(start), u - start);
};

function Utf8Encoder() {
  this.encoding = 'utf-8';
}

// Writes the UTF-8 form of `str` into `dest` from 0, as far as whole characters fit.
function writeUtf8(str, dest) {
  var len = str.length;
  var cap = dest.length;
  var w = 0;
  var r = 0;
  while (r < len) {
    var c = str.charCodeAt(r);
    var step = 1;
    if (c >= 0xd800 && c <= 0xdbff && r + 1 < len) {
      var d = str.charCodeAt(r + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        step = 2;
      } else {
        c = REPLACEMENT;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      c = REPLACEMENT;
    }
    if (c < 0x80) {
      if (w + 1 > cap) break;
      dest[w++] = c;
    } else if (c < 0x800) {
      if (w + 2 > cap) break;
      dest[w++] = 0xc0 | (c >> 6);
      dest[w++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      if (w + 3 > cap) break;
      dest[w++] = 0xe0 | (c >> 12);
      dest[w++] = 0x80 | ((c >> 6) & 0x3f);
      dest[w++] = 0x80 | (c & 0x3f);
    } else {
      if (w + 4 > cap) break;
      dest[w++] = 0xf0 | (c >> 18);
      dest[w++] = 0x80 | ((c >> 12) & 0x3f);
      dest[w++] = 0x80 | ((c >> 6) & 0x3f);
      dest[w++] = 0x80 | (c & 0x3f);
    }
    r += step;
  }
  return { read: r, written: w };
}

Utf8Encoder.prototype.encode = function (input) {
  var str = input === undefined ? '' : String(input);
  var buf = new Uint8Array(str.length * 3);
  var res = writeUtf8(str, buf);
  return buf.slice(0, res.written);
};

Utf8Encoder.prototype.encodeInto = function (input, dest) {
  return writeUtf8(String(input), dest);
};

var HostEncoder = typeof TextEncoder === 'function' ? TextEncoder : undefined;
var HostDecoder = typeof TextDecoder === 'function' ? TextDecoder : undefined;

var ChosenEncoder = HostEncoder || Utf8Encoder;
var ChosenDecoder = HostDecoder || Utf8Decoder;

export { ChosenEncoder as TextEncoder, ChosenDecoder as TextDecoder, Utf8Encoder, Utf8Decoder };
