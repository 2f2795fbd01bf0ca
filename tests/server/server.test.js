'use strict';
// Tests for the fault-injecting test server (tests/server/server.js). Covers:
// - default replies: ping/pong, request replies carrying the id, text and binary echo, first subprotocol,
//   upgrade headers and received frames in /log, in order;
// - every control endpoint over HTTP (push, sendraw, big, close, kill, stall, unstall, hang, refuse,
//   accept, restart, log, reset, stats) and the same operations as methods;
// - CORS answers, 404 and 400 answers;
// - the CLI line and SIGTERM; stop() releasing every port and timer so the process exits.
// Runs with `node --test tests/server/*.test.js` against real sockets on 127.0.0.1.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const WebSocket = require('ws');
const { startServer } = require('./server.js');

const SERVER_JS = path.join(__dirname, 'server.js');

function openClient(url, protocols, options) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Resolves with the next message, rejects after `ms`. */
function nextMessage(ws, ms = 2000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no message within ${ms} ms`));
    }, ms);
    function onMessage(data, isBinary) {
      clearTimeout(timer);
      resolve({ text: isBinary ? null : data.toString('utf8'), data, isBinary });
    }
    ws.once('message', onMessage);
  });
}

/** Collects `n` messages. */
function messages(ws, n, ms = 2000) {
  return new Promise((resolve, reject) => {
    const out = [];
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`only ${out.length} of ${n} messages within ${ms} ms`));
    }, ms);
    function onMessage(data, isBinary) {
      out.push({ text: isBinary ? null : data.toString('utf8'), data, isBinary });
      if (out.length === n) {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve(out);
      }
    }
    ws.on('message', onMessage);
  });
}

/** Resolves true if no message arrives within `ms`. */
function silentFor(ws, ms) {
  return new Promise((resolve) => {
    const onMessage = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      resolve(true);
    }, ms);
    ws.once('message', onMessage);
  });
}

function closed(ws, ms = 2000) {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) {
      reject(new Error('already closed'));
      return;
    }
    const timer = setTimeout(() => reject(new Error(`no close within ${ms} ms`)), ms);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
}

/** Outcome of a connection attempt within `ms`: 'open', 'timeout' or the error code. */
function attempt(url, ms) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve({ outcome: 'timeout' });
    }, ms);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve({ outcome: 'open', ws });
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      resolve({ outcome: err.code || err.message });
    });
  });
}

async function control(s, pathAndQuery, init) {
  const res = await fetch(s.controlUrl + pathAndQuery, init);
  const body = res.status === 204 ? null : await res.json();
  return { status: res.status, headers: res.headers, body };
}

async function waitFor(fn, ms = 2000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function withServer(name, fn) {
  test(name, async () => {
    const s = await startServer({ port: 0 });
    try {
      await fn(s);
    } finally {
      await s.stop();
    }
  });
}

withServer('listens on 127.0.0.1 with separate WebSocket and control ports', async (s) => {
  assert.match(s.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
  assert.match(s.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(s.port, s.controlPort);
  assert.equal(s.url, `ws://127.0.0.1:${s.port}`);
});

withServer('ping gets pong, a request gets a reply with its id, other text and binary are echoed', async (s) => {
  const ws = await openClient(s.url);
  ws.send('ping');
  assert.deepEqual((await nextMessage(ws)).text, 'pong');

  ws.send(JSON.stringify({ id: 7, method: 'sum', params: [1, 2] }));
  assert.deepEqual(JSON.parse((await nextMessage(ws)).text), { id: 7, result: { method: 'sum', params: [1, 2] } });

  ws.send(JSON.stringify({ id: 'abc', method: 'noParams' }));
  assert.deepEqual(JSON.parse((await nextMessage(ws)).text), { id: 'abc', result: { method: 'noParams', params: null } });

  // JSON without `method`, arrays and plain text are echoed unchanged.
  for (const text of ['{"id":1}', '[1,2]', '{"method":"m"}', 'hello 你好 😀', 'PING']) {
    ws.send(text);
    const m = await nextMessage(ws);
    assert.equal(m.isBinary, false);
    assert.equal(m.text, text);
  }

  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  ws.send(bytes);
  const bin = await nextMessage(ws);
  assert.equal(bin.isBinary, true);
  assert.deepEqual(Buffer.from(bin.data), bytes);
  ws.close();
});

