'use strict';
/**
 * The fault-injecting WebSocket test server.
 *
 * Why Node and the npm `ws` package: the rest of the JavaScript test tooling (the package build, the
 * mini-program harness, the benchmarks) already runs on Node with `ws`, so this adds no new runtime, and the
 * same process can host the mini-program harness next to the server.
 *
 * Two listeners, both on 127.0.0.1 only:
 * - the WebSocket port, which the fault modes act on (it can stop listening for a real ECONNREFUSED);
 * - the control port, plain HTTP answering JSON with CORS headers, which stays up whatever the WebSocket
 *   port does, so Rust, Node and a page in headless Chromium can all drive the server with GET requests.
 *
 * Default behaviour of a connection:
 * - text `ping` → text `pong`;
 * - a text frame that parses as a JSON object with both an `id` and a `method` field (a request) →
 *   `{"id": <id>, "result": {"method": <method>, "params": <params or null>}}`;
 * - any other text frame → echoed as is; a binary frame → echoed as binary.
 * The first subprotocol the client offers is selected.
 *
 * Dedup by message id (issue 15, `messageIdField`): a connection opened with `?dedup=FIELD&client=NAME`
 * treats a JSON object whose FIELD it has already seen from client NAME (on this connection or an earlier
 * one: the record outlives connections, as a real server's would) as a duplicate: logged with
 * `duplicate: true`, not echoed, not answered. `/delivered?client=NAME` lists what that client's messages
 * delivered, in order, each once.
 *
 * Control endpoints (GET, query parameters; every answer is JSON with `ok`):
 *   /push?n=N&data=TEXT     N text frames (default 1) to every open connection; `{i}` in data becomes the
 *                           0-based index. data defaults to `{"push":{i}}`.
 *   /sendraw?data=TEXT      one text frame, exactly as given (for invalid JSON)
 *   /big?bytes=N[&binary=1] one frame of N bytes: a JSON string `"xx…x"` (plain `x`s below 2 bytes), or
 *                           N zero bytes as a binary frame
 *   /close?code=C&reason=R  close frame to every open connection (default 1000, ''); `code=none` sends a close
 *                           frame without a status code (the client sees 1005)
 *   /kill                   destroy every TCP socket on the WebSocket port without a close frame
 *   /stall[?new=1][&current=0]
 *                           current connections (unless current=0) stop reading and never write again;
 *                           with new=1 every later connection does the same right after it opens
 *   /unstall                later connections behave normally again (stalled ones stay stalled)
 *   /hang?on=1|0            accept TCP but never answer the upgrade request (default on=1)
 *   /refuse?ms=M            stop listening on the WebSocket port (ECONNREFUSED) for M ms; 0 or missing means
 *                           until /accept or /restart. Answers once the port is closed.
 *   /accept                 listen again now
 *   /restart?downMs=M       kill everything, stop listening, listen again after M ms (default 0); answers once
 *                           listening again
 *   /log                    { connections: [{ id, path, headers, protocol, openedAt, closedAt, closeCode,
 *                           closeReason, stalled, frames: [{ t, kind, data, bytes }] }] }, frames received,
 *                           in order; binary data as base64; times in ms since the epoch
 *   /delivered?client=NAME  { messages: [...] }: the decoded, non-duplicate messages of a dedup client, in order
 *   /reset[?kill=1]         clear the log, the counters and every fault mode (listen again if refused, destroy
 *                           stalled and hanging sockets); kill=1 also destroys every connection
 *   /stats                  { open, accepted, upgradeAttempts, tcpConnections, stalled, hanging, listening,
 *                           hang, stallNew }
 *
 * Library use: `const s = await startServer({ port: 0 })`, then `s.url`, `s.controlUrl` and the same
 * operations as methods (see `startServer`). `await s.stop()` releases every port, socket and timer.
 *
 * CLI: `node tests/server/server.js [--port N] [--control-port N]` prints one line
 * `WXSOCKET_TEST_SERVER=ws://127.0.0.1:PORT WXSOCKET_CONTROL=http://127.0.0.1:CPORT` and runs until SIGTERM
 * or SIGINT.
 */

