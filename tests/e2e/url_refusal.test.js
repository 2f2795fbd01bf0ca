'use strict';
// A URL that passes the client's own check (src/core/validate.rs) but that the platform refuses: host
// syntax is the platform's to judge, and its refusal is final for a fixed URL (INVALID_URL, the client stops,
// no retry loop) and a failed attempt for a url function's (retried). The platforms quote the URL in their refusal (npm ws: "Invalid URL:
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
  // startClosed: npm ws refuses in its constructor, so the attempt is started once the listener exists.
  const { client, lines } = watch({ url, platform: WebSocket, startClosed: true });
  try {
    const seen = waitEvent(client, 'error', (e) => e.code === 'INVALID_URL');
    client.reconnect();
    const ev = await seen;
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
    const ev = await waitEvent(client, 'error', (e) => e.code === 'INVALID_URL');
    assert.deepEqual(quoted.slice(0, 1), [url], 'the platform was given the URL as written');
    assert.match(ev.errMsg, /^connectSocket:fail invalid url wss:\/\/\[zz::1\]\/ws\?…$/, `errMsg: ${ev.errMsg}`);
    assert.ok(!lines.some((l) => l.includes(TOKEN)), `a log line carries the token: ${lines.join(' | ')}`);
  } finally {
    client.close();
  }
});

test('a fixed URL the platform refuses is final: INVALID_URL, closed, no retry loop; reconnect() tries again', async () => {
  let attempts = 0;
  class Counting extends WebSocket {
    constructor(...args) {
      attempts += 1;
      super(...args);
    }
  }
  const { client } = watch({ url: 'wss://exa%mple.com/ws', platform: Counting, reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 }, startClosed: true });
  try {
    const closed = waitEvent(client, 'close', (e) => e.willReconnect === false);
    const refused = waitEvent(client, 'error', (e) => e.code === 'INVALID_URL');
    client.reconnect();
    const ev = await refused;
    await closed;
    assert.match(ev.message, /refused the URL/);
    assert.equal(client.state, 'closed');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(attempts, 1, 'no second attempt on a URL that can never open');
    client.reconnect();
    assert.equal(attempts, 2, 'reconnect() tries again');
  } finally {
    client.close();
  }
});

test("a url function's refused URL is a failed attempt: INVALID_URL, then retried", async () => {
  let asked = 0;
  const { client } = watch({
    url: () => { asked += 1; return 'wss://exa%mple.com/ws'; },
    platform: WebSocket,
    reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 },
    startClosed: true,
  });
  try {
    const refused = waitEvent(client, 'error', (e) => e.code === 'INVALID_URL');
    const retry = waitEvent(client, 'reconnecting', () => true);
    client.reconnect();
    await refused;
    await retry;
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(asked >= 2, `the url function was asked again (${asked})`);
  } finally {
    client.close();
  }
});
