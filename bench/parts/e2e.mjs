// Part 3: echo round trips per second against the real test server (tests/server/server.js, in its own
// process so client and server each have a core), our client (platform: npm ws's WebSocket) against a raw
// npm ws client. One message in flight: send, wait for the echo, send again. Rounds of `ROUND_MS`
// alternate raw/ours (the first variant of a round alternates too); the server's frame log is reset between
// rounds.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeMessage } from '../lib/payload.mjs';
import { median, pairedRatio, round } from '../lib/stats.mjs';
import { ROOT, require, loadPackage, output, log } from './common.mjs';

const SIZES = [64, 1024, 16384];
const ROUNDS = 6;
const ROUND_MS = 250;
const WebSocket = require('ws');

function startServerProcess() {
  const proc = spawn(process.execPath, [join(ROOT, 'tests/server/server.js'), '--port', '0', '--control-port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('the test server did not start')), 10000);
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = /WXSOCKET_TEST_SERVER=(\S+) WXSOCKET_CONTROL=(\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], control: m[2], proc });
      }
    });
    proc.once('exit', (code) => reject(new Error('the test server exited with ' + code)));
  });
}

const { pkg } = loadPackage();
await pkg.init();
const server = await startServerProcess();
let acc = 0;

try {
  // Raw client.
  const raw = new WebSocket(server.url);
  await new Promise((resolve, reject) => {
    raw.onopen = resolve;
    raw.onerror = (e) => reject(new Error('raw ws: ' + e.message));
  });
  let rawHandler = null;
  raw.onmessage = (ev) => rawHandler(ev.data);

  // Ours.
  const ours = new pkg.SocketClient({ url: server.url, platform: WebSocket, lifecycle: false });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('our client did not open: ' + ours.state)), 5000);
    ours.once('open', () => {
      clearTimeout(t);
      resolve();
    });
  });
  let oursHandler = null;
  ours.on('message', (v) => oursHandler(v));

  const variants = {
    raw(obj, ms) {
      return new Promise((resolve) => {
        let n = 0;
        const t0 = performance.now();
        const end = t0 + ms;
        rawHandler = (data) => {
          acc += JSON.parse(data).seq;
          n += 1;
          const t = performance.now();
          if (t < end) raw.send(JSON.stringify(obj));
          else resolve((n * 1000) / (t - t0));
        };
        raw.send(JSON.stringify(obj));
      });
    },
    ours(obj, ms) {
      return new Promise((resolve) => {
        let n = 0;
        const t0 = performance.now();
        const end = t0 + ms;
        oursHandler = (v) => {
          acc += v.seq;
          n += 1;
          const t = performance.now();
          if (t < end) ours.send(obj);
          else resolve((n * 1000) / (t - t0));
        };
        ours.send(obj);
      });
    },
  };

  const results = [];
  for (const bytes of SIZES) {
    const obj = makeMessage(bytes);
    const rate = { raw: [], ours: [] };
    // Warm-up, unmeasured.
    await variants.raw(obj, 100);
    await variants.ours(obj, 100);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? ['ours', 'raw'] : ['raw', 'ours'];
      for (const v of order) {
        await fetch(server.control + '/reset');
        rate[v].push(await variants[v](obj, ROUND_MS));
      }
    }
    const ratio = pairedRatio(rate.ours, rate.raw);
    const entry = {
      bytes,
      rounds: ROUNDS,
      roundMs: ROUND_MS,
      rawRoundTripsPerSec: Math.round(median(rate.raw)),
      oursRoundTripsPerSec: Math.round(median(rate.ours)),
      ratio: { median: round(ratio.median, 3), p25: round(ratio.p25, 3), p75: round(ratio.p75, 3) },
    };
    results.push(entry);
    log(`  e2e ${String(bytes).padStart(5)} B  raw ${entry.rawRoundTripsPerSec}/s  ours ${entry.oursRoundTripsPerSec}/s  ours/raw ${entry.ratio.median}`);
  }
  ours.close();
  ours.free();
  raw.close();
  output({ runtime: 'node ' + process.version, mode: 'one message in flight, echo over loopback', results, checksum: acc });
} finally {
  server.proc.kill('SIGTERM');
}
