'use strict';
// The wxsocket demo: a mini-program page's client (over a wx-shaped platform backed by real sockets) talks to
// the fault-injecting test server while faults are injected on a schedule. Prints a timeline and a verdict
// that compares the server's log with what was sent. Exit 0 when nothing was lost that the client could
// have saved, nothing was duplicated, order was kept and every request was answered. Then the app is killed
// with messages queued and launched again (`queue.persist`, `messageIdField`, the server dropping duplicates
// by id): the server must get each message exactly once, in order.
// Also writes the run's event log and its picture (scripts/timeline.js) to target/demo/timeline.json and
// target/demo/timeline.svg (WXSOCKET_DEMO_OUT names another folder).
//
//   node scripts/demo.js            (scripts/demo.sh builds what is missing first)

const fs = require('node:fs');
const path = require('node:path');
const {
  loadPackage, loadServer, loadWxFactory, sleep, readLog, checkMessages,
} = require('../tests/e2e/helpers.js');
const { PhoneStorage } = require('../tests/miniprogram/storage.js');
const { renderTimeline } = require('./timeline.js');

const OUT_DIR = process.env.WXSOCKET_DEMO_OUT || path.join(__dirname, '..', 'target', 'demo');

const HEARTBEAT = { intervalMs: 1000, timeoutMs: 1000 };
const HEARTBEAT_PING = 'ping'; // the client's default heartbeat message
const BACKOFF = { minDelayMs: 100, maxDelayMs: 2000, factor: 2, jitter: 0.2 };
const MESSAGE_EVERY_MS = 100;
const REQUEST_EVERY_MS = 500;

// ---------- output ----------
const useColour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code) => (s) => (useColour ? `\x1b[${code}m${s}\x1b[0m` : String(s));
const c = {
  dim: paint('2'), bold: paint('1'), red: paint('31'), green: paint('32'), yellow: paint('33'),
  blue: paint('34'), magenta: paint('35'), cyan: paint('36'),
};
const KIND = {
  FAULT: c.red, STATE: c.cyan, RETRY: c.yellow, HEARTBEAT: c.magenta, QUEUE: c.blue, DELIVERY: c.green,
  ERROR: c.yellow, INFO: c.dim, APP: c.magenta,
};
let t0 = Date.now();
function line(kind, text) {
  const secs = ((Date.now() - t0) / 1000).toFixed(3).padStart(7);
  const label = kind.padEnd(9);
  process.stdout.write(`  ${c.dim(secs + 's')}  ${(KIND[kind] || ((s) => s))(label)}  ${text}\n`);
}

// The event log behind the picture (kinds: see scripts/timeline.js); `at` is a Date.now() time, default now.
const timeline = [];
function record(kind, fields = {}, at = Date.now()) {
  timeline.push({ t: at - t0, kind, ...fields });
}

