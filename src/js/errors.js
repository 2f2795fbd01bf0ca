// Errors the package throws and emits: `WxSocketError` instances with a `code` (docs/contract.md, "Errors").
// Plain ES2017, as every file under src/js: no globalThis, no window, no eval (mini-programs have none).

// Every thrown and emitted error message ends by pointing at the README's table of codes (when each
// happens, what the page should do).
export var SEE_ERRORS = ' (see README#errors)';

// The class every entry exports, so that `e instanceof WxSocketError` works in page code: an Error (its
// stack included) whose prototype is WxSocketError.prototype, itself an Error.prototype.
export function WxSocketError(code, message) {
  var e = new Error(message + SEE_ERRORS);
  Object.setPrototypeOf(e, WxSocketError.prototype);
  e.name = 'WxSocketError';
  e.code = code;
  return e;
}
WxSocketError.prototype = Object.create(Error.prototype, {
  constructor: { value: WxSocketError, writable: true, configurable: true },
  name: { value: 'WxSocketError', writable: true, configurable: true },
});

export function makeError(code, message) {
  return new WxSocketError(code, message);
}

// The text of anything thrown or reported by a platform: a wx `errMsg`, an Error's message, or String(e).
export function describe(e) {
  if (e && typeof e.errMsg === 'string') return e.errMsg;
  if (e && typeof e.message === 'string') return e.message;
  return String(e);
}
