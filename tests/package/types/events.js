// @ts-check
// The event maps from JavaScript, through JSDoc (checkJs; compiled by holes.test.js): listeners and
// payload types by name, and `@ts-expect-error` lines that must stay errors.
const { SocketClient } = require('wxsocket');

/** @typedef {{ text: string }} ChatMessage */

/**
 * @param {import('wxsocket').SocketClient<ChatMessage>} client
 * @returns {() => void}
 */
function watch(client) {
  /** @param {import('wxsocket').CloseEvent} e */
  const onClose = (e) => console.log(e.code, e.willReconnect, e.delayMs);
  client.on('close', onClose);
  client.on('reconnecting', (e) => console.log(e.attempt, e.delayMs.toFixed(0)));
  client.on('error', (e) => {
    /** @type {import('wxsocket').WxSocketEventErrorCode} */
    const code = e.code;
    console.log(code, e.errMsg);
    // @ts-expect-error an event's code is a union, not any string
    if (e.code === 'NOT_A_CODE') console.log(code);
  });
  client.on('state', (e) => {
    /** @type {import('wxsocket').SocketState} */
    const to = e.to;
    console.log(to);
  });
  // @ts-expect-error a close event has no attempt
  client.on('close', (e) => console.log(e.attempt));
  // @ts-expect-error there is no such event
  client.on('opened', () => {});
  return client.on('message', (m) => {
    if (m instanceof ArrayBuffer) return;
    console.log(m.text.toUpperCase());
    // @ts-expect-error the message type is ChatMessage
    console.log(m.txt);
  });
}

/** @type {import('wxsocket').SocketClientEvents<ChatMessage>['open']} */
const opened = { header: undefined, attempt: 1, reconnected: false };

module.exports = { watch, opened, SocketClient };