// ---------- main ----------
async function main() {
  const { SocketClient } = loadPackage();
  const { startServer } = loadServer();
  const wxOverWebSocket = await loadWxFactory();
  const server = await startServer({ port: 0 });
  const harness = wxOverWebSocket(require('ws'));
  // Heartbeat pings as the client sends them (the timeline's heartbeat lane): each task's send, watched.
  const connectSocket = harness.wx.connectSocket;
  harness.wx.connectSocket = function (options) {
    const task = connectSocket.call(this, options);
    const send = task.send;
    task.send = function (o) {
      if (o && o.data === HEARTBEAT_PING) record('ping');
      return send.call(this, o);
    };
    return task;
  };

  console.log(c.bold('wxsocket demo') + c.dim(' · a mini-program client against a server that fails on purpose'));
  console.log(c.dim(`  server ${server.url} · heartbeat ${HEARTBEAT.intervalMs}/${HEARTBEAT.timeoutMs} ms · ` +
    `backoff min ${BACKOFF.minDelayMs} max ${BACKOFF.maxDelayMs} ×${BACKOFF.factor} jitter ${BACKOFF.jitter} · ` +
    `a message every ${MESSAGE_EVERY_MS} ms, a request every ${REQUEST_EVERY_MS} ms`));
  console.log(c.dim('  ' + '-'.repeat(86)));
  t0 = Date.now();

  const client = new SocketClient({
    url: server.url,
    platform: harness.wx,
    heartbeat: HEARTBEAT,
    reconnect: BACKOFF,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 20000,
    queue: { maxMessages: 5000 },
  });

  // ---- bookkeeping ----
  const sent = []; // per message: { t, handed, epoch }
  let epoch = 0; // number of opens so far
  let unconfirmedReports = 0; // UNCONFIRMED_LOST events: frames a dead connection took with it, counted in stats.dropped
  let unconfirmedCount = 0; // the sum of their `count` fields
  let pendingSilent = null; // the stall: { kind, at, detectedAt } (the heartbeat's detection time)
  let heartbeatTimes = [];
  let echoes = 0;
  let lastState = client.state;
  let requests = 0;
  let answered = 0;
  let wrongAnswers = 0;
  let answeredAfterReconnect = 0;
  const requestPromises = [];
  let outageStart = null;
  let maxQueue = 0;

  client.on('state', ({ from, to }) => {
    lastState = to;
    record('state', { from, to });
    const q = client.queuedCount;
    line('STATE', (to !== 'open' || q ? `${from.padEnd(10)} → ${to.padEnd(10)}` + c.dim(` queue ${q}`) : `${from.padEnd(10)} → ${to}`));
    if (to !== 'open' && outageStart === null) outageStart = Date.now();
  });
  client.on('open', (ev) => {
    epoch += 1;
    record('open', { attempt: ev.attempt, reconnected: ev.reconnected });
    record('queue', { depth: client.queuedCount });
    const down = outageStart === null ? null : Date.now() - outageStart;
    outageStart = null;
    line('STATE', `open (attempt ${ev.attempt}${ev.reconnected ? ', reconnected' : ''})` +
      (down !== null ? c.dim(` after ${down} ms down`) : '') + c.dim(` · queue flushed, now ${client.queuedCount}`));
  });
  client.on('close', (ev) => {
    record('close', { code: ev.code, willReconnect: ev.willReconnect, delayMs: ev.delayMs });
    line('STATE', `close code ${ev.code}${ev.reason ? ` "${ev.reason}"` : ''}` +
      (!ev.willReconnect ? ', no retry' : ev.delayMs === null || ev.delayMs === undefined
        ? ', retry when the network returns' : `, retry in ${Math.round(ev.delayMs)} ms`));
    if (pendingSilent && pendingSilent.detectedAt === null) pendingSilent.detectedAt = Date.now();
  });
  client.on('reconnecting', (ev) => {
    record('retry', { attempt: ev.attempt, delayMs: ev.delayMs });
    line('RETRY', `retry #${String(ev.attempt).padEnd(3)} after ${String(Math.round(ev.delayMs)).padStart(5)} ms` +
      c.dim(`  (retryCount ${client.retryCount})`));
  });
  client.on('error', (ev) => {
    if (ev.code === 'HEARTBEAT_TIMEOUT') {
      const f = pendingSilent;
      const detect = f ? Date.now() - f.at : null;
      if (detect !== null) heartbeatTimes.push(detect);
      record('heartbeat-timeout', { detectedMs: detect });
      line('HEARTBEAT', `timeout: no pong · dead connection detected ${detect === null ? '' : c.bold(detect + ' ms') + ' after the stall'}` +
        c.dim(` (bound ${HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs} ms)`));
      return;
    }
    if (ev.code === 'UNCONFIRMED_LOST') {
      unconfirmedReports += 1;
      unconfirmedCount += ev.count;
    }
    record('error', { code: ev.code });
    line('ERROR', `${ev.code}: ${ev.message}`);
  });
  client.on('message', (m) => {
    if (m && m.k === 'm') {
      echoes += 1;
      record('delivered', { messages: echoes, requests: answered });
    }
  });

  // ---- traffic ----
  let seq = 0;
  let rseq = 0;
  let sending = true;
  const msgTimer = setInterval(() => {
    if (!sending) return;
    const s = seq++;
    const handed = client.send({ k: 'm', seq: s });
    sent.push({ t: Date.now(), handed, epoch });
    record('queue', { depth: client.queuedCount });
    if (client.queuedCount > maxQueue) maxQueue = client.queuedCount;
  }, MESSAGE_EVERY_MS);
  const reqTimer = setInterval(() => {
    if (!sending) return;
    const r = rseq++;
    requests += 1;
    const sentEpoch = epoch;
    const sentOpen = client.state === 'open';
    requestPromises.push(client.request({ method: 'r', params: { rseq: r } }).then((reply) => {
      answered += 1;
      record('delivered', { messages: echoes, requests: answered });
      if (sentOpen && epoch !== sentEpoch) answeredAfterReconnect += 1;
      if (!reply || !reply.result || !reply.result.params || reply.result.params.rseq !== r) wrongAnswers += 1;
    }, (err) => {
      line('ERROR', `request ${r} rejected: ${err.code || err.message}`);
    }));
  }, REQUEST_EVERY_MS);
  const progressTimer = setInterval(() => {
    if (lastState === 'open') {
      line('DELIVERY', `${String(seq).padStart(4)} sent · ${String(echoes).padStart(4)} echoed · ` +
        `${String(answered).padStart(3)}/${requests} requests answered · queue ${client.queuedCount}`);
    } else {
      line('QUEUE', `outage: ${client.queuedCount} messages queued (${client.bufferedAmount} bytes), ` +
        `${requests - answered} requests waiting`);
    }
  }, 1000);

  // ---- the fault schedule ----
  const at = async (ms) => {
    const wait = t0 + ms - Date.now();
    if (wait > 0) await sleep(wait);
  };

  await at(2000);
  line('FAULT', c.bold('kill') + ': TCP connections destroyed, no close frame');
  record('fault', { name: 'kill' });
  server.kill();

  await at(4500);
  line('FAULT', c.bold('stall') + ': the server stops reading and answering (half-open); only a heartbeat can tell');
  pendingSilent = { kind: 'stall', at: Date.now(), detectedAt: null, epoch };
  record('fault', { name: 'stall' });
  server.stall();

  await at(8500);
  line('FAULT', c.bold('restart') + ': server down for 1500 ms, then listening again');
  record('fault', { name: 'restart, 1.5 s down' });
  const restarted = server.restart(1500).then(() => line('INFO', 'server listening again'));
  await restarted;

  await at(13000);
  line('APP', c.bold('network off') + ': the phone loses its network (sockets die, server unreachable)');
  const beforeOff = { retries: client.retryCount, connects: client.stats.connects };
  record('app', { name: 'network off' });
  harness.setNetwork(false);
  await server.refuse(0);
  server.kill();
  await at(15500);
  const spent = client.stats.connects - beforeOff.connects;
  line('INFO', `while offline: ${spent} connection attempts spent (docs/contract.md: none)`);
  await server.accept();
  const onAt = Date.now();
  line('APP', c.bold('network on'));
  record('app', { name: 'network on' });
  harness.setNetwork(true);
  const netOpen = await waitOpen(client, 5000);
  if (netOpen) line('INFO', `reconnected ${Date.now() - onAt} ms after the network came back`);

  await at(17500);
  line('APP', c.bold('app hide') + ': the page goes to the background');
  record('app', { name: 'app hide' });
  harness.hide();
  await at(19000);
  const showAt = Date.now();
  let pingAfterShow = null;
  const onFrame = (rec, frame) => {
    if (pingAfterShow === null && frame.data === 'ping' && frame.t >= showAt) pingAfterShow = frame.t - showAt;
  };
  server.on('frame', onFrame);
  line('APP', c.bold('app show') + ': back in the foreground; a heartbeat client pings at once');
  record('app', { name: 'app show' });
  harness.show();
  await sleep(300);
  server.off('frame', onFrame);
  line('HEARTBEAT', pingAfterShow === null ? 'no ping within 300 ms of show' : `ping reached the server ${pingAfterShow} ms after show`);

  await at(20500);
  sending = false;
  clearInterval(msgTimer);
  clearInterval(reqTimer);
  line('INFO', `traffic stopped: ${seq} messages, ${requests} requests; waiting for the queue and the replies`);
  const drainEnd = Date.now() + 15000;
  while (Date.now() < drainEnd && (client.queuedCount > 0 || answered < requests)) await sleep(50);
  await sleep(500); // the last echoes reach the server log
  clearInterval(progressTimer);
  line('DELIVERY', `${seq} sent · ${echoes} echoed · ${answered}/${requests} requests answered · queue ${client.queuedCount}`);
  const finalStats = client.stats;
  client.close(1000, 'demo over');
  await Promise.race([Promise.allSettled(requestPromises), sleep(1000)]);

  // ---- verdict ----
  const { messages, requests: serverRequests, log } = readLog(server);
  const check = checkMessages(messages, seq);
  // A message the client handed to a socket (send() returned true) can die with that connection: it went into
  // a TCP connection the server destroyed (kill) or no longer read (stall) before the client could know. This
  // client sends at most once, so it cannot send it again; it must say so: UNCONFIRMED_LOST events whose
  // counts cover every such loss (every frame sent after the last ping a pong confirmed, in stats.dropped).
  const lostHanded = check.missing.filter((s) => sent[s].handed);
  const queuedCount = sent.filter((m) => !m.handed).length;
  const queuedMissing = check.missing.length - lostHanded.length;
  const reqCounts = new Map();
  for (const r of serverRequests) reqCounts.set(r.rseq, (reqCounts.get(r.rseq) || 0) + 1);
  let reqMissing = 0;
  let reqResent = 0;
  for (let r = 0; r < requests; r++) {
    const n = reqCounts.get(r) || 0;
    if (n === 0) reqMissing += 1;
    if (n > 1) reqResent += n - 1;
  }

  // The server's log of the schedule is read above; the relaunch step starts from a reset server.
  const relaunch = await killAndRelaunch(server, wxOverWebSocket, SocketClient);
  console.log(c.dim('  ' + '-'.repeat(86)));
  console.log(c.bold('Verdict') + c.dim(` (server log: ${log.connections.length} connections, ${messages.length} message frames, ${serverRequests.length} request frames)`));
  const rows = [];
  const row = (ok, what, detail) => rows.push({ ok, what, detail });
  const lostReported = unconfirmedCount >= lostHanded.length && finalStats.dropped >= unconfirmedCount;
  row(queuedMissing === 0 && lostReported,
    'every message delivered or reported',
    `${check.distinct}/${seq} distinct seqs in the server log; ${queuedCount} were queued during outages, ${queuedMissing} of them missing` +
    (lostHanded.length ? `; ${lostHanded.length} handed to a connection that then died (${lostHanded[0]}..${lostHanded[lostHanded.length - 1]}) were lost with it, ` +
      `and the client said so: ${unconfirmedReports} UNCONFIRMED_LOST event(s) counting ${unconfirmedCount} frames, stats.dropped ${finalStats.dropped}` : ''));
  row(check.duplicated.length === 0, 'no duplicates', `each seq counted across all ${log.connections.length} connections' logs: ${check.duplicated.length} seen twice or more`);
  row(check.outOfOrder === 0 && check.unknown.length === 0, 'order kept',
    `seqs in server arrival order (connection by connection) strictly increasing: ${check.outOfOrder} inversions`);
  row(answered === requests && wrongAnswers === 0 && reqMissing === 0, 'every request answered',
    `${answered}/${requests} resolved with their own reply; ${answeredAfterReconnect} were in flight when their connection died and were answered after the reconnect; ${reqResent} seen twice by the server (at-least-once)`);
  row(heartbeatTimes.length > 0 && heartbeatTimes.every((d) => d <= HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs + 1000),
    'half-open found by heartbeat', `detected in ${heartbeatTimes.join(', ') || '-'} ms (bound interval+timeout = ${HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs} ms)`);
  row(spent === 0, 'no attempts while offline', `${spent} attempts while the platform reported no network`);
  row(pingAfterShow !== null, 'ping on app show', pingAfterShow === null ? 'none seen' : `${pingAfterShow} ms after show`);
  row(relaunch.ok, 'kill and relaunch: once, in order', relaunch.detail);
  for (const r of rows) {
    const mark = r.ok ? c.green('  PASS ') : c.red('  FAIL ');
    console.log(`${mark} ${r.what.padEnd(36)} ${c.dim(r.detail)}`);
  }
  console.log(c.dim(`  stats: connects ${finalStats.connects}, reconnects ${finalStats.reconnects}, sent ${finalStats.messagesSent}, ` +
    `received ${finalStats.messagesReceived}, max queue ${maxQueue}, last RTT ${finalStats.lastRttMs} ms`));
  const ok = rows.every((r) => r.ok);
  writeTimeline({
    title: 'wxsocket demo: a mini-program client against a server that fails on purpose',
    subtitle: `heartbeat ${HEARTBEAT.intervalMs}/${HEARTBEAT.timeoutMs} ms · backoff min ${BACKOFF.minDelayMs} max ${BACKOFF.maxDelayMs} ` +
      `×${BACKOFF.factor} jitter ${BACKOFF.jitter} · a message every ${MESSAGE_EVERY_MS} ms, a request every ${REQUEST_EVERY_MS} ms · ` +
      `verdict ${ok ? 'OK' : 'FAILED'}`,
    durationMs: Date.now() - t0,
    events: timeline,
  });
  console.log(ok ? c.green(c.bold('  OK: nothing the client could save was lost, nothing duplicated, order kept.'))
    : c.red(c.bold('  FAILED: see the rows above.')));
  try {
    client.free();
  } catch (_) { /* ignore */ }
  await server.stop();
  return ok;
}

