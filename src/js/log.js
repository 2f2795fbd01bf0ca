// The `logger` option: `logger(level, message, fields)`; a logger that throws is ignored.

// `logger(level, message, { [key]: value })`.
export function log(logger, level, message, key, value) {
  var fields = {};
  fields[key] = value;
  callLogger(logger, level, message, fields);
}

// A warning to the logger, if there is one, for every unknown option name in `keys`.
export function warnUnknown(logger, keys) {
  if (typeof logger !== 'function') return;
  for (var i = 0; i < keys.length; i++) {
    callLogger(logger, 'warn', 'unknown option (ignored); check its spelling', { option: keys[i] });
  }
}

// A logger that throws is ignored: logging must not break the client.
export function callLogger(logger, level, message, fields) {
  try { logger(level, message, fields); } catch (ignored) { /* ignored */ }
}