withServer('the first offered subprotocol is selected; upgrade headers and path are logged', async (s) => {
  const ws = await openClient(`${s.url}/chat?room=1`, ['v2.wx', 'v1.wx'], { headers: { 'X-Token': 'secret-1' } });
  assert.equal(ws.protocol, 'v2.wx');
  const [conn] = s.log().connections;
  assert.equal(conn.protocol, 'v2.wx');
  assert.equal(conn.path, '/chat?room=1');
  assert.equal(conn.headers['x-token'], 'secret-1');
  assert.equal(conn.headers['sec-websocket-protocol'], 'v2.wx,v1.wx');
  ws.close();

  const plain = await openClient(s.url);
  assert.equal(plain.protocol, '');
  plain.close();
});

withServer('/log records every received frame per connection, in order, and the close', async (s) => {
  const a = await openClient(s.url);
  const b = await openClient(s.url);
  const gotA = messages(a, 4);
  a.send('one');
  a.send(Buffer.from('bin'));
  a.send('{"id":1,"method":"x"}');
  a.send('ping');
  b.send('only-b');
  await gotA;
  await nextMessage(b);
  const done = closed(a);
  a.close(4001, 'bye');
  await done;
  await waitFor(() => s.log().connections[0].closedAt !== null);

  const { status, body } = await control(s, '/log');
  assert.equal(status, 200);
  assert.equal(body.connections.length, 2);
  const [la, lb] = body.connections;
  assert.ok(la.id < lb.id);
  assert.deepEqual(la.frames.map((f) => [f.kind, f.data, f.bytes]), [
    ['text', 'one', 3],
    ['binary', Buffer.from('bin').toString('base64'), 3],
    ['text', '{"id":1,"method":"x"}', 21],
    ['text', 'ping', 4],
  ]);
  for (let i = 1; i < la.frames.length; i++) assert.ok(la.frames[i].t >= la.frames[i - 1].t);
  assert.equal(la.closeCode, 4001);
  assert.equal(la.closeReason, 'bye');
  assert.ok(la.closedAt >= la.openedAt);
  assert.deepEqual(lb.frames.map((f) => f.data), ['only-b']);
  assert.equal(lb.closedAt, null);
  b.close();
});

withServer('/push sends N frames to every open connection with {i} replaced', async (s) => {
  const a = await openClient(s.url);
  const b = await openClient(s.url);
  const gotA = messages(a, 3);
  const gotB = messages(b, 3);
  const { body } = await control(s, '/push?n=3&data=' + encodeURIComponent('{"n":{i},"again":{i}}'));
  assert.equal(body.ok, true);
  assert.equal(body.sent, 6);
  const expected = [0, 1, 2].map((i) => `{"n":${i},"again":${i}}`);
  assert.deepEqual((await gotA).map((m) => m.text), expected);
  assert.deepEqual((await gotB).map((m) => m.text), expected);

  // Defaults: one frame of {"push":0}; and the method form.
  const one = nextMessage(a);
  await control(s, '/push');
  assert.equal((await one).text, '{"push":0}');
  const two = messages(b, 2);
  assert.equal(s.push(2, 'm{i}'), 4);
  assert.deepEqual((await two).map((m) => m.text), ['m0', 'm1']);
  a.close();
  b.close();
});

withServer('/sendraw sends text as is, /big sends one frame of the asked size', async (s) => {
  const ws = await openClient(s.url);
  let got = nextMessage(ws);
  await control(s, '/sendraw?data=' + encodeURIComponent('{"id":1,'));
  assert.equal((await got).text, '{"id":1,');

  got = nextMessage(ws);
  const { body } = await control(s, '/big?bytes=70000');
  assert.equal(body.sent, 1);
  const big = await got;
  assert.equal(big.isBinary, false);
  assert.equal(Buffer.byteLength(big.text), 70000);
  assert.equal(typeof JSON.parse(big.text), 'string');

  got = nextMessage(ws);
  await control(s, '/big?bytes=1024&binary=1');
  const bin = await got;
  assert.equal(bin.isBinary, true);
  assert.equal(bin.data.length, 1024);

  got = nextMessage(ws);
  s.sendRaw('not json');
  assert.equal((await got).text, 'not json');
  assert.equal((await control(s, '/big')).status, 400);
  ws.close();
});