// ---------- kill and relaunch ----------
const OUTBOX_KEY = 'demo-outbox';
const KILL_MESSAGES = 5;

// One launch of the app: a client on its own wx-shaped platform whose storage is the phone's (it outlives the
// app). `kill()` is what WeChat does to a backgrounded app: everything stops; its storage calls from then on
// change nothing.
function launchApp(wxOverWebSocket, SocketClient, storage, url, name) {
  let alive = true;
  const platform = wxOverWebSocket(require('ws'));
  const wx = Object.assign({}, platform.wx, storage.api(() => alive, (fn) => setTimeout(fn, 0)));
  const client = new SocketClient({
    url, platform: wx, reconnect: BACKOFF, lifecycle: false, queue: { persist: OUTBOX_KEY }, messageIdField: 'mid',
  });
  client.on('error', (ev) => {
    if (ev.code !== 'CONNECT_FAILED') line('ERROR', `${name}: ${ev.code}: ${ev.message}`);
  });
  line('APP', `${c.bold(name)} launched · ${client.queuedCount} messages restored from storage into the queue`);
  return {
    client,
    kill() {
      alive = false;
      client.free();
      line('APP', `${c.bold(name)} killed by WeChat · storage holds ${storedFrames(storage)} frames`);
    },
  };
}

