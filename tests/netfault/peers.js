'use strict';
// The clients the bad-network suite drives, behind one shape:
//   ours      the built package (pkg/) in Node on the npm `ws` constructor, heartbeat from the scenario;
//   ours-alo  the same with at-least-once sends: `messageIdField` set, so frames a dead connection took
//             with it unconfirmed are sent again first on the next one (the server may see some twice);
//   baseline  reconnecting-websocket 4.4.0 (its defaults) on npm `ws`, with a heartbeat written by hand
//             the way page code would: after `intervalMs` without an inbound frame send `ping`, and when no
//             frame follows within `timeoutMs`, `reconnect()`.
// Both: `opened` (a promise of the first open), `send(obj)` (true when the client took the message: ours
// may throw QUEUE_FULL, which counts as reported), `figures()` and `close()`.

const path = require('node:path');
const WebSocket = require('ws');
const { tracer } = require('./verdicts.js');

const ROOT = path.resolve(__dirname, '..', '..');

function firstOpen(register) {
  return new Promise((resolve) => register(resolve));
}

function ours({ url, heartbeat, options = {} }) {
  const { SocketClient } = require(path.join(ROOT, 'pkg'));
  const trace = tracer();
  const client = new SocketClient({
    url,
    platform: trace.Socket,
    allowInsecure: true,
    heartbeat,
    queue: { maxMessages: 100000, maxBytes: 64 * 1024 * 1024 },
    ...options,
  });
  const opens = [];
  const errors = {};
  const reported = { lostEvents: 0, lostFrames: 0, refused: 0 };
  client.on('open', () => opens.push(Date.now()));
  client.on('error', (e) => {
    errors[e.code] = (errors[e.code] || 0) + 1;
    trace.onError(e);
    if (e.code === 'UNCONFIRMED_LOST') {
      reported.lostEvents += 1;
      // How many, in the event's `count` (docs/contract.md, Frames lost with a connection).
      reported.lostFrames += e.count;
    }
  });
  const opened = firstOpen((resolve) => {
    const off = client.on('open', () => {
      setImmediate(() => off());
      resolve();
    });
  });
  return {
    name: 'ours',
    opened,
    send(obj) {
      try {
        client.send(obj);
        return true;
      } catch (err) {
        reported.refused += 1;
        return false;
      }
    },
    figures() {
      const s = client.stats;
      return {
        opens,
        heartbeatTimeouts: errors.HEARTBEAT_TIMEOUT || 0,
        errors,
        // What the client itself said it did not deliver: dropped frames, refused sends.
        counted: Number(s.dropped) + reported.refused,
        dropped: Number(s.dropped),
        lostEvents: reported.lostEvents,
        lostFramesReported: reported.lostFrames,
        state: client.state,
      };
    },
    // Why each heartbeat timeout fell (verdicts.js), given the server's ping arrivals.
    verdicts: (serverPings) => trace.verdicts(serverPings),
    close() {
      trace.stop();
      client.close();
      client.free();
    },
  };
}

function baseline({ url, heartbeat }) {
  const ReconnectingWebSocket = require('reconnecting-websocket');
  // npm ws emits 'error' when a connecting socket is closed, and reconnecting-websocket removes its own
  // listeners before closing one after its connect timeout: without a listener of its own that error
  // would end the process (a browser WebSocket has no such event).
  class QuietWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      this.on('error', () => {});
    }
  }
  const rws = new ReconnectingWebSocket(url, [], { WebSocket: QuietWebSocket });
  const opens = [];
  let timeouts = 0;
  let pingTimer = null;
  let pongTimer = null;
  const stop = () => {
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    pingTimer = pongTimer = null;
  };
  const schedulePing = () => {
    if (!heartbeat) return;
    stop();
    pingTimer = setTimeout(() => {
      if (rws.readyState !== WebSocket.OPEN) return;
      rws.send('ping');
      pongTimer = setTimeout(() => {
        timeouts += 1;
        stop();
        rws.reconnect();
      }, heartbeat.timeoutMs);
    }, heartbeat.intervalMs);
  };
  const opened = firstOpen((resolve) => rws.addEventListener('open', resolve, { once: true }));
  rws.addEventListener('open', () => {
    opens.push(Date.now());
    schedulePing();
  });
  rws.addEventListener('message', () => schedulePing());
  rws.addEventListener('close', () => stop());
  rws.addEventListener('error', () => {});
  return {
    name: 'baseline',
    opened,
    send(obj) {
      rws.send(JSON.stringify(obj));
      return true;
    },
    figures() {
      return {
        opens,
        heartbeatTimeouts: timeouts,
        errors: {},
        counted: 0,
        dropped: 0,
        lostEvents: 0,
        lostFramesReported: 0,
        state: ['connecting', 'open', 'closing', 'closed'][rws.readyState],
      };
    },
    verdicts: () => [],
    close() {
      stop();
      rws.close();
    },
  };
}

// The field `messageIdField` stamps; the peer server counts a message by its `seq`, so a re-sent duplicate
// is counted apart (dups), never as received twice.
const MESSAGE_ID_FIELD = 'mid';

const PEERS = {
  ours,
  'ours-alo': (o) => ({ ...ours({ ...o, options: { messageIdField: MESSAGE_ID_FIELD } }), name: 'ours-alo' }),
  baseline,
};

module.exports = { PEERS };