withServer('/close sends a close frame with the code and reason; code=none means no status code', async (s) => {
  let ws = await openClient(s.url);
  let done = closed(ws);
  const { body } = await control(s, '/close?code=4002&reason=' + encodeURIComponent('server says bye'));
  assert.equal(body.closed, 1);
  assert.deepEqual(await done, { code: 4002, reason: 'server says bye' });

  ws = await openClient(s.url);
  done = closed(ws);
  await control(s, '/close?code=none');
  assert.equal((await done).code, 1005);

  ws = await openClient(s.url);
  done = closed(ws);
  await control(s, '/close');
  assert.equal((await done).code, 1000);

  ws = await openClient(s.url);
  done = closed(ws);
  assert.equal(s.closeAll(1013, 'try later'), 1);
  assert.deepEqual(await done, { code: 1013, reason: 'try later' });

  const bad = await control(s, '/close?code=1006');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.ok, false);
  assert.equal((await control(s, '/close?reason=' + 'x'.repeat(124))).status, 400);
});

withServer('/kill drops TCP without a close frame', async (s) => {
  const ws = await openClient(s.url);
  const done = closed(ws);
  const { body } = await control(s, '/kill');
  assert.equal(body.killed, 1);
  assert.equal((await done).code, 1006);
  await waitFor(() => s.stats().open === 0);

  const again = await openClient(s.url);
  const done2 = closed(again);
  assert.equal(s.kill(), 1);
  assert.equal((await done2).code, 1006);
});

withServer('/stall stops reading and answering on current connections only', async (s) => {
  const stalled = await openClient(s.url);
  stalled.send('ping');
  assert.equal((await nextMessage(stalled)).text, 'pong');
  const { body } = await control(s, '/stall');
  assert.equal(body.stalled, 1);
  assert.equal(s.stats().stalled, 1);

  stalled.send('ping');
  assert.equal(await silentFor(stalled, 300), true, 'a stalled connection must not answer');
  await control(s, '/push?n=2');
  assert.equal(await silentFor(stalled, 100), true, 'a stalled connection gets no pushes');
  assert.equal(stalled.readyState, WebSocket.OPEN, 'TCP stays open');

  // A connection made after /stall (without new=1) works.
  const fresh = await openClient(s.url);
  fresh.send('ping');
  assert.equal((await nextMessage(fresh)).text, 'pong');
  // The stalled connection's frames were not read, so not logged.
  const frames = s.log().connections[0].frames.map((f) => f.data);
  assert.deepEqual(frames, ['ping']);
  fresh.close();
  stalled.terminate();
});

withServer('/stall?new=1 stalls later connections right after open; /unstall ends that', async (s) => {
  const { body } = await control(s, '/stall?new=1&current=0');
  assert.equal(body.stalled, 0);
  assert.equal(s.stats().stallNew, true);
  const ws = await openClient(s.url);
  ws.send('ping');
  assert.equal(await silentFor(ws, 300), true);

  await control(s, '/unstall');
  const ok = await openClient(s.url);
  ok.send('ping');
  assert.equal((await nextMessage(ok)).text, 'pong');
  assert.equal(await silentFor(ws, 50), true, 'the earlier stalled connection stays stalled');
  const okClosed = closed(ok);
  ok.close();
  await okClosed;
  ws.terminate();
  // A stalled connection does not read, so it never notices the client left: it stays counted.
  await waitFor(() => s.stats().open === 1);
  assert.equal(s.stats().stalled, 1);

  // Method form.
  assert.equal(s.stall({ new: true }), 0);
  const late = await openClient(s.url);
  late.send('ping');
  assert.equal(await silentFor(late, 300), true);
  late.terminate();
});

withServer('/hang accepts TCP but never completes the upgrade', async (s) => {
  await control(s, '/hang?on=1');
  const before = s.stats().upgradeAttempts;
  const r = await attempt(s.url, 300);
  assert.equal(r.outcome, 'timeout');
  const st = (await control(s, '/stats')).body;
  assert.equal(st.upgradeAttempts, before + 1);
  assert.equal(st.accepted, 0);
  assert.equal(st.hang, true);

  await control(s, '/hang?on=0');
  const ok = await attempt(s.url, 1000);
  assert.equal(ok.outcome, 'open');
  ok.ws.close();

  s.hang(true);
  assert.equal((await attempt(s.url, 300)).outcome, 'timeout');
});