function storedFrames(storage) {
  const text = storage.read(OUTBOX_KEY);
  return text === '' ? 0 : JSON.parse(text).frames.length;
}

async function until(check, ms) {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(10);
  return check();
}

// Launch 1 queues messages with no server, is killed; launch 2 restores and flushes them and is killed before
// it has stored its emptied queue (so storage still holds them); launch 3 restores and sends them again, then
// a new one. The server drops by id what it has seen: each message once, in order.
async function killAndRelaunch(server, wxOverWebSocket, SocketClient) {
  console.log(c.dim('  ' + '-'.repeat(86)));
  line('INFO', c.bold('kill and relaunch') + ': queue.persist + messageIdField; the server drops duplicate ids');
  await server.reset({ kill: true });
  const storage = new PhoneStorage();
  const url = `${server.url}/?dedup=mid&client=demo-app`;
  await server.refuse(0);
  line('FAULT', 'server unreachable');
  const first = launchApp(wxOverWebSocket, SocketClient, storage, url, 'launch 1');
  for (let i = 0; i < KILL_MESSAGES; i++) first.client.send({ k: 'chat', seq: i, text: `message ${i}` });
  line('QUEUE', `${first.client.queuedCount} chat messages queued`);
  const storedInTime = await until(() => storedFrames(storage) === KILL_MESSAGES, 1500);
  line('QUEUE', `in storage ${storedInTime ? 'within 1 s' : 'NOT within 1.5 s'} · ${storage.writes.length} storage write(s)`);
  first.kill();

  await server.accept();
  line('INFO', 'server reachable again');
  const second = launchApp(wxOverWebSocket, SocketClient, storage, url, 'launch 2');
  const flushed = await until(() => server.delivered('demo-app').messages.length === KILL_MESSAGES, 5000);
  line('DELIVERY', `launch 2 flushed its queue: ${server.delivered('demo-app').messages.length} messages at the server`);
  second.kill(); // within the second before it would have stored its emptied queue

  const third = launchApp(wxOverWebSocket, SocketClient, storage, url, 'launch 3');
  await waitOpen(third.client, 5000);
  third.client.send({ k: 'chat', seq: KILL_MESSAGES, text: 'after the relaunch' });
  await until(() => server.delivered('demo-app').messages.length === KILL_MESSAGES + 1, 3000);
  await sleep(200);
  const log = server.log().connections.filter((conn) => conn.dedupClient === 'demo-app');
  const duplicates = log.flatMap((conn) => conn.frames).filter((f) => f.duplicate).length;
  const got = server.delivered('demo-app').messages;
  line('DELIVERY', `server delivered seqs [${got.map((m) => m.seq).join(', ')}] with ids [${got.map((m) => m.mid).join(', ')}] · ${duplicates} duplicates dropped by id`);
  third.client.close(1000, 'demo over');
  third.client.free();
  const inOrder = got.length === KILL_MESSAGES + 1 && got.every((m, i) => m.seq === i);
  return {
    ok: storedInTime && flushed && inOrder,
    detail: `${got.length}/${KILL_MESSAGES + 1} delivered exactly once in order across 3 launches (2 killed); ` +
      `${duplicates} re-sent frames dropped by the server by id; queue in storage within 1 s: ${storedInTime}`,
  };
}

// The log as JSON and its picture as SVG, into OUT_DIR.
function writeTimeline(log) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const json = path.join(OUT_DIR, 'timeline.json');
  const svg = path.join(OUT_DIR, 'timeline.svg');
  fs.writeFileSync(json, JSON.stringify(log, null, 1) + '\n');
  fs.writeFileSync(svg, renderTimeline(log));
  console.log(c.dim(`  timeline picture: ${path.relative(process.cwd(), svg)} (its event log: ${path.relative(process.cwd(), json)})`));
}

function waitOpen(client, ms) {
  if (client.state === 'open') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(false);
    }, ms);
    const off = client.on('open', () => {
      clearTimeout(timer);
      setImmediate(() => off());
      resolve(true);
    });
  });
}

main().then((ok) => process.exit(ok ? 0 : 1), (err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(2);
});
