// `new SocketClient(options)` reads its options here.

import { makeError, describe as errText } from './errors.js';
import { encodeJson } from './codec.js';
import { detectPlatform, platformKind } from './transport.js';
import { log } from './log.js';

// `new SocketClient(options)` reads its options here: their shapes and types, every mistake a
// WxSocketError that names the option. The values are checked in Rust afterwards (the URL, the headers,
// the backoff and the config's ranges). Returns
// [url, header, headerPairs, protocols, platform, shouldReconnect, ping, pong, isPong, requestIdField,
//  logger, unknownKeys, numbers], where numbers holds, by index (a missing one means "the default"):
// 0 allowInsecure, 1 text codec, 2 connectTimeoutMs, 3 reconnect on, 4 maxRetries, 5 minDelayMs,
// 6 maxDelayMs, 7 factor, 8 jitter, 9 minUptimeMs, 10 heartbeat on, 11 intervalMs, 12 timeoutMs,
// 13 overflow (0 error, 1 drop-oldest, 2 drop-newest), 14 maxMessages, 15 maxBytes, 16 maxMessageBytes,
// 17 requestTimeoutMs, 18 lifecycle, 19 startClosed, 20 the pong's length. Keep in step with
// src/js_api/options.rs.
var KNOWN = ['url', 'header', 'protocols', 'platform', 'codec', 'connectTimeoutMs', 'reconnect', 'heartbeat', 'queue',
  'maxMessageBytes', 'requestTimeoutMs', 'requestIdField', 'lifecycle', 'allowInsecure', 'startClosed', 'logger'];
var OVERFLOW = ['error', 'drop-oldest', 'drop-newest'];
var TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isObject(v) {
  return typeof v === 'object' && v !== null;
}

function invalid(message) {
  return makeError('INVALID_OPTION', message);
}

function optBool(o, key, path, dflt) {
  var v = o[key];
  if (v === undefined) return dflt ? 1 : 0;
  if (typeof v !== 'boolean') throw invalid(path + ' must be true or false');
  return v ? 1 : 0;
}

// A number of milliseconds (or a count): finite, ≥ min, at most 2^53 (maxRetries may be Infinity).
function optNum(o, key, path, min) {
  var v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && ((v >= min && v <= 9007199254740991) || (v === Infinity && key === 'maxRetries'))) return v;
  throw invalid(path + ' must be a finite number ≥ ' + (min >= 1 ? 1 : 0));
}

function optFn(o, key, path) {
  var v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'function') throw invalid(path + ' must be a function');
  return v;
}

function textOf(v, dflt, path) {
  if (v === undefined) return dflt;
  if (typeof v === 'string') return v;
  try {
    return encodeJson(v);
  } catch (e) {
    throw invalid(path + ' must be a string or a JSON value');
  }
}

export function readOptions(o) {
  try {
    return read(o);
  } catch (e) {
    if (e && e.name === 'WxSocketError') throw e;
    throw invalid('the options could not be read: ' + errText(e));
  }
}

