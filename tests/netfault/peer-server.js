'use strict';
/**
 * The server end of the bad-network suite: a real WebSocket server (npm `ws`) on the server namespace's
 * veth address, driven over its stdin and stdout (one JSON object a line), so nothing but the WebSocket
 * itself crosses the faulty link.
 *
 * Why not tests/server/server.js: that one listens on 127.0.0.1 only, and it echoes every frame, which would
 * give the client a stream of inbound frames (each a proof of life for the heartbeat) and hide what the
 * uplink does to pings. Here a message is recorded and not answered:
 * - text `ping` -> text `pong`;
 * - a JSON object with `id` and `method` (a request) -> `{"id": <id>, "result": "ok"}`;
 * - a JSON object with a numeric `seq` (a message) -> its `run` and `seq` recorded with its arrival time, no
 *   answer (`run` tells a message of this client from a late one of an abandoned earlier socket).
 *
 * Usage: node tests/netfault/peer-server.js --host ADDRESS --port PORT
 * Prints {"ready":true} once listening. Commands on stdin:
 *   {"cmd":"reset"}     forget recorded messages and connections -> {"ok":true}
 *   {"cmd":"report"}    -> {"received":[[run, seq, t], ...], "paths":{PATH:{"open":N,"peak":N,"accepted":N}},
 *                           "pings":[[clientPort, t], ...]}
 *                       (arrival order; t in ms since the epoch; per request path, connections open now,
 *                       the most open at once, and all accepted since the reset; each ping's arrival by the
 *                       client's TCP port, which tells the client's sockets apart)
 *   {"cmd":"kill"}      destroys every connection without a close frame -> {"ok":true}
 * Exits when stdin ends or on SIGTERM.
 */

const { WebSocketServer } = require('ws');

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i + 1 < argv.length; i += 2) {
    if (argv[i] === '--host') out.host = argv[i + 1];
    else if (argv[i] === '--port') out.port = Number(argv[i + 1]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!out.host || !Number.isInteger(out.port)) throw new Error('usage: peer-server.js --host ADDRESS --port PORT');
  return out;
}

function main() {
  const { host, port } = parseArgs(process.argv.slice(2));
  const wss = new WebSocketServer({ host, port, perMessageDeflate: false });
  const sockets = new Set();
  let received = [];
  let pings = [];
  // Per request path (each client connects to its own): { open, peak, accepted }.
  let paths = {};

  wss.on('connection', (ws, req) => {
    sockets.add(ws);
    const p = (paths[req.url] = paths[req.url] || { open: 0, peak: 0, accepted: 0 });
    p.open += 1;
    p.accepted += 1;
    p.peak = Math.max(p.peak, p.open);
    ws.on('close', () => {
      sockets.delete(ws);
      p.open -= 1;
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === 'ping') {
        pings.push([req.socket.remotePort, Date.now()]);
        ws.send('pong');
        return;
      }
      let v;
      try {
        v = JSON.parse(text);
      } catch (_) {
        return;
      }
      if (!v || typeof v !== 'object') return;
      if (v.id !== undefined && typeof v.method === 'string') ws.send(JSON.stringify({ id: v.id, result: 'ok' }));
      else if (Number.isInteger(v.seq)) received.push([v.run, v.seq, Date.now()]);
    });
  });
  wss.on('error', (err) => {
    process.stderr.write(`peer-server: ${err.message}\n`);
    process.exit(1);
  });
  wss.on('listening', () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`));

  const answer = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
  let buffered = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let cmd;
      try {
        cmd = JSON.parse(line).cmd;
      } catch (_) {
        answer({ error: `not JSON: ${line}` });
        continue;
      }
      if (cmd === 'reset') {
        received = [];
        pings = [];
        paths = {};
        answer({ ok: true });
      } else if (cmd === 'report') {
        answer({ received, paths, pings });
      } else if (cmd === 'kill') {
        for (const ws of sockets) ws.terminate();
        answer({ ok: true });
      } else answer({ error: `unknown command ${cmd}` });
    }
  });
  const stop = () => {
    for (const ws of sockets) ws.terminate();
    wss.close(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.on('SIGTERM', stop);
}

main();