withServer('/refuse closes the port (ECONNREFUSED) while control stays up; /accept reopens it', async (s) => {
  const port = s.port;
  const existing = await openClient(s.url);
  const { body } = await control(s, '/refuse');
  assert.equal(body.ok, true);
  assert.equal((await attempt(s.url, 1000)).outcome, 'ECONNREFUSED');
  assert.equal((await control(s, '/stats')).body.listening, false);
  // Accepted connections survive.
  existing.send('ping');
  assert.equal((await nextMessage(existing)).text, 'pong');

  await control(s, '/accept');
  assert.equal(s.port, port);
  const r = await attempt(s.url, 1000);
  assert.equal(r.outcome, 'open');
  r.ws.close();
  existing.close();
});

withServer('/refuse?ms=M listens again by itself after M ms', async (s) => {
  await control(s, '/refuse?ms=200');
  const t0 = Date.now();
  assert.equal((await attempt(s.url, 1000)).outcome, 'ECONNREFUSED');
  await waitFor(() => s.stats().listening, 2000);
  assert.ok(Date.now() - t0 >= 150);
  const r = await attempt(s.url, 1000);
  assert.equal(r.outcome, 'open');
  r.ws.close();

  // Method form, until accept().
  await s.refuse();
  assert.equal((await attempt(s.url, 1000)).outcome, 'ECONNREFUSED');
  await s.accept();
  const r2 = await attempt(s.url, 1000);
  assert.equal(r2.outcome, 'open');
  r2.ws.close();
});

withServer('/restart drops every connection and listens again on the same port after downMs', async (s) => {
  const port = s.port;
  const ws = await openClient(s.url);
  const done = closed(ws);
  const pending = control(s, '/restart?downMs=250');
  assert.equal((await done).code, 1006);
  assert.equal((await attempt(s.url, 1000)).outcome, 'ECONNREFUSED');
  const { body } = await pending;
  assert.equal(body.ok, true);
  assert.equal(s.port, port);
  const r = await attempt(s.url, 1000);
  assert.equal(r.outcome, 'open');

  const done2 = closed(r.ws);
  await s.restart();
  assert.equal((await done2).code, 1006);
  const r2 = await attempt(s.url, 1000);
  assert.equal(r2.outcome, 'open');
  r2.ws.close();
});

withServer('/reset clears the log, the counters and every fault mode', async (s) => {
  const stalled = await openClient(s.url);
  assert.equal(s.stall(), 1);
  const keep = await openClient(s.url);
  keep.send('before');
  await nextMessage(keep);
  const gone = await openClient(s.url);
  const goneClosed = closed(gone);
  gone.close();
  await goneClosed;
  s.stall({ new: true, current: false });
  s.hang(true);
  await s.refuse();
  await waitFor(() => s.stats().open === 2);
  const stalledClosed = closed(stalled);

  const { body } = await control(s, '/reset');
  assert.equal(body.ok, true);
  assert.equal((await stalledClosed).code, 1006, 'stalled sockets are destroyed');
  const st = s.stats();
  assert.equal(st.listening, true);
  assert.equal(st.hang, false);
  assert.equal(st.stallNew, false);
  assert.equal(st.accepted, 0);
  assert.equal(st.upgradeAttempts, 0);
  // Only the connection still open stays, with its frames cleared.
  const log = s.log().connections;
  assert.equal(log.length, 1);
  assert.deepEqual(log[0].frames, []);

  const fresh = await openClient(s.url);
  fresh.send('ping');
  assert.equal((await nextMessage(fresh)).text, 'pong');

  const killed = Promise.all([closed(keep), closed(fresh)]);
  await control(s, '/reset?kill=1');
  const codes = (await killed).map((c) => c.code);
  assert.deepEqual(codes, [1006, 1006]);
  await waitFor(() => s.stats().open === 0);
  assert.equal(s.log().connections.length, 0);
});

