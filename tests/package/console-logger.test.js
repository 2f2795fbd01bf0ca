'use strict';
// consoleLogger, the ready `logger` option (js-shim/console-logger.js):
// - every entry of the built package exports it (index.cjs, index.node.mjs, index.mjs, web.mjs, and
//   miniprogram_dist/index.js required inside the phone harness);
// - levels: the lowest level written, 'info' by default; each entry goes to console[level] with the
//   '[wxsocket] ' prefix, console.log standing in for a missing method; bad options are INVALID_OPTION;
// - in the phone harness, with the runtime's own console, a real client against the test server: the
//   open/close entries arrive, state changes only at 'debug', and no secret from the URL's query string or
//   the headers appears anywhere in what was written.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { MiniProgram, waitFor } = require('../miniprogram/harness.js');
const { startServer } = require('../server/server.js');

const pkg = path.resolve(__dirname, '..', '..', 'pkg');

// A console that keeps what is written: [method, text, fields].
function capture(methods = ['log', 'debug', 'info', 'warn', 'error']) {
  const lines = [];
  const out = {};
  for (const m of methods) out[m] = (text, fields) => lines.push([m, text, fields]);
  return { out, lines };
}

let server;
let root;
const runtimes = [];

test.before(async () => {
  server = await startServer({ port: 0 });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-console-logger-'));
  fs.cpSync(path.join(pkg, 'miniprogram_dist'), path.join(root, 'miniprogram_npm', 'wxsocket'), { recursive: true });
});

test.after(async () => {
  for (const mp of runtimes) mp.close();
  if (server) await server.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function phone() {
  const mp = await MiniProgram.create(root);
  runtimes.push(mp);
  return mp;
}

test('every entry exports consoleLogger', async () => {
  const entries = {
    'index.cjs': require(path.join(pkg, 'index.cjs')),
    'index.node.mjs': await import(pathToFileURL(path.join(pkg, 'index.node.mjs')).href),
    'index.mjs': await import(pathToFileURL(path.join(pkg, 'index.mjs')).href),
    'web.mjs': await import(pathToFileURL(path.join(pkg, 'web.mjs')).href),
    'miniprogram_dist/index.js': (await phone()).require('wxsocket'),
  };
  for (const [name, entry] of Object.entries(entries)) {
    assert.equal(typeof entry.consoleLogger, 'function', name);
    const { out, lines } = capture();
    entry.consoleLogger({ console: out })('warn', 'from ' + name, { k: 1 });
    assert.deepEqual(lines, [['warn', '[wxsocket] from ' + name, { k: 1 }]], name);
  }
});

test('levels: the lowest level written, info by default', () => {
  const { consoleLogger } = require(path.join(pkg, 'index.cjs'));
  const written = (options) => {
    const { out, lines } = capture();
    const log = consoleLogger({ ...options, console: out });
    for (const level of ['debug', 'info', 'warn', 'error', 'trace']) log(level, level, {});
    return lines.map(([m]) => m);
  };
  assert.deepEqual(written({}), ['info', 'warn', 'error']);
  assert.deepEqual(written({ level: 'debug' }), ['debug', 'info', 'warn', 'error']);
  assert.deepEqual(written({ level: 'warn' }), ['warn', 'error']);
  assert.deepEqual(written({ level: 'error' }), ['error']);
});

test('a console without the level\'s method gets console.log', () => {
  const { consoleLogger } = require(path.join(pkg, 'index.cjs'));
  const { out, lines } = capture(['log']);
  consoleLogger({ level: 'debug', console: out })('debug', 'state', { from: 'connecting', to: 'open' });
  assert.deepEqual(lines, [['log', '[wxsocket] state', { from: 'connecting', to: 'open' }]]);
});

test('bad options are INVALID_OPTION WxSocketErrors', () => {
  const { consoleLogger } = require(path.join(pkg, 'index.cjs'));
  for (const options of [null, 'debug', { level: 'verbose' }, { level: 3 }, { console: {} }, { console: null }]) {
    assert.throws(() => consoleLogger(options), (e) => e.name === 'WxSocketError' && e.code === 'INVALID_OPTION', JSON.stringify(options));
  }
});

test('in the phone harness: a real client logs to the runtime console, with nothing secret in it', async () => {
  const mp = await phone();
  const w = mp.require('wxsocket');
  await w.init();
  const secrets = ['QUERY-SECRET-7f3a', 'HEADER-SECRET-91bc'];
  const run = async (level) => {
    mp.logs.length = 0;
    const client = new w.SocketClient({
      url: `${server.url}/chat?token=${secrets[0]}`,
      header: { Authorization: `Bearer ${secrets[1]}` },
      reconnect: false,
      logger: w.consoleLogger(level === undefined ? undefined : { level }),
    });
    await waitFor(() => client.state === 'open', 'open');
    client.close();
    client.free();
    return mp.logs.map(({ level: method, args }) => ({ method, text: args[0], fields: args[1] }));
  };

  const info = await run(undefined);
  const open = info.find((l) => l.text === '[wxsocket] open');
  assert.ok(open, JSON.stringify(info));
  assert.equal(open.method, 'info');
  assert.equal(open.fields.url, `${server.url}/chat?…`, 'the URL is there, its query string cut');
  assert.ok(info.some((l) => l.text === '[wxsocket] close'), JSON.stringify(info));
  assert.ok(!info.some((l) => l.text === '[wxsocket] state'), 'no debug entries at the default level');

  const debug = await run('debug');
  const states = debug.filter((l) => l.text === '[wxsocket] state');
  assert.ok(states.length >= 2, JSON.stringify(debug));
  assert.ok(states.every((l) => l.method === 'debug'));

  const everything = JSON.stringify([info, debug]);
  for (const secret of secrets) assert.ok(!everything.includes(secret), `${secret} reached the console`);
  assert.deepEqual(mp.errors.map(String), []);
});