const http = require('node:http');
const net = require('node:net');
const { EventEmitter } = require('node:events');
const { WebSocketServer, WebSocket } = require('ws');

const HOST = '127.0.0.1';
const DEFAULT_PUSH_DATA = '{"push":{i}}';

/** Listen on `port` (0 picks one) and resolve with the bound port. */
function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (err) => {
      server.removeListener('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve(server.address().port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown for bad control input; the control endpoint turns it into a 400. */
class ControlError extends Error {}

function intParam(value, name, fallback) {
  if (value === null || value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ControlError(`${name} must be a non-negative integer, got ${value}`);
  return n;
}

function flagParam(value, fallback) {
  if (value === null || value === undefined || value === '') return fallback;
  return !(value === '0' || value === 'false' || value === 'off' || value === 'no');
}

/**
 * Start the server.
 * @param {{ port?: number, controlPort?: number }} [options] 0 (the default) picks free ports.
 * @returns {Promise<TestServer>}
 */
async function startServer(options = {}) {
  const requestedPort = options.port === undefined ? 0 : options.port;
  const requestedControlPort = options.controlPort === undefined ? 0 : options.controlPort;

  const events = new EventEmitter();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => {
      for (const p of protocols) return p;
      return false;
    },
  });

  // One HTTP parser for the WebSocket port, fed by our own net.Server so that the listener can be closed
  // and reopened without touching accepted sockets.
  const upgradeServer = http.createServer((req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
    res.end('wxsocket test server: WebSocket upgrade required\n');
  });
  upgradeServer.on('upgrade', onUpgrade);
  upgradeServer.on('clientError', (err, socket) => socket.destroy());

  let port = 0;
  let listener = null; // the net.Server currently listening on `port`, if any
  let refuseTimer = null;
  let stopped = false;

  const tcpSockets = new Set(); // every socket accepted on the WebSocket port, until it closes
  const hanging = new Set(); // sockets whose upgrade we never answer
  const live = new Map(); // connection id → { ws, socket, record }
  let log = []; // connection records, in order of opening
  const dedup = new Map(); // dedup client name → { seen: Set of ids, delivered: [messages] }
  let nextId = 1;
  let hang = false;
  let stallNew = false;
  let accepted = 0;
  let upgradeAttempts = 0;
  let tcpConnections = 0;
  let listenError = null; // why listening again after /refuse?ms=M failed, if it did

  function onTcpConnection(socket) {
    tcpConnections += 1;
    tcpSockets.add(socket);
    socket.on('close', () => {
      tcpSockets.delete(socket);
      hanging.delete(socket);
    });
    socket.on('error', () => {});
    upgradeServer.emit('connection', socket);
  }

  function onUpgrade(req, socket, head) {
    upgradeAttempts += 1;
    if (hang) {
      hanging.add(socket);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, req, socket));
  }

  function onOpen(ws, req, socket) {
    accepted += 1;
    const query = new URL(req.url, 'http://' + HOST).searchParams;
    const dedupField = query.get('dedup');
    const record = {
      id: nextId++,
      path: req.url,
      dedupField: dedupField || null,
      dedupClient: dedupField ? query.get('client') || '' : null,
      headers: { ...req.headers },
      protocol: ws.protocol,
      openedAt: Date.now(),
      closedAt: null,
      closeCode: null,
      closeReason: null,
      stalled: false,
      frames: [],
    };
    log.push(record);
    const conn = { ws, socket, record };
    live.set(record.id, conn);
    events.emit('connection', record);

    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => onFrame(conn, data, isBinary));
    ws.on('close', (code, reason) => {
      live.delete(record.id);
      record.closedAt = Date.now();
      record.closeCode = code;
      record.closeReason = reason.toString('utf8');
      events.emit('close', record);
    });
    if (stallNew) stallConnection(conn);
  }

  function onFrame(conn, data, isBinary) {
    const { ws, record } = conn;
    if (record.stalled) return;
    const frame = isBinary
      ? { t: Date.now(), kind: 'binary', data: data.toString('base64'), bytes: data.length }
      : { t: Date.now(), kind: 'text', data: data.toString('utf8'), bytes: data.length };
    record.frames.push(frame);
    events.emit('frame', record, frame);
    if (ws.readyState !== WebSocket.OPEN) return;
    if (isBinary) {
      ws.send(data, { binary: true });
      return;
    }
    const text = frame.data;
    if (text === 'ping') {
      ws.send('pong');
      return;
    }
    if (record.dedupField && isDuplicate(record, text)) {
      frame.duplicate = true;
      return;
    }
    const reply = requestReply(text);
    ws.send(reply === null ? text : reply);
  }

  /** Whether `text` repeats a message id its dedup client sent before; a first one is recorded as delivered. */
  function isDuplicate(record, text) {
    let value;
    try {
      value = JSON.parse(text);
    } catch (_) {
      return false;
    }
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, record.dedupField)) return false;
    let client = dedup.get(record.dedupClient);
    if (!client) {
      client = { seen: new Set(), delivered: [] };
      dedup.set(record.dedupClient, client);
    }
    const id = JSON.stringify(value[record.dedupField]);
    if (client.seen.has(id)) return true;
    client.seen.add(id);
    client.delivered.push(value);
    return false;
  }

  function requestReply(text) {
    let value;
    try {
      value = JSON.parse(text);
    } catch (_) {
      return null;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const has = (k) => Object.prototype.hasOwnProperty.call(value, k);
    if (!has('id') || !has('method')) return null;
    const params = has('params') ? value.params : null;
    return JSON.stringify({ id: value.id, result: { method: value.method, params: params === undefined ? null : params } });
  }

  function stallConnection(conn) {
    conn.record.stalled = true;
    // ws.pause() pauses the socket and keeps ws from resuming it; we never write to it again.
    conn.ws.pause();
    conn.socket.pause();
  }

  /** Open, not stalled connections: the ones we may write to. */
  function writable() {
    const out = [];
    for (const conn of live.values()) {
      if (!conn.record.stalled && conn.ws.readyState === WebSocket.OPEN) out.push(conn);
    }
    return out;
  }

  async function startListening() {
    if (listener || stopped) return;
    const server = net.createServer(onTcpConnection);
    // Rebinding the same port can race with the kernel right after a close: retry briefly.
    let lastErr = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        port = await listen(server, port);
        listener = server;
        listenError = null;
        return;
      } catch (err) {
        lastErr = err;
        if (err.code !== 'EADDRINUSE' || port === 0) break;
        await delay(25);
      }
    }
    throw lastErr;
  }

  function stopListening() {
    if (!listener) return;
    // Closes the listening socket at once; accepted sockets are untouched.
    listener.close();
    listener = null;
  }

  function clearRefuseTimer() {
    if (refuseTimer) {
      clearTimeout(refuseTimer);
      refuseTimer = null;
    }
  }

  // ---- operations (shared by the methods and the control endpoints) ----

  function push(n = 1, data = DEFAULT_PUSH_DATA) {
    const conns = writable();
    const text = String(data);
    for (let i = 0; i < n; i++) {
      const frame = text.split('{i}').join(String(i));
      for (const conn of conns) conn.ws.send(frame);
    }
    return n * conns.length;
  }

  function sendRaw(data) {
    const conns = writable();
    for (const conn of conns) conn.ws.send(String(data));
    return conns.length;
  }

  function big(bytes, { binary = false } = {}) {
    let payload;
    if (binary) payload = Buffer.alloc(bytes);
    else if (bytes >= 2) payload = '"' + 'x'.repeat(bytes - 2) + '"';
    else payload = 'x'.repeat(bytes);
    const conns = writable();
    for (const conn of conns) conn.ws.send(payload, { binary });
    return conns.length;
  }

  /** `code` null sends a close frame without a status code. */
  function closeAll(code = 1000, reason = '') {
    const conns = writable();
    for (const conn of conns) {
      if (code === null) conn.ws.close();
      else conn.ws.close(code, reason);
    }
    return conns.length;
  }

  function kill() {
    const n = tcpSockets.size;
    for (const conn of live.values()) conn.ws.terminate();
    for (const socket of tcpSockets) socket.destroy();
    return n;
  }

  function stall({ new: future = false, current = true } = {}) {
    let n = 0;
    if (current) {
      for (const conn of live.values()) {
        if (!conn.record.stalled && conn.ws.readyState === WebSocket.OPEN) {
          stallConnection(conn);
          n += 1;
        }
      }
    }
    if (future) stallNew = true;
    return n;
  }

  function unstall() {
    stallNew = false;
  }

  function setHang(on = true) {
    hang = Boolean(on);
  }

  async function refuse(ms = 0) {
    clearRefuseTimer();
    stopListening();
    if (ms > 0) {
      refuseTimer = setTimeout(() => {
        refuseTimer = null;
        startListening().catch((err) => {
          listenError = String(err && err.message);
        });
      }, ms);
    }
  }

  async function accept() {
    clearRefuseTimer();
    await startListening();
  }

  async function restart(downMs = 0) {
    clearRefuseTimer();
    kill();
    stopListening();
    if (downMs > 0) await delay(downMs);
    await startListening();
  }

  function snapshotLog() {
    return JSON.parse(JSON.stringify({ connections: log }));
  }

  async function reset({ kill: killAll = false } = {}) {
    hang = false;
    stallNew = false;
    for (const socket of hanging) socket.destroy();
    for (const conn of live.values()) {
      if (killAll || conn.record.stalled) conn.ws.terminate();
    }
    // Connections still open stay in the log with their frames cleared.
    log = log.filter((r) => live.has(r.id) && live.get(r.id).ws.readyState === WebSocket.OPEN);
    for (const r of log) r.frames = [];
    dedup.clear();
    accepted = 0;
    upgradeAttempts = 0;
    tcpConnections = 0;
    clearRefuseTimer();
    await startListening();
  }

  /** The messages a dedup client delivered, in order, each once. */
  function delivered(client) {
    const d = dedup.get(client);
    return { messages: d ? JSON.parse(JSON.stringify(d.delivered)) : [] };
  }

  function stats() {
    let stalled = 0;
    for (const conn of live.values()) if (conn.record.stalled) stalled += 1;
    return {
      open: live.size,
      accepted,
      upgradeAttempts,
      tcpConnections,
      stalled,
      hanging: hanging.size,
      listening: listener !== null,
      listenError,
      hang,
      stallNew,
    };
  }

  // ---- control over HTTP ----

  const corsHeaders = {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': '*',
    'access-control-allow-private-network': 'true',
    'access-control-max-age': '600',
  };

  async function handleControl(url) {
    const q = url.searchParams;
    switch (url.pathname) {
      case '/push':
        return { sent: push(intParam(q.get('n'), 'n', 1), q.has('data') ? q.get('data') : DEFAULT_PUSH_DATA) };
      case '/sendraw':
        return { sent: sendRaw(q.has('data') ? q.get('data') : '') };
      case '/big': {
        const bytes = intParam(q.get('bytes'), 'bytes', null);
        if (bytes === null) throw new ControlError('bytes is required');
        return { sent: big(bytes, { binary: flagParam(q.get('binary'), false) }) };
      }
      case '/close': {
        const raw = q.get('code');
        let code = 1000;
        if (raw === 'none') code = null;
        else if (raw !== null && raw !== '') code = Number(raw);
        const reason = q.get('reason') || '';
        if (code !== null && !(Number.isInteger(code) && (code === 1000 || (code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)))) {
          throw new ControlError(`code ${raw} cannot be sent in a close frame`);
        }
        if (Buffer.byteLength(reason, 'utf8') > 123) throw new ControlError('reason is over 123 UTF-8 bytes');
        return { closed: closeAll(code, reason) };
      }
      case '/kill':
        return { killed: kill() };
      case '/stall':
        return { stalled: stall({ new: flagParam(q.get('new'), false), current: flagParam(q.get('current'), true) }) };
      case '/unstall':
        unstall();
        return {};
      case '/hang':
        setHang(flagParam(q.get('on'), true));
        return { hang };
      case '/refuse': {
        const ms = intParam(q.get('ms'), 'ms', 0);
        await refuse(ms);
        return { ms };
      }
      case '/accept':
        await accept();
        return { port };
      case '/restart': {
        const downMs = intParam(q.get('downMs'), 'downMs', 0);
        await restart(downMs);
        return { port, downMs };
      }
      case '/log':
        return snapshotLog();
      case '/reset':
        await reset({ kill: flagParam(q.get('kill'), false) });
        return {};
      case '/stats':
        return stats();
      case '/delivered':
        return delivered(q.get('client') || '');
      default:
        return undefined;
    }
  }

  const controlServer = http.createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders);
      res.end();
      return;
    }
    const reply = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        ...corsHeaders,
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    let url;
    try {
      url = new URL(req.url, `http://${HOST}`);
    } catch (_) {
      reply(400, { ok: false, error: 'bad request URL' });
      return;
    }
    handleControl(url).then(
      (body) => {
        if (body === undefined) reply(404, { ok: false, error: `unknown endpoint ${url.pathname}` });
        else reply(200, { ok: true, ...body });
      },
      (err) => reply(err instanceof ControlError ? 400 : 500, { ok: false, error: String(err && err.message) }),
    );
  });

  await startListening();
  let controlPort;
  try {
    controlPort = await listen(controlServer, requestedControlPort);
  } catch (err) {
    stopListening();
    throw err;
  }

  async function stop() {
    if (stopped) return;
    stopped = true;
    clearRefuseTimer();
    stopListening();
    kill();
    wss.close();
    controlServer.closeAllConnections();
    await new Promise((resolve) => controlServer.close(() => resolve()));
  }

  /**
   * @typedef {object} TestServer
   * @property {string} url `ws://127.0.0.1:PORT`
   * @property {string} controlUrl `http://127.0.0.1:CPORT`
   * @property {number} port
   * @property {number} controlPort
   */
  return {
    get url() { return `ws://${HOST}:${port}`; },
    get controlUrl() { return `http://${HOST}:${controlPort}`; },
    get port() { return port; },
    get controlPort() { return controlPort; },
    /** push(n = 1, data = '{"push":{i}}') → frames sent */
    push,
    /** sendRaw(text) → connections written to */
    sendRaw,
    /** big(bytes, { binary = false }) → connections written to */
    big,
    /** closeAll(code = 1000, reason = ''); code null: close frame without a status code */
    closeAll,
    /** kill() → sockets destroyed */
    kill,
    /** stall({ new = false, current = true }) → connections stalled now */
    stall,
    unstall,
    /** hang(on = true) */
    hang: setHang,
    /** refuse(ms = 0): Promise, resolves once the port is closed */
    refuse,
    /** accept(): Promise, resolves once listening */
    accept,
    /** restart(downMs = 0): Promise, resolves once listening again */
    restart,
    /** log() → { connections: [...] } (a snapshot) */
    log: snapshotLog,
    /** delivered(client) → { messages: [...] }: a dedup client's messages, each once, in order */
    delivered,
    /** reset({ kill = false }): Promise */
    reset,
    stats,
    /** events: 'connection' (record), 'frame' (record, frame), 'close' (record) */
    on: (name, fn) => { events.on(name, fn); },
    off: (name, fn) => { events.off(name, fn); },
    stop,
  };
}

function parseArgs(argv) {
  const out = { port: 0, controlPort: 0 };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg !== '--port' && arg !== '--control-port') throw new Error(`unknown argument ${argv[i]}`);
    if (value === undefined) value = argv[++i];
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${arg} needs a port number, got ${value}`);
    if (arg === '--port') out.port = n;
    else out.controlPort = n;
  }
  return out;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\nusage: node tests/server/server.js [--port N] [--control-port N]\n`);
    process.exit(2);
  }
  const server = await startServer(args);
  process.stdout.write(`WXSOCKET_TEST_SERVER=${server.url} WXSOCKET_CONTROL=${server.controlUrl}\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`test server failed to start: ${err && err.stack}\n`);
    process.exit(1);
  });
}

module.exports = { startServer };
