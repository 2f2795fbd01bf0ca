// The page side of the Chromium leak check (tests/leak/browser.test.js): loads the ESM entry
// /pkg/web.mjs (which fetches /pkg/wxsocket_bg.wasm), runs the clients against the real test server
// through the browser's WebSocket, and posts the figures to /result.
import { capture, runCycles } from './measure.mjs';

var params = new URLSearchParams(location.search);
// One test server per concurrent client: Chromium opens WebSockets to one host:port one at a time, about
// 10 ms apart, so one server would make 10,000 clients take minutes.
var wsUrls = params.getAll('ws');
var controls = params.getAll('control');
var total = Number(params.get('total') || 10000);
var warmup = Number(params.get('warmup') || 1000);

function post(body) {
  return fetch('/result', { method: 'POST', body: JSON.stringify(body) });
}

function once(client, event, pred) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { off(); reject(new Error('no ' + event + ' within 5 s (state ' + client.state + ')')); }, 5000);
    var off = client.on(event, function (payload) {
      if (pred && !pred(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

async function main() {
  var probe = capture();
  // The module's own names of malloc and free when the package build shortened them (browser.test.js).
  if (params.get('malloc') && params.get('free')) probe.allocator = { malloc: params.get('malloc'), free: params.get('free') };
  var pkg = await import('/pkg/web.mjs');
  await pkg.init();
  var received = 0;
  var answered = 0;
  // Time spent in each phase, summed over the clients (ms).
  var phases = { create: 0, open: 0, echo: 0, request: 0, close: 0 };

  async function cycle(i) {
    var t = performance.now();
    function lap(name) { var n = performance.now(); phases[name] += n - t; t = n; }
    var client = new pkg.SocketClient({
      url: wsUrls[i % wsUrls.length] + '/leak?token=t' + i,
      platform: WebSocket,
      heartbeat: { intervalMs: 30000, timeoutMs: 5000 },
      reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
    });
    var opened = once(client, 'open');
    client.send({ queued: i });
    lap('create');
    await opened;
    lap('open');
    var echo = once(client, 'message', function (m) { return m && m.hello === i; });
    client.send({ hello: i });
    await echo;
    lap('echo');
    received += 1;
    var reply = await client.request({ method: 'echo', params: { i: i } }, { timeoutMs: 5000 });
    lap('request');
    if (reply && reply.result && reply.result.params && reply.result.params.i === i) answered += 1;
    client.close(1000, 'done');
    client.free();
    lap('close');
  }

  var out = await runCycles({
    probe: probe,
    total: total,
    warmup: warmup,
    every: 1000,
    batch: wsUrls.length,
    cycle: cycle,
    // Let closing handshakes finish, and keep the server's log short.
    settle: async function () {
      await new Promise(function (r) { setTimeout(r, 50); });
      for (var k = 0; k < controls.length; k++) await fetch(controls[k] + '/reset');
    },
    gc: function () { window.gc(); },
    heap: function () { return performance.memory.usedJSHeapSize; },
  });
  await post({ ok: true, rows: out.rows, ms: out.ms, received: received, answered: answered, phases: phases, userAgent: navigator.userAgent });
}

main().catch(function (e) {
  post({ ok: false, error: String(e && e.stack || e) });
});