withServer('/stats counts open connections, accepted connections and upgrade attempts', async (s) => {
  const a = await openClient(s.url);
  const b = await openClient(s.url);
  let st = (await control(s, '/stats')).body;
  assert.equal(st.open, 2);
  assert.equal(st.accepted, 2);
  assert.equal(st.upgradeAttempts, 2);
  assert.equal(st.tcpConnections, 2);
  const done = closed(a);
  a.close();
  await done;
  await waitFor(() => s.stats().open === 1);
  st = (await control(s, '/stats')).body;
  assert.equal(st.open, 1);
  assert.equal(st.accepted, 2);
  b.close();
});

withServer('control answers JSON with CORS headers, OPTIONS preflight, 404 and 400', async (s) => {
  const pre = await control(s, '/push', {
    method: 'OPTIONS',
    headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'GET' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods'), /GET/);

  const st = await control(s, '/stats');
  assert.equal(st.status, 200);
  assert.equal(st.headers.get('access-control-allow-origin'), '*');
  assert.match(st.headers.get('content-type'), /application\/json/);

  const missing = await control(s, '/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.ok, false);
  assert.equal(missing.headers.get('access-control-allow-origin'), '*');

  const bad = await control(s, '/push?n=-1');
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /n must be/);

  // Non-WebSocket requests to the WebSocket port get 426.
  const plain = await fetch(s.url.replace('ws:', 'http:'));
  assert.equal(plain.status, 426);
  await plain.text();
});

withServer('the on() events report connections, frames and closes', async (s) => {
  const seen = [];
  s.on('connection', (r) => seen.push(['connection', r.id]));
  s.on('frame', (r, f) => seen.push(['frame', r.id, f.data]));
  s.on('close', (r) => seen.push(['close', r.id, r.closeCode]));
  const ws = await openClient(s.url);
  ws.send('hi');
  await nextMessage(ws);
  const done = closed(ws);
  ws.close(1000);
  await done;
  await waitFor(() => seen.length === 3);
  assert.deepEqual(seen, [['connection', 1], ['frame', 1, 'hi'], ['close', 1, 1000]]);
});

test('stop() releases both ports', async () => {
  const s = await startServer();
  const ws = await openClient(s.url);
  const done = closed(ws);
  await s.stop();
  assert.equal((await done).code, 1006);
  assert.equal((await attempt(s.url, 1000)).outcome, 'ECONNREFUSED');
  await assert.rejects(fetch(s.controlUrl + '/stats'));
});

function runNode(args, { input, ms = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not exit within ${ms} ms; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

test('a process that starts and stops the server, with timers and sockets live, exits by itself', async () => {
  const script = `
    const { startServer } = require(${JSON.stringify(SERVER_JS)});
    const WebSocket = require(${JSON.stringify(require.resolve('ws'))});
    (async () => {
      const s = await startServer();
      const ws = new WebSocket(s.url);
      await new Promise((r) => ws.on('open', r));
      ws.on('error', () => {});
      s.hang(true);
      const hung = new (require('net').Socket)();
      hung.connect(s.port, '127.0.0.1');
      await fetch(s.controlUrl + '/stats');
      await s.refuse(60000);
      await s.stop();
      console.log('stopped');
    })();`;
  const r = await runNode(['-e', script]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'stopped');
});

test('CLI prints one line with both URLs, serves, and exits on SIGTERM', async () => {
  const child = spawn(process.execPath, [SERVER_JS, '--port', '0', '--control-port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no line within 5 s')), 5000);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.on('exit', () => reject(new Error('exited early')));
  });
  const m = /^WXSOCKET_TEST_SERVER=(ws:\/\/127\.0\.0\.1:\d+) WXSOCKET_CONTROL=(http:\/\/127\.0\.0\.1:\d+)\n$/.exec(line);
  assert.ok(m, `unexpected line: ${JSON.stringify(line)}`);
  const ws = await openClient(m[1]);
  ws.send('ping');
  assert.equal((await nextMessage(ws)).text, 'pong');
  const st = await (await fetch(m[2] + '/stats')).json();
  assert.equal(st.open, 1);
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(stdout, line, 'exactly one line on stdout');
});

test('CLI rejects unknown arguments', async () => {
  const r = await runNode([SERVER_JS, '--bogus']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown argument --bogus/);
});