function read(o) {
  if (!isObject(o)) throw invalid('new SocketClient(options): options must be an object with at least { url }');
  var n = [];
  var unknown = Object.keys(o).filter(function (k) { return KNOWN.indexOf(k) < 0; });
  n[0] = optBool(o, 'allowInsecure', 'allowInsecure', false);
  var url = o.url;
  if (typeof url !== 'string' && typeof url !== 'function') {
    throw makeError('INVALID_URL', 'url is required: a ws:// or wss:// string, or a function returning one (or a promise of one)');
  }
  var header = o.header;
  var pairs = [];
  if (header !== undefined) {
    if (!isObject(header) || Array.isArray(header)) throw invalid('header must be an object of string values');
    Object.keys(header).forEach(function (name) {
      var value = header[name];
      if (typeof value !== 'string') throw invalid('header "' + name + '" must be a string');
      pairs.push(name, value);
    });
  }
  var protocols = o.protocols;
  if (protocols !== undefined) {
    if (!Array.isArray(protocols)) throw invalid('protocols must be an array of strings');
    protocols.forEach(function (p, i) {
      if (typeof p !== 'string' || !TOKEN.test(p)) throw invalid('protocols must be an array of non-empty token strings');
      // A handshake offering one subprotocol twice is refused by every server and browser: say so now
      // instead of failing every attempt.
      if (protocols.indexOf(p) !== i) throw invalid('protocols lists "' + p + '" twice; each subprotocol may appear once');
    });
  }
  var platform = o.platform;
  if (platform === undefined || platform === null) {
    platform = detectPlatform();
    if (platform === undefined) {
      throw makeError('NO_PLATFORM', 'no socket platform found (none of wx, tt, qq, uni or WebSocket exists); pass options.platform');
    }
  } else if (platformKind(platform) < 0) {
    throw invalid('platform must be an object with connectSocket (wx, tt, qq, uni) or a WebSocket constructor');
  }
  var codec = o.codec;
  if (codec !== undefined && codec !== 'json' && codec !== 'text') throw invalid("codec must be 'json' or 'text'");
  n[1] = codec === 'text' ? 1 : 0;
  n[2] = optNum(o, 'connectTimeoutMs', 'connectTimeoutMs', 1);

  var r = o.reconnect;
  var should;
  n[3] = r === false ? 0 : 1;
  if (r !== undefined && typeof r !== 'boolean') {
    if (!isObject(r)) throw invalid('reconnect must be false or an object');
    n[4] = optNum(r, 'maxRetries', 'reconnect.maxRetries', 0);
    n[5] = optNum(r, 'minDelayMs', 'reconnect.minDelayMs', 0);
    n[6] = optNum(r, 'maxDelayMs', 'reconnect.maxDelayMs', 0);
    n[7] = optNum(r, 'factor', 'reconnect.factor', 1);
    n[8] = optNum(r, 'jitter', 'reconnect.jitter', 0);
    n[9] = optNum(r, 'minUptimeMs', 'reconnect.minUptimeMs', 0);
    should = optFn(r, 'shouldReconnect', 'reconnect.shouldReconnect');
  }

  var h = o.heartbeat;
  var ping, pong, isPong;
  n[10] = 0;
  if (h !== undefined && h !== null && h !== false) {
    if (h === true) h = {};
    else if (!isObject(h)) throw invalid('heartbeat must be true, false or an object');
    n[10] = 1;
    n[11] = optNum(h, 'intervalMs', 'heartbeat.intervalMs', 1);
    n[12] = optNum(h, 'timeoutMs', 'heartbeat.timeoutMs', 1);
    ping = textOf(h.message, 'ping', 'heartbeat.message');
    pong = textOf(h.pong, 'pong', 'heartbeat.pong');
    isPong = optFn(h, 'isPong', 'heartbeat.isPong');
    n[20] = pong.length;
  }

  var q = o.queue;
  if (q !== undefined) {
    if (!isObject(q)) throw invalid('queue must be an object { maxMessages, maxBytes, overflow }');
    if (q.overflow !== undefined) {
      n[13] = OVERFLOW.indexOf(q.overflow);
      if (n[13] < 0) throw invalid("queue.overflow must be 'error', 'drop-oldest' or 'drop-newest'");
    }
    n[14] = optNum(q, 'maxMessages', 'queue.maxMessages', 0);
    n[15] = optNum(q, 'maxBytes', 'queue.maxBytes', 0);
  }
  n[16] = optNum(o, 'maxMessageBytes', 'maxMessageBytes', 1);
  n[17] = optNum(o, 'requestTimeoutMs', 'requestTimeoutMs', 1);
  var idField = o.requestIdField;
  if (idField === undefined) idField = 'id';
  else if (typeof idField !== 'string' || idField === '') throw invalid('requestIdField must be a non-empty string');
  n[18] = optBool(o, 'lifecycle', 'lifecycle', true);
  n[19] = optBool(o, 'startClosed', 'startClosed', false);
  var logger = optFn(o, 'logger', 'logger');
  // The WebSocket API has no handshake headers: say so instead of dropping them without a word (names only,
  // never values).
  if (pairs.length > 0 && platformKind(platform) === 1 && logger) {
    log(logger, 'warn', 'header is not sent: a WebSocket constructor takes no handshake headers (carry them in the URL or the first message)',
      'header', Object.keys(header));
  }
  return [url, header, pairs, protocols, platform, should, ping, pong, isPong, idField, logger, unknown, n];
}
