'use strict';
// request() and error replies, against the real test server (it echoes a frame that has an id but no
// method, so the test chooses the reply's shape): a JSON-RPC 2.0 reply with an `error` member rejects with a
// WxSocketError REMOTE_ERROR carrying the server's error object; any other reply resolves.
const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const { loadPackage, withServer, waitEvent } = require('./helpers.js');

const { SocketClient } = loadPackage();

let server;
withServer((s) => {
  server = s;
});

test('a JSON-RPC 2.0 error reply rejects REMOTE_ERROR with the server error; the client keeps working', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  const remote = { code: -32601, message: 'Method not found', data: { tried: 'nope' } };
  let err = null;
  try {
    await c.request({ jsonrpc: '2.0', error: remote }, { timeoutMs: 2000 });
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the error reply resolved');
  assert.equal(err.name, 'WxSocketError');
  assert.equal(err.code, 'REMOTE_ERROR');
  assert.deepEqual(err.remote, remote);
  assert.equal(err.reply.jsonrpc, '2.0');
  // the reply was consumed by the request, and the next request still works
  const ok = await c.request({ method: 'after', params: 1 }, { timeoutMs: 2000 });
  assert.equal(ok.result.method, 'after');
  c.close();
});

test('replies that are not JSON-RPC 2.0 errors resolve (an error member alone, or jsonrpc with a result)', async () => {
  const c = new SocketClient({ url: server.url, platform: WebSocket });
  await waitEvent(c, 'open');
  const plain = await c.request({ error: 'not json-rpc' }, { timeoutMs: 2000 });
  assert.equal(plain.error, 'not json-rpc');
  const rpc = await c.request({ jsonrpc: '2.0', result: 7 }, { timeoutMs: 2000 });
  assert.equal(rpc.result, 7);
  c.close();
});
