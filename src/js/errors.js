// Errors the package throws and emits: `WxSocketError` instances with a `code` (docs/contract.md, "Errors").
// Plain ES2017, as every file under src/js: no globalThis, no window, no eval (mini-programs have none).

export function makeError(code, message) {
  var e = new Error(message);
  e.name = 'WxSocketError';
  e.code = code;
  return e;
}

// The text of anything thrown or reported by a platform: a wx `errMsg`, an Error's message, or String(e).
export function describe(e) {
  if (e && typeof e.errMsg === 'string') return e.errMsg;
  if (e && typeof e.message === 'string') return e.message;
  return String(e);
}
