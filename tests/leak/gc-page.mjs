// The page side of the Chromium part of tests/leak/gc.test.js: an open client of /pkg/web.mjs that the page
// keeps no reference to, full collections (window.gc(), --js-flags=--expose-gc), a push from the test server
// through its control port, then close() and collections again. Posts what it saw to /gc-result.
var params = new URLSearchParams(location.search);
var wsUrl = params.get('ws');
var control = params.get('control');

function sleep(ms) {
  return new Promise(function (r) { setTimeout(r, ms); });
}
async function until(cond, what) {
  for (var k = 0; k < 500; k++) {
    if (cond()) return;
    await sleep(10);
  }
  throw new Error('timed out waiting for ' + what);
}
async function collect() {
  for (var k = 0; k < 4; k++) {
    await sleep(10);
    window.gc();
  }
}

async function main() {
  var pkg = await import('/pkg/web.mjs');
  await pkg.init();
  var seen = { opens: 0, pushes: [], collected: false };
  var registry = new FinalizationRegistry(function () { seen.collected = true; });
  var ref = (function () {
    var client = new pkg.SocketClient({ url: wsUrl });
    client.on('open', function () { seen.opens += 1; });
    client.on('message', function (m) { seen.pushes.push(m); });
    registry.register(client, 'client');
    return new WeakRef(client);
  })();
  await until(function () { return seen.opens === 1; }, 'open');
  await collect();
  var collectedWhileOpen = seen.collected;
  await fetch(control + '/push?n=1&data=' + encodeURIComponent('{"push":"after gc"}'));
  await until(function () { return seen.pushes.length === 1; }, 'the push');
  ref.deref().close();
  await sleep(50);
  for (var k = 0; k < 20 && !seen.collected; k++) await collect();
  return { collectedWhileOpen: collectedWhileOpen, pushes: seen.pushes, collectedAfterClose: seen.collected };
}

main().then(
  function (out) { return fetch('/gc-result', { method: 'POST', body: JSON.stringify(out) }); },
  function (e) { return fetch('/gc-result', { method: 'POST', body: JSON.stringify({ error: String((e && e.stack) || e) }) }); }
);
