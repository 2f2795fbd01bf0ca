// Send and receive overhead, measured the same way in Node and in the browser page.
//
// Five variants per direction, all in one process, over lean fakes (./fakes.mjs):
//   raw-task   `task.send({ data: JSON.stringify(obj) })`; `JSON.parse(ev.data)` in `task.onMessage`
//   ours-task  `client.send(obj)`; a `message` listener (the client on the fake wx)
//   raw-ws     `ws.send(JSON.stringify(obj))`; `JSON.parse(ev.data)` in `ws.onmessage` (fake WebSocket)
//   rws        reconnecting-websocket over the fake WebSocket: `rws.send(JSON.stringify(obj))`;
//              `JSON.parse(ev.data)` in an `addEventListener('message')` listener
//   ours-ws    our client with the fake WebSocket class as its platform
// For each size and direction: the iteration count is calibrated so that one raw-task batch takes about
// `batchMs`; then `rounds` rounds run every variant once, in an order rotated each round (A/B/C…, then
// B/C…/A), after `warmup` unmeasured rounds. Per variant the median time per message; per pair the median
// of the per-round throughput ratios (rounds are paired: the variants ran back to back).
//
// Each size runs in every scenario (SCENARIOS below), with fresh clients and sockets per scenario: our
// clients get the scenario's options, the raw paths and reconnecting-websocket do the same work in all of
// them, so a scenario's ratios show what that use of our client costs against hand-written code.

import { createBenchWx, FakeWebSocket } from './fakes.mjs';
import { makeMessage } from './payload.mjs';
import { median, quantile, pairedRatio, round } from './stats.mjs';

export const SIZES = [64, 256, 1024, 16384];

// How page code uses the client while messages flow.
//   plain      no heartbeat, no request awaiting a reply
//   heartbeat  `heartbeat: true` (defaults: a ping every 30 s; no timer fires inside a measured batch,
//              so this is the per-message bookkeeping of "any frame is alive")
//   request    one `request()` always awaiting a reply that never comes (the fakes do not answer, and the
//              benchmark's messages carry no top-level `id`), so every inbound frame is checked against it
export const SCENARIOS = {
  plain: { options: {}, requestInFlight: false },
  heartbeat: { options: { heartbeat: true }, requestInFlight: false },
  request: { options: {}, requestInFlight: true },
};

// Long enough that the pending request outlives every scenario; it is rejected with CLOSED at the end.
const REQUEST_TIMEOUT_MS = 3_600_000;
export const VARIANTS = ['raw-task', 'ours-task', 'raw-ws', 'rws', 'ours-ws'];

const URL = 'wss://bench.example/ws';

