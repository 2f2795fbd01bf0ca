// The `logger` option: `logger(level, message, fields)`; a logger that throws is ignored.

import { EVENT_OF_KIND } from './emitter.js';

// `logger(level, message, { [key]: value })`.
export function log(logger, level, message, key, value) {
  var fields = {};
  fields[key] = value;
  callLogger(logger, level, message, fields);
}

// An engine event (see `Emitter.prototype.event`) to the logger: `state` at debug level, an error at warn
// with its message, the rest at info; `url` is the redacted URL of an open.
export function logEvent(logger, k, s, t, a, b, url) {
  var fields = k === 0 ? { from: s, to: t }
    : k === 1 ? { url: url, attempt: a, reconnected: b === 1 }
    : k === 2 ? { code: a, reason: s, willReconnect: b === 1 }
    : k === 3 ? { attempt: a, delayMs: b }
    : { code: s };
  callLogger(logger, k === 0 ? 'debug' : k < 4 ? 'info' : 'warn', k < 4 ? EVENT_OF_KIND[k] : t, fields);
}

// A warning to the logger, if there is one, for every unknown option name in `keys`.
export function warnUnknown(logger, keys) {
  if (typeof logger !== 'function') return;
  for (var i = 0; i < keys.length; i++) {
    callLogger(logger, 'warn', 'unknown option (ignored); check its spelling', { option: keys[i] });
  }
}

// A logger that throws is ignored: logging must not break the client.
function callLogger(logger, level, message, fields) {
  try { logger(level, message, fields); } catch (ignored) { /* ignored */ }
}
