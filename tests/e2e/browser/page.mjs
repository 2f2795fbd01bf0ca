// The page side of tests/e2e/browser.test.js: the shipped package (/pkg/web.mjs) in Chromium against the real
// fault-injecting test server, through the browser's WebSocket and through a `wx` built on it
// (wxOverWebSocket, tests/support/wx_sockets.js). Runs the scenarios one after another (they share one
// server whose faults hit every connection) and posts { ok, failures, notes } to /result.
import { wxOverWebSocket } from '/tests/support/wx_sockets.js';

var params = new URLSearchParams(location.search);
var wsUrl = params.get('ws');
var controlUrl = params.get('control');

function ctl(path) {
  return fetch(controlUrl + path).then(function (r) { return r.json(); });
}

function sleep(ms) {
  return new Promise(function (r) { setTimeout(r, ms); });
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

var SocketClient;
var notes = [];

function platforms() {
  return [['WebSocket', WebSocket], ['wx over WebSocket', wxOverWebSocket(WebSocket).wx]];
}

function rig(platform, extra) {
  var client = new SocketClient(Object.assign({ url: wsUrl + '/ws', platform: platform }, extra));
  var log = [];
  ['open', 'message', 'close', 'reconnecting', 'error', 'state'].forEach(function (name) {
    client.on(name, function (payload) { log.push({ name: name, payload: payload }); });
  });
  var r = {
    client: client,
    of: function (name) { return log.filter(function (e) { return e.name === name; }).map(function (e) { return e.payload; }); },
    untilCount: async function (name, n, ms) {
      var start = Date.now();
      while (r.of(name).length < n) {
        check(Date.now() - start < ms, 'waited ' + ms + ' ms for ' + n + ' ' + name + ' events; saw ' + JSON.stringify(r.of(name)));
        await sleep(5);
      }
    },
  };
  return r;
}

async function echoOfJsonAndBinaryFrames() {
  await ctl('/reset?kill=1');
  for (var [name, platform] of platforms()) {
    var r = rig(platform, {});
    check(r.client.send({ hello: '世界 🌏', n: [1, 2, 3] }) === false, name + ': queued before open');
    await r.untilCount('open', 1, 3000);
    check(r.client.send(new Uint8Array([0, 1, 254, 255]).buffer) === true, name + ': sent when open');
    await r.untilCount('message', 2, 3000);
    var messages = r.of('message');
    check(JSON.stringify(messages[0]) === '{"hello":"世界 🌏","n":[1,2,3]}', name + ': ' + JSON.stringify(messages[0]));
    // The binary echo arrives as an ArrayBuffer with the same bytes.
    check(Object.prototype.toString.call(messages[1]) === '[object ArrayBuffer]', name + ': binary echo is ' + Object.prototype.toString.call(messages[1]));
    check(Array.from(new Uint8Array(messages[1])).join(',') === '0,1,254,255', name + ': binary echo bytes');
    r.client.close();
    check(r.client.state === 'closed', name + ': closed');
  }
}

async function requestResponseAgainstTheServer() {
  await ctl('/reset?kill=1');
  for (var [name, platform] of platforms()) {
    var r = rig(platform, {});
    var reply = await r.client.request({ method: 'add', params: [2, 3] });
    check(JSON.stringify(reply.result) === '{"method":"add","params":[2,3]}', name + ': ' + JSON.stringify(reply));
    check(r.of('message').length === 0, name + ': the reply was not a message');
    r.client.close();
  }
}

async function reconnectAfterKillAndQueuedMessagesArriveInOrder() {
  for (var [name, platform] of platforms()) {
    await ctl('/reset?kill=1');
    var r = rig(platform, { reconnect: { minDelayMs: 50, maxDelayMs: 50, jitter: 0 } });
    await r.untilCount('open', 1, 3000);
    await ctl('/refuse?ms=300');
    await ctl('/kill');
    await r.untilCount('close', 1, 3000);
    for (var i = 0; i < 20; i++) check(r.client.send(i) === false, name + ': queued during the outage');
    await r.untilCount('open', 2, 5000);
    // The frames were handed over before `open` was emitted; wait until the server has read them.
    var start = Date.now();
    var frames = [];
    for (;;) {
      var log = await ctl('/log');
      var last = log.connections[log.connections.length - 1];
      frames = last.frames.map(function (f) { return f.data; });
      if (frames.length >= 20 || Date.now() - start > 3000) break;
      await sleep(20);
    }
    var want = Array.from({ length: 20 }, function (_, k) { return String(k); });
    check(JSON.stringify(frames) === JSON.stringify(want), name + ': every queued message arrived once, in order: ' + JSON.stringify(frames));
    check(r.of('close')[0].willReconnect === true, name + ': willReconnect');
    check(r.of('reconnecting').length >= 1, name + ': reconnecting');
    r.client.close();
  }
}

async function heartbeatFindsAStalledServer() {
  for (var [name, platform] of platforms()) {
    await ctl('/reset?kill=1');
    var r = rig(platform, { heartbeat: { intervalMs: 100, timeoutMs: 100 }, reconnect: { minDelayMs: 20, maxDelayMs: 20, jitter: 0 } });
    await r.untilCount('open', 1, 3000);
    // A healthy server answers pings: no timeout over several intervals.
    await sleep(350);
    var timedOut = function () { return r.of('error').some(function (e) { return e.code === 'HEARTBEAT_TIMEOUT'; }); };
    check(!timedOut(), name + ': pongs kept it alive');
    await ctl('/stall?new=1');
    var stalledAt = Date.now();
    await r.untilCount('close', 1, 3000);
    var detected = Date.now() - stalledAt;
    check(timedOut(), name + ': HEARTBEAT_TIMEOUT');
    // intervalMs + timeoutMs, plus slack for a shared machine.
    check(detected <= 200 + 1000, name + ': detected after ' + detected + ' ms');
    notes.push(name + ': stall detected after ' + detected + ' ms (interval 100 + timeout 100)');
    await ctl('/unstall');
    await r.untilCount('open', 2, 5000);
    r.client.close();
  }
  await ctl('/reset?kill=1');
}

async function main() {
  var pkg = await import('/pkg/web.mjs');
  await pkg.init();
  SocketClient = pkg.SocketClient;
  var failures = [];
  var scenarios = [echoOfJsonAndBinaryFrames, requestResponseAgainstTheServer, reconnectAfterKillAndQueuedMessagesArriveInOrder, heartbeatFindsAStalledServer];
  for (var s of scenarios) {
    try {
      await s();
    } catch (e) {
      failures.push(s.name + ': ' + (e && e.message));
    }
  }
  return { ok: true, failures: failures, notes: notes, userAgent: navigator.userAgent };
}

main().then(
  function (result) { return fetch('/result', { method: 'POST', body: JSON.stringify(result) }); },
  function (e) { return fetch('/result', { method: 'POST', body: JSON.stringify({ ok: false, error: String(e && e.stack || e) }) }); }
);