function tick(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Builds every client and socket, opened, with a message listener that feeds `sink`.
async function setup(SocketClient, ReconnectingWebSocket, scenario) {
  const state = { acc: 0 };
  const sink = (v) => {
    state.acc += v.seq;
  };

  const wx = createBenchWx();

  wx.wx.connectSocket({ url: URL });
  const rawTask = wx.last;
  rawTask.task.onMessage((ev) => sink(JSON.parse(ev.data)));
  rawTask.open();

  const oursTaskClient = new SocketClient({ url: URL, platform: wx.wx, lifecycle: false, ...scenario.options });
  const oursTask = wx.last;
  oursTask.open();
  oursTaskClient.on('message', sink);
  if (oursTaskClient.state !== 'open') throw new Error('our client over the fake task did not open: ' + oursTaskClient.state);

  const rawWs = new FakeWebSocket(URL);
  rawWs.onmessage = (ev) => sink(JSON.parse(ev.data));
  rawWs.serverOpen();

  const rws = new ReconnectingWebSocket(URL, undefined, { WebSocket: FakeWebSocket, maxRetries: 0 });
  rws.addEventListener('message', (ev) => sink(JSON.parse(ev.data)));
  // reconnecting-websocket creates its socket after a setTimeout(0) and a promise.
  for (let i = 0; i < 50 && !rws._ws; i++) await tick(5);
  const rwsSocket = FakeWebSocket.last;
  if (!rws._ws || rwsSocket !== rws._ws) throw new Error('reconnecting-websocket made no socket');
  rwsSocket.serverOpen();
  if (rws.readyState !== 1) throw new Error('reconnecting-websocket did not open');

  const oursWsClient = new SocketClient({ url: URL, platform: FakeWebSocket, lifecycle: false, ...scenario.options });
  const oursWs = FakeWebSocket.last;
  oursWs.serverOpen();
  oursWsClient.on('message', sink);
  if (oursWsClient.state !== 'open') throw new Error('our client over the fake WebSocket did not open: ' + oursWsClient.state);

  // The request each of our clients keeps awaiting; its frame went out before the first count is read.
  const pending = [];
  if (scenario.requestInFlight) {
    for (const c of [oursTaskClient, oursWsClient]) {
      const settled = { done: false, error: null };
      c.request({ type: 'subscribe', room: 'r42' }, { timeoutMs: REQUEST_TIMEOUT_MS }).then(
        () => { settled.done = true; },
        (e) => { settled.done = true; settled.error = e; }
      );
      pending.push(settled);
    }
  }
  // Called after each batch: a request that settled early would turn the scenario into `plain`.
  function checkPending() {
    for (const p of pending) {
      if (p.done) throw new Error('the in-flight request settled during the benchmark: ' + (p.error ? p.error.code || p.error : 'resolved'));
    }
  }

  // One function per variant and direction, each with its own loop (no shared megamorphic call site).
  const send = {
    'raw-task': (n, obj) => {
      const t = rawTask.task;
      for (let i = 0; i < n; i++) t.send({ data: JSON.stringify(obj) });
    },
    'ours-task': (n, obj) => {
      const c = oursTaskClient;
      for (let i = 0; i < n; i++) c.send(obj);
    },
    'raw-ws': (n, obj) => {
      const w = rawWs;
      for (let i = 0; i < n; i++) w.send(JSON.stringify(obj));
    },
    rws: (n, obj) => {
      const w = rws;
      for (let i = 0; i < n; i++) w.send(JSON.stringify(obj));
    },
    'ours-ws': (n, obj) => {
      const c = oursWsClient;
      for (let i = 0; i < n; i++) c.send(obj);
    },
  };
  const receive = {
    'raw-task': (n, frame) => {
      const r = rawTask;
      for (let i = 0; i < n; i++) r.message(frame);
    },
    'ours-task': (n, frame) => {
      const r = oursTask;
      for (let i = 0; i < n; i++) r.message(frame);
    },
    'raw-ws': (n, frame) => {
      const w = rawWs;
      for (let i = 0; i < n; i++) w.serverMessage(frame);
    },
    rws: (n, frame) => {
      const w = rwsSocket;
      for (let i = 0; i < n; i++) w.serverMessage(frame);
    },
    'ours-ws': (n, frame) => {
      const w = oursWs;
      for (let i = 0; i < n; i++) w.serverMessage(frame);
    },
  };
  // What each variant handed to its socket, to check that every send went out.
  const sentCount = {
    'raw-task': () => rawTask.sent,
    'ours-task': () => oursTask.sent,
    'raw-ws': () => rawWs.sent,
    rws: () => rwsSocket.sent,
    'ours-ws': () => oursWs.sent,
  };
  function close() {
    oursTaskClient.close();
    oursTaskClient.free();
    oursWsClient.close();
    oursWsClient.free();
    rws.close();
  }
  return { state, send, receive, sentCount, checkPending, close };
}

/**
 * @param {object} o
 * @param {Function} o.SocketClient  our class, initialised
 * @param {Function} o.ReconnectingWebSocket
 * @param {() => number} o.now  milliseconds, high resolution
 * @param {number} [o.rounds]  measured rounds per size and direction
 * @param {number} [o.warmup]  unmeasured rounds first
 * @param {number} [o.batchMs]  target duration of one raw-task batch
 * @param {number[]} [o.sizes]
 * @param {string[]} [o.scenarios]  names from SCENARIOS, all by default
 * @param {(line: string) => void} [o.log]
 */
export async function runOverhead(o) {
  const now = o.now;
  const rounds = o.rounds || 31;
  const warmup = o.warmup === undefined ? 4 : o.warmup;
  const batchMs = o.batchMs || 15;
  const sizes = o.sizes || SIZES;
  const scenarios = o.scenarios || Object.keys(SCENARIOS);
  const log = o.log || (() => {});
  const results = [];
  let checksum = 0;
  for (const scenario of scenarios) {
    if (!SCENARIOS[scenario]) throw new Error('unknown scenario ' + scenario);
    const s = await setup(o.SocketClient, o.ReconnectingWebSocket, SCENARIOS[scenario]);
    try {
      await measureScenario(s, scenario);
    } finally {
      s.close();
    }
    checksum += s.state.acc;
  }
  return { sizes, scenarios, variants: VARIANTS, results, checksum };

  async function measureScenario(s, scenario) {
    for (const bytes of sizes) {
      const obj = makeMessage(bytes);
      const frame = JSON.stringify(obj);
      for (const dir of ['send', 'receive']) {
        const fns = dir === 'send' ? s.send : s.receive;
        const arg = dir === 'send' ? obj : frame;
        // Calibrate on the raw path: grow n until a batch takes a quarter of batchMs, then scale by the
        // median of three timings (one slow batch, a GC or a tier-up, must not set the count). Done twice:
        // once cold, and again after the warm-up rounds, when every variant has reached its top tier.
        const timeRaw = (k) => {
          const t0 = now();
          fns['raw-task'](k, arg);
          return now() - t0;
        };
        const calibrate = () => {
          let k = 64;
          while (timeRaw(k) < batchMs / 4 && k < 1 << 24) k *= 4;
          const dt = median([timeRaw(k), timeRaw(k), timeRaw(k)]);
          return Math.max(16, Math.round((k * batchMs) / Math.max(dt, 0.001)));
        };
        fns['raw-task'](2000, arg);
        let n = calibrate();
        for (let r = 0; r < warmup; r++) for (const v of VARIANTS) fns[v](n, arg);
        n = calibrate();
        const times = {};
        for (const v of VARIANTS) times[v] = [];
        const sentBefore = {};
        for (const v of VARIANTS) sentBefore[v] = s.sentCount[v]();
        for (let r = 0; r < rounds; r++) {
          for (let k = 0; k < VARIANTS.length; k++) {
            const v = VARIANTS[(r + k) % VARIANTS.length];
            const t0 = now();
            fns[v](n, arg);
            const dt = now() - t0;
            times[v].push((dt * 1e6) / n); // ns per message
          }
        }
        s.checkPending();
        if (dir === 'send') {
          for (const v of VARIANTS) {
            const sent = s.sentCount[v]() - sentBefore[v];
            if (sent !== n * rounds) throw new Error(v + ' handed ' + sent + ' of ' + n * rounds + ' messages to its socket');
          }
        }
        const perVariant = {};
        for (const v of VARIANTS) {
          const t = times[v];
          perVariant[v] = {
            nsPerMsg: round(median(t), 1),
            p25: round(quantile(t, 0.25), 1),
            p75: round(quantile(t, 0.75), 1),
            msgsPerSec: Math.round(1e9 / median(t)),
          };
        }
        // Throughput ratio a/b = time(b) / time(a), per round.
        const ratio = (a, b) => {
          const r = pairedRatio(times[b], times[a]);
          return { median: round(r.median, 3), p25: round(r.p25, 3), p75: round(r.p75, 3) };
        };
        const entry = {
          scenario,
          bytes,
          direction: dir,
          batch: n,
          rounds,
          variants: perVariant,
          ratios: {
            oursTaskVsRawTask: ratio('ours-task', 'raw-task'),
            oursWsVsRawWs: ratio('ours-ws', 'raw-ws'),
            rwsVsRawWs: ratio('rws', 'raw-ws'),
            oursWsVsRws: ratio('ours-ws', 'rws'),
          },
        };
        results.push(entry);
        log(
          `  ${scenario.padEnd(9)} ${dir.padEnd(7)} ${String(bytes).padStart(5)} B  raw ${perVariant['raw-task'].nsPerMsg} ns  ours ${perVariant['ours-task'].nsPerMsg} ns` +
            `  ours/raw ${entry.ratios.oursTaskVsRawTask.median}  ours/rws ${entry.ratios.oursWsVsRws.median}  rws/raw-ws ${entry.ratios.rwsVsRawWs.median}`
        );
      }
    }
  }
}
