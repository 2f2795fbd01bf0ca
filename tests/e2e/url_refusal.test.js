'use strict';
// A URL that passes the client's own check (src/core/validate.rs) but that the platform refuses: host
// syntax is the platform's to judge. The platforms quote the URL in their refusal (npm ws: "Invalid URL:
// <url>"; a wx-shaped platform here quotes it in its errMsg), so the error event and the logger must still
// see no query string, while the platform's reason stays readable.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { loadPackage, waitEvent } = require('./helpers.js');

const { SocketClient } = loadPackage();

const TOKEN = 'SECRET7731';

function watch(options) {
  const lines = [];
  const client = new SocketClient({
    ...options,
    logger: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`),
  });
  return { client, lines };
}

test('npm ws refuses a host with a stray %: the error event keeps its reason, not the query', async () => {
  const url = `wss://exa%mple.com/ws?token=${TOKEN}`;
  const { client, lines } = watch({ url, platform: WebSocket });
  try {
    const ev = await waitEvent(client, 'error', (e) => e.code === 'CONNECT_FAILED');
    assert.match(ev.errMsg, /Invalid URL/, `the platform's reason is kept: ${ev.errMsg}`);
    assert.ok(ev.errMsg.includes('exa%mple.com'), `the host stays readable: ${ev.errMsg}`);
    assert.ok(!JSON.stringify(ev).includes(TOKEN), `the error event carries the token: ${JSON.stringify(ev)}`);
    assert.ok(lines.length > 0, 'the logger was called');
    assert.ok(!lines.some((l) => l.includes(TOKEN)), `a log line carries the token: ${lines.join(' | ')}`);
  } finally {
    client.close();
  }
});

test('a wx-shaped platform whose connectSocket fails quoting the URL: no query in the error event', async () => {
  const url = `wss://[zz::1]/ws?token=${TOKEN}`;
  const quoted = [];
  const wxRefusing = {
    connectSocket(opts) {
      quoted.push(opts.url);
      setTimeout(() => opts.fail({ errMsg: `connectSocket:fail invalid url ${opts.url}` }), 0);
      return { onOpen() {}, onMessage() {}, onClose() {}, onError() {}, send() {}, close() {} };
    },
  };
  const { client, lines } = watch({ url, platform: wxRefusing });
  try {
    const ev = await waitEvent(client, 'error', (e) => e.code === 'CONNECT_FAILED');
    assert.deepEqual(quoted.slice(0, 1), [url], 'the platform was given the URL as written');
    assert.match(ev.errMsg, /^connectSocket:fail invalid url wss:\/\/\[zz::1\]\/ws\?…$/, `errMsg: ${ev.errMsg}`);
    assert.ok(!lines.some((l) => l.includes(TOKEN)), `a log line carries the token: ${lines.join(' | ')}`);
  } finally {
    client.close();
  }
});
