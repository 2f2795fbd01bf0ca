// The durable outbox (`queue: { persist: key }`, docs/contract.md): the queue's frames in the platform's
// storage, so that a client created again with the same key after the app was killed sends them, in order.
// The engine decides when to write (at most once a second, src/core/outbox.rs); this file stores and reads.
//
// Storage: the platform's key-value storage (wx, tt, qq, uni: `setStorage` to write, `getStorageSync` to read;
// Alipay's `my` takes `{ key }` objects), else `localStorage` (browsers). A write that fails (WeChat: 1 MB
// per key, 10 MB in all; a browser's quota) is reported through the client's sink as a `STORAGE` error.
//
// The stored value is JSON text:
//   { "version": 1, "nextMessageId": 7, "frames": [ { "text": "…", "expiresAt": 1764740000000 }, { "binary": "AAEC" } ] }
// `text` is a text frame as it goes out; `binary` an ArrayBuffer frame in base64 (lossless); `expiresAt` (a
// `Date.now()` time, absent when the frame never expires) is when its `ttlMs` ends.

import { describe } from './errors.js';

var FORMAT_VERSION = 1;
var BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// Base64 text: groups of four digits (6 bits each) for every 3 bytes, the last group padded with `=`.
var IS_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function toBase64(buffer) {
  var b = new Uint8Array(buffer);
  var out = '';
  // Past the end a byte reads as undefined, which `<<` and `|` take as 0; the padding replaces its digits.
  for (var i = 0; i < b.length; i += 3) {
    var n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += BASE64[n >> 18] + BASE64[(n >> 12) & 63] + BASE64[(n >> 6) & 63] + BASE64[n & 63];
  }
  var pad = (3 - (b.length % 3)) % 3;
  return out.slice(0, out.length - pad) + '=='.slice(0, pad);
}

// The bytes of base64 text, or undefined when it is not base64.
export function fromBase64(text) {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !IS_BASE64.test(text)) return undefined;
  var digits = text.indexOf('=') < 0 ? text.length : text.indexOf('=');
  var out = new Uint8Array((digits * 6) >> 3);
  // Bits are taken in as digits come and given out 8 at a time (a Uint8Array keeps the low 8 of a number).
  var bits = 0;
  var n = 0;
  for (var i = 0, o = 0; i < digits; i++) {
    n = (n << 6) | BASE64.indexOf(text[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = n >> bits;
    }
  }
  return out.buffer;
}

// The storage of a platform: { read(key) → string | undefined, write(key, text, fail) } (a write that fails
// later calls fail(errMsg); one that fails at once throws), or undefined when it has none.
export function storageOf(platform) {
  if (platform && typeof platform.setStorage === 'function' && typeof platform.getStorageSync === 'function') {
    var alipay = typeof my !== 'undefined' && platform === my; // eslint-disable-line no-undef
    return {
      read: function (key) {
        var v = alipay ? platform.getStorageSync({ key: key }) : platform.getStorageSync(key);
        if (alipay && v) v = v.data;
        return typeof v === 'string' && v !== '' ? v : undefined;
      },
      write: function (key, text, fail) {
        platform.setStorage({ key: key, data: text, fail: function (e) { fail(describe(e)); } });
      }
    };
  }
  if (typeof localStorage !== 'undefined' && localStorage) {
    return {
      read: function (key) {
        var v = localStorage.getItem(key);
        return v === null ? undefined : v;
      },
      write: function (key, text) {
        localStorage.setItem(key, text);
      }
    };
  }
  return undefined;
}

// The outbox of one client under `key`; `sink` hears of failed reads and writes (sink.storageFailed(errMsg, now)).
export function Outbox(storage, key, sink) {
  this.storage = storage;
  this.key = key;
  this.sink = sink;
  this.frames = [];
}

export function newOutbox(platform, key, sink) {
  return new Outbox(storageOf(platform), key, sink);
}

// What load() and commit() report where there is no storage.
var NO_STORAGE = 'this platform has no storage (setStorage/getStorageSync or localStorage)';

// What was stored under the key: { frames: [{ data, expiresAt }], nextMessageId } (`expiresAt` -1 for none;
// a missing key is an empty outbox). When nothing could be read the outbox is empty, and the reason goes to
// the sink (a STORAGE error, emitted once page code can have listeners).
Outbox.prototype.load = function () {
  var empty = { frames: [], nextMessageId: 1 };
  var self = this;
  function failed(why) {
    self.failed(why);
    return empty;
  }
  if (this.storage === undefined) return failed(NO_STORAGE);
  var text;
  try {
    text = this.storage.read(this.key);
  } catch (e) {
    return failed('reading "' + this.key + '" failed: ' + describe(e));
  }
  if (text === undefined) return empty;
  var stored;
  try {
    stored = JSON.parse(text);
  } catch (e) {
    stored = undefined;
  }
  if (!stored || stored.version !== FORMAT_VERSION || !Array.isArray(stored.frames)) {
    return failed('"' + this.key + '" does not hold a wxsocket outbox (version ' + FORMAT_VERSION + '); it was ignored');
  }
  var frames = [];
  for (var i = 0; i < stored.frames.length; i++) {
    var f = stored.frames[i] || {};
    var data = typeof f.text === 'string' ? f.text : fromBase64(f.binary);
    if (data === undefined) return failed('frame ' + i + ' of "' + this.key + '" is neither text nor base64; the outbox was ignored');
    frames.push({ data: data, expiresAt: typeof f.expiresAt === 'number' ? f.expiresAt : -1 });
  }
  var next = stored.nextMessageId;
  return { frames: frames, nextMessageId: typeof next === 'number' && next >= 1 ? next : 1 };
};

// One frame of the snapshot being written (`expiresAt` < 0: never expires); `commit` writes them all.
Outbox.prototype.add = function (data, expiresAt) {
  var f = typeof data === 'string' ? { text: data } : { binary: toBase64(data) };
  if (expiresAt >= 0) f.expiresAt = expiresAt;
  this.frames.push(f);
};

// Writes the snapshot; a write that fails, at once or later, goes to the sink.
Outbox.prototype.commit = function (nextMessageId) {
  var text = JSON.stringify({ version: FORMAT_VERSION, nextMessageId: nextMessageId, frames: this.frames });
  this.frames = [];
  if (this.storage === undefined) return this.failed(NO_STORAGE);
  var self = this;
  try {
    this.storage.write(this.key, text, function (errMsg) { self.failed(errMsg); });
  } catch (e) {
    this.failed(describe(e));
  }
};

// A read or a write failed: a STORAGE error (sink.storageFailed).
Outbox.prototype.failed = function (errMsg) {
  this.sink.storageFailed(errMsg, Date.now());
};
