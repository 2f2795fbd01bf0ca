// `new SocketClient(options)` reads its options here.

import { makeError, describe as errText } from './errors.js';
import { encodeJson } from './codec.js';
import { detectPlatform, isPlatform, PLATFORM_NAMES } from './transport.js';

// Their shapes and types are checked here, every mistake a WxSocketError that names the option; the values
// are checked in Rust afterwards (the URL, the headers, the backoff and the config's ranges), where every
// default lives (src/core/defaults.rs). `readOptions` returns the options by name, as given, with what is
// missing left undefined: { url, header, headerPairs, protocols, platform, codec, connectTimeoutMs,
// reconnect: false | { maxRetries, minDelayMs, maxDelayMs, factor, jitter, minUptimeMs, shouldReconnect },
// heartbeat: false | { intervalMs, timeoutMs, message, pong, isPong }, queue: { overflow, maxMessages,
// maxBytes, ttlMs, persist }, maxMessageBytes, requestTimeoutMs, requestIdField, messageIdField, isError,
// lifecycle, allowInsecure, startClosed, logger, unknown } (`message` and `pong` as text; `unknown`: the option names not known here).
var KNOWN = ['url', 'header', 'protocols', 'platform', 'codec', 'connectTimeoutMs', 'reconnect', 'heartbeat', 'queue',
  'maxMessageBytes', 'requestTimeoutMs', 'requestIdField', 'messageIdField', 'isError', 'lifecycle', 'allowInsecure', 'startClosed', 'logger'];
var OVERFLOW = ['error', 'drop-oldest', 'drop-newest'];
var TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function isObject(v) {
  return typeof v === 'object' && v !== null;
}

function invalid(message) {
  return makeError('INVALID_OPTION', message);
}

function optBool(o, key, path) {
  var v = o[key];
  if (v === undefined || typeof v === 'boolean') return v;
  throw invalid(path + ' must be true or false');
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

function textOf(v, path) {
  if (v === undefined || typeof v === 'string') return v;
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
      throw makeError('NO_PLATFORM', 'no socket platform found (none of ' + PLATFORM_NAMES + ' or WebSocket exists); pass options.platform');
    }
  } else if (!isPlatform(platform)) {
    throw invalid('platform must be an object with connectSocket (' + PLATFORM_NAMES + ') or a WebSocket constructor');
  }
  var codec = o.codec;
  if (codec !== undefined && codec !== 'json' && codec !== 'text') throw invalid("codec must be 'json' or 'text'");

  var r = o.reconnect;
  var reconnect = r === false ? false : {};
  if (r !== undefined && typeof r !== 'boolean') {
    if (!isObject(r)) throw invalid('reconnect must be false or an object');
    reconnect = {
      maxRetries: optNum(r, 'maxRetries', 'reconnect.maxRetries', 0),
      minDelayMs: optNum(r, 'minDelayMs', 'reconnect.minDelayMs', 0),
      maxDelayMs: optNum(r, 'maxDelayMs', 'reconnect.maxDelayMs', 0),
      factor: optNum(r, 'factor', 'reconnect.factor', 1),
      jitter: optNum(r, 'jitter', 'reconnect.jitter', 0),
      minUptimeMs: optNum(r, 'minUptimeMs', 'reconnect.minUptimeMs', 0),
      shouldReconnect: optFn(r, 'shouldReconnect', 'reconnect.shouldReconnect')
    };
  }

  var h = o.heartbeat;
  var heartbeat = false;
  if (h !== undefined && h !== null && h !== false) {
    if (h === true) h = {};
    else if (!isObject(h)) throw invalid('heartbeat must be true, false or an object');
    heartbeat = {
      intervalMs: optNum(h, 'intervalMs', 'heartbeat.intervalMs', 1),
      timeoutMs: optNum(h, 'timeoutMs', 'heartbeat.timeoutMs', 1),
      message: textOf(h.message, 'heartbeat.message'),
      pong: textOf(h.pong, 'heartbeat.pong'),
      isPong: optFn(h, 'isPong', 'heartbeat.isPong')
    };
  }

  var q = o.queue;
  var queue = {};
  if (q !== undefined) {
    if (!isObject(q)) throw invalid('queue must be an object { maxMessages, maxBytes, overflow, ttlMs, persist }');
    if (q.persist !== undefined && (typeof q.persist !== 'string' || q.persist === '')) {
      throw invalid('queue.persist must be a non-empty string: the storage key of the outbox');
    }
    if (q.overflow !== undefined && OVERFLOW.indexOf(q.overflow) < 0) {
      throw invalid("queue.overflow must be 'error', 'drop-oldest' or 'drop-newest'");
    }
    queue = {
      overflow: q.overflow,
      maxMessages: optNum(q, 'maxMessages', 'queue.maxMessages', 0),
      maxBytes: optNum(q, 'maxBytes', 'queue.maxBytes', 0),
      ttlMs: optNum(q, 'ttlMs', 'queue.ttlMs', 1),
      persist: q.persist
    };
  }
  var idField = o.requestIdField;
  if (idField !== undefined && (typeof idField !== 'string' || idField === '')) throw invalid('requestIdField must be a non-empty string');
  var messageIdField = o.messageIdField;
  if (messageIdField !== undefined && (typeof messageIdField !== 'string' || messageIdField === '')) {
    throw invalid('messageIdField must be a non-empty string');
  }
  return {
    url: url,
    header: header,
    headerPairs: pairs,
    protocols: protocols,
    platform: platform,
    codec: codec,
    connectTimeoutMs: optNum(o, 'connectTimeoutMs', 'connectTimeoutMs', 1),
    reconnect: reconnect,
    heartbeat: heartbeat,
    queue: queue,
    maxMessageBytes: optNum(o, 'maxMessageBytes', 'maxMessageBytes', 1),
    requestTimeoutMs: optNum(o, 'requestTimeoutMs', 'requestTimeoutMs', 1),
    requestIdField: idField,
    messageIdField: messageIdField,
    isError: optFn(o, 'isError', 'isError'),
    lifecycle: optBool(o, 'lifecycle', 'lifecycle'),
    allowInsecure: optBool(o, 'allowInsecure', 'allowInsecure'),
    startClosed: optBool(o, 'startClosed', 'startClosed'),
    logger: optFn(o, 'logger', 'logger'),
    unknown: Object.keys(o).filter(function (k) { return KNOWN.indexOf(k) < 0; })
  };
}
