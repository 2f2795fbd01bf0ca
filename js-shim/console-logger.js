// `consoleLogger(options)`: a ready value for the `logger` option that writes to the console, so "why does
// it keep reconnecting?" is one line to answer in the developer tools:
//
//   new SocketClient({ url, logger: consoleLogger({ level: 'debug' }) });
//
// Options: `level`, the lowest level written ('debug' < 'info' < 'warn' < 'error'; default 'info'), and
// `console`, where to write (default: the global console). Each entry is `console[level]('[wxsocket] ' +
// message, fields)`, with console.log standing in for a console that lacks the level's method.
// It writes what the client hands a logger and nothing else, so the client's redaction holds: header values
// and the URL's query string never reach it. Plain ES2017.

import { wxSocketError } from './api.js';

var LEVELS = ['debug', 'info', 'warn', 'error'];
var PREFIX = '[wxsocket] ';

export function consoleLogger(options) {
  var opts = options === undefined ? {} : options;
  if (opts === null || typeof opts !== 'object') {
    throw wxSocketError('INVALID_OPTION', 'consoleLogger(options) takes an object such as { level: \'info\' }');
  }
  var lowest = LEVELS.indexOf(opts.level === undefined ? 'info' : opts.level);
  if (lowest < 0) {
    throw wxSocketError('INVALID_OPTION', 'consoleLogger({ level }) takes \'debug\', \'info\', \'warn\' or \'error\', not ' + String(opts.level));
  }
  var out = opts.console === undefined ? (typeof console === 'undefined' ? undefined : console) : opts.console;
  if (!out || typeof out.log !== 'function') {
    throw wxSocketError('INVALID_OPTION', 'consoleLogger({ console }) needs an object with a log method (there is no global console here)');
  }
  return function (level, message, fields) {
    var rank = LEVELS.indexOf(level);
    if (rank < lowest) return; // below the chosen level (or a level this version does not know)
    var write = typeof out[level] === 'function' ? out[level] : out.log;
    write.call(out, PREFIX + message, fields);
  };
}
