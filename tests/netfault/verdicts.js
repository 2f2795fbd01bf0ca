'use strict';
// Why each heartbeat timeout of our client fell: the suite records, per client socket, when each ping was
// handed to `ws` and what the client still held then (npm ws's `bufferedAmount`, and the kernel's unsent
// bytes from `ss`), when each pong reached page code, and what the socket held when the client aborted it.
// The peer server records when each ping arrived (by the client's TCP port). Together they tell:
//   behind-backlog  the ping had not reached the server when the verdict fell, and it had been handed over
//                   behind bytes the client itself still held (in ws's buffer or in the kernel's);
//   ping-not-there  the ping had not reached the server, with nothing held ahead of it (lost on the link,
//                   or the link is down: a blackhole);
//   pong-late       the server had the ping and answered before the verdict, but the pong was not handled
//                   in time: on this suite's fast downlink, a client process starved of CPU;
//   pong-crossing   the server answered within DOWNLINK_SLACK_MS of the verdict: the pong was on its way;
//   pong-lost       the server answered, and no pong came within the downlink's plausible time (loss);
//   no-ping-data    nothing to say (no ping recorded on that socket).
// Each verdict row: { kind, waitedMs (verdict - ping), pongTimeoutMs (from the error text), wsBuffered and
// kernelUnsent at the ping and at the verdict, bytesBefore (bytes the page sent before the ping on that
// socket), serverGotPingAfterMs, loopLagMs (the worst event-loop delay in the 3 s before the verdict) }.

const { execFileSync } = require('node:child_process');
const WebSocket = require('ws');

// A pong the server sent this long before the verdict should have been handled (loopback-fast downlink).
const DOWNLINK_SLACK_MS = 50;
const LAG_PROBE_MS = 50;
const LAG_WINDOW_MS = 3000;

/** The kernel's unsent and unacknowledged bytes of the TCP socket with this local port, or null. */
function kernelQueue(localPort) {
  if (!localPort) return null;
  try {
    const out = execFileSync('ss', ['-tniH', 'state', 'established', `( sport = :${localPort} )`], { encoding: 'utf8' });
    const notsent = /notsent:(\d+)/.exec(out);
    const fields = out.trim().split(/\s+/);
    return { unsent: notsent ? Number(notsent[1]) : 0, sendQ: Number(fields[1]) || 0 };
  } catch (_) {
    return null;
  }
}

/** A tracer: `Socket` (a ws subclass to pass as `platform`), `onError(e)`, `verdicts(serverPings)`, `stop()`. */
function tracer() {
  const sockets = []; // { port, pings: [{ t, wsBuffered, kernel, bytesBefore }], pongs: [t], end }
  const timeouts = []; // { t, pongTimeoutMs }
  const lags = []; // [t, lag]
  let last = Date.now();
  const probe = setInterval(() => {
    const now = Date.now();
    lags.push([now, Math.max(0, now - last - LAG_PROBE_MS)]);
    while (lags.length && lags[0][0] < now - 120000) lags.shift();
    last = now;
  }, LAG_PROBE_MS);

  class Socket extends WebSocket {
    constructor(...args) {
      super(...args);
      const rec = { port: null, pings: [], pongs: [], end: null, bytes: 0 };
      sockets.push(rec);
      this.trace = rec;
      this.on('open', () => {
        rec.port = this._socket ? this._socket.localPort : null;
      });
      this.on('message', (data, isBinary) => {
        if (!isBinary && String(data) === 'pong') rec.pongs.push(Date.now());
      });
    }

    send(data, ...rest) {
      const rec = this.trace;
      if (data === 'ping') rec.pings.push({ t: Date.now(), wsBuffered: this.bufferedAmount, kernel: kernelQueue(rec.port), bytesBefore: rec.bytes });
      else rec.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      return super.send(data, ...rest);
    }

    terminate() {
      this.trace.end = { t: Date.now(), wsBuffered: this.bufferedAmount, kernel: kernelQueue(this.trace.port) };
      return super.terminate();
    }
  }

  return {
    Socket,
    onError(e) {
      if (e.code !== 'HEARTBEAT_TIMEOUT') return;
      const m = /within (\d+) ms/.exec(e.message);
      timeouts.push({ t: Date.now(), pongTimeoutMs: m ? Number(m[1]) : null });
    },
    /** One row per heartbeat timeout, matched to the socket the client aborted for it. */
    verdicts(serverPings) {
      const ended = sockets.filter((s) => s.end);
      return timeouts.map((to) => {
        const s = ended.filter((x) => x.end.t <= to.t + 5).pop();
        const ping = s && s.pings.filter((p) => p.t <= s.end.t).pop();
        if (!s || !ping) return { kind: 'no-ping-data', pongTimeoutMs: to.pongTimeoutMs };
        const nth = s.pings.indexOf(ping);
        const arrivals = serverPings.filter(([port]) => port === s.port).map(([, t]) => t);
        const got = arrivals[nth];
        const lag = Math.max(0, ...lags.filter(([t]) => t <= s.end.t && t >= s.end.t - LAG_WINDOW_MS).map(([, l]) => l));
        let kind;
        const ahead = (ping.wsBuffered || 0) + (ping.kernel ? ping.kernel.unsent : 0);
        if ((got === undefined || got >= s.end.t) && ahead > 0) kind = 'behind-backlog';
        else if (got === undefined || got >= s.end.t) kind = 'ping-not-there';
        else if (got >= s.end.t - DOWNLINK_SLACK_MS) kind = 'pong-crossing';
        else if (lag > DOWNLINK_SLACK_MS) kind = 'pong-late';
        else kind = 'pong-lost';
        return {
          kind,
          waitedMs: s.end.t - ping.t,
          pongTimeoutMs: to.pongTimeoutMs,
          bytesBefore: ping.bytesBefore,
          atPing: { wsBuffered: ping.wsBuffered, kernel: ping.kernel },
          atVerdict: { wsBuffered: s.end.wsBuffered, kernel: s.end.kernel },
          serverGotPingAfterMs: got === undefined ? null : got - ping.t,
          loopLagMs: lag,
          pingOfSocket: nth + 1,
        };
      });
    },
    stop() {
      clearInterval(probe);
    },
  };
}

module.exports = { tracer };
