'use strict';
// The tarball as a user gets it: `npm install <tgz>` in an empty folder, then `require('wxsocket')` (and
// `import`) in Node against the real test server, a browser bundle through esbuild, and TypeScript
// resolving the package's `exports`.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile, execFileSync, spawnSync } = require('node:child_process');
const esbuild = require('esbuild');
const { startServer } = require('../server/server.js');
const { tarball, npm } = require('../miniprogram/setup.js');

const repo = path.resolve(__dirname, '..', '..');
const wsPath = require.resolve('ws');

let server;
let dir;

test.before(async () => {
  server = await startServer({ port: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-fresh-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fresh-check', version: '1.0.0', private: true }));
  npm(['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball()], dir);
});

test.after(async () => {
  if (server) await server.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// Runs a script in the fresh folder (asynchronously: the test server lives in this process); the script
// prints one JSON line with its findings.
function run(args, script) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...args, script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20000,
      env: { ...process.env, SERVER_URL: server.url, WS_MODULE: wsPath },
    }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}${stdout}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()));
    });
  });
}

const CLIENT_SCRIPT = (load) => `
  ${load}
  const WebSocket = require(process.env.WS_MODULE);
  (async () => {
    const before = w.init();
    await before;
    const client = await w.connect({ url: process.env.SERVER_URL, platform: WebSocket, reconnect: false });
    const got = [];
    client.on('message', (m) => got.push(m));
    await new Promise((resolve) => client.once('open', resolve));
    client.send({ text: 'hello from node 你好 😀' });
    const reply = await client.request({ method: 'sum', params: [1, 2] });
    client.send(new Uint8Array([9, 8, 7]));
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    client.close();
    const state = client.state;
    client.free();
    const bin = got.find((m) => m instanceof ArrayBuffer);
    console.log(JSON.stringify({
      version: w.version,
      isPromise: before instanceof Promise,
      classOk: client instanceof w.SocketClient,
      text: got.find((m) => !(m instanceof ArrayBuffer)),
      reply,
      bytes: bin ? Array.from(new Uint8Array(bin)) : null,
      state,
    }));
  })().catch((e) => { console.error(e); process.exit(1); });
`;

function checkClientRun(out) {
  const version = JSON.parse(fs.readFileSync(path.join(repo, 'pkg', 'package.json'), 'utf8')).version;
  assert.equal(out.version, version);
  assert.equal(out.isPromise, true);
  assert.equal(out.classOk, true);
  assert.deepEqual(out.text, { text: 'hello from node 你好 😀' });
  assert.equal(out.reply.result.method, 'sum');
  assert.deepEqual(out.reply.result.params, [1, 2]);
  assert.deepEqual(out.bytes, [9, 8, 7]);
  assert.equal(out.state, 'closed');
}

test('the installed package holds exactly the files package.json lists', () => {
  const installed = path.join(dir, 'node_modules', 'wxsocket');
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [path.relative(installed, path.join(d, e.name)).split(path.sep).join('/')]);
  assert.deepEqual(walk(installed).sort(), [
    'LICENSE', 'README.md', 'index.cjs', 'index.d.ts', 'index.mjs', 'index.node.mjs', 'web.mjs', 'vite.js', 'taro.js',
    'miniprogram_dist/index.js', 'miniprogram_dist/wxsocket_bg.wasm.br',
    'package.json', 'wxsocket_bg.wasm',
  ].sort());
});

test("require('wxsocket') in Node connects to the test server, sends and receives", async () => {
  checkClientRun(await run(['-e'], CLIENT_SCRIPT("const w = require('wxsocket');")));
  assert.ok(server.log().connections.length >= 1);
});

test("import from 'wxsocket' in Node takes the node entry (synchronous load) and works the same", async () => {
  const script = `import * as w from 'wxsocket'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);` +
    CLIENT_SCRIPT('');
  checkClientRun(await run(['--input-type=module', '-e'], script));
});

test("a browser bundle (esbuild, platform browser) of 'wxsocket/web' keeps the .wasm URL for the bundler", async () => {
  fs.writeFileSync(path.join(dir, 'app.js'), "import { connect } from 'wxsocket/web';\nconnect({ url: 'wss://example.com' });\n");
  const result = await esbuild.build({
    entryPoints: [path.join(dir, 'app.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.endsWith('node_modules/wxsocket/web.mjs')), inputs.join(', '));
  const code = result.outputFiles[0].text;
  assert.match(code, /new URL\("\.\/wxsocket_bg\.wasm", import\.meta\.url\)/);
  assert.doesNotMatch(code, /require\(["'](fs|path)["']\)/, 'nothing from Node in a browser bundle');
});

test('TypeScript resolves the types through exports (moduleResolution bundler and node16)', () => {
  fs.writeFileSync(path.join(dir, 'check.ts'), [
    "import { connect, init, SocketClient, version } from 'wxsocket';",
    'export async function f(): Promise<string> {',
    "  await init();",
    "  const c: SocketClient = await connect({ url: 'wss://example.com', heartbeat: true });",
    '  c.close();',
    '  return version + c.state;',
    '}',
    '',
  ].join('\n'));
  const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [module, resolution] of [['esnext', 'bundler'], ['node16', 'node16']]) {
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2020', lib: ['es2020'], types: [], module, moduleResolution: resolution },
      files: ['check.ts'],
    }));
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${resolution}: ${r.stdout}${r.stderr}`);
  }
});

test('npm pack of pkg/ is reproducible: the tarball lists the same files', () => {
  const listed = execFileSync('tar', ['-tzf', tarball()], { encoding: 'utf8' }).trim().split('\n').map((l) => l.replace(/^package\//, '')).sort();
  const installed = fs.readdirSync(path.join(dir, 'node_modules', 'wxsocket'));
  for (const f of installed) assert.ok(listed.some((l) => l === f || l.startsWith(f + '/')), f);
});

test('closing a socket that is still connecting (connect timeout) does not crash Node', {
}, async () => {
  server.hang(true);
  try {
    const out = await run(['-e'], `
      const w = require('wxsocket');
      const WebSocket = require(process.env.WS_MODULE);
      w.connect({ url: process.env.SERVER_URL, platform: WebSocket, connectTimeoutMs: 300, reconnect: false }).then((c) => {
        const errors = [];
        c.on('error', (e) => errors.push(e.code));
        setTimeout(() => { console.log(JSON.stringify({ errors, state: c.state })); c.close(); c.free(); }, 1000);
      });
    `);
    assert.deepEqual(out.errors, ['CONNECT_TIMEOUT']);
  } finally {
    server.hang(false);
    await server.reset({ kill: true });
  }
});
