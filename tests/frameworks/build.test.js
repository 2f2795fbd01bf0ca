'use strict';
// Real framework builds of the npm pack tarball, run in the phone-shaped harness against the real test
// server: a minimal uni-app project (Vue 3 + Vite, `uni build -p mp-weixin`) and a minimal Taro 4 project
// (React, webpack 5, `taro build --type weapp`), each with the one config line the README shows, plus the
// native example ("Build npm" by miniprogram-ci). Each output is launched in the WeChat shape and the iOS
// shape (refuses exported Globals), the native one in the Douyin shape too (`tt`, TTWebAssembly): open,
// echo, a request, and a reconnect after the server kills every connection.
//
// The frameworks' CLIs are installed by scripts/setup.sh from tests/frameworks/<name>/package.json and
// package-lock.json (pinned), once, outside the clone: ${XDG_CACHE_HOME:-~/.cache}/wxsocket/frameworks/<name>.
// Douyin builds of the frameworks are not made: uni-app's mp-toutiao and Taro's tt platform packages do not
// exist at the pinned versions (see the README).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { MiniProgram, waitFor } = require('../miniprogram/harness.js');
const { prepareExample, tarball } = require('../miniprogram/setup.js');
const { startServer } = require('../server/server.js');

const here = __dirname;
const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'wxsocket', 'frameworks');

const FRAMEWORKS = {
  uniapp: {
    files: ['vite.config.js', 'index.html', 'src'],
    source: 'src',
    build: ['node_modules/.bin/uni', ['build', '-p', 'mp-weixin']],
    output: 'dist/build/mp-weixin',
  },
  taro: {
    files: ['config', 'src', 'babel.config.js', 'project.config.json'],
    source: 'src',
    build: ['node_modules/.bin/taro', ['build', '--type', 'weapp']],
    output: 'dist',
  },
};

let server;

test.before(async () => {
  server = await startServer({ port: 0 });
});

test.after(async () => {
  if (server) await server.stop();
});

// Installs the package from the tarball the way npm does for a package without dependencies: its files
// under node_modules/wxsocket.
function installTarball(project) {
  const into = path.join(project, 'node_modules', 'wxsocket');
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tarball(), '-C', into, '--strip-components=1']);
}

function buildFramework(name) {
  const fw = FRAMEWORKS[name];
  const project = path.join(cache, name);
  if (!fs.existsSync(path.join(project, fw.build[0]))) {
    throw new Error(`${name} is not installed in ${project}: run bash scripts/setup.sh`);
  }
  for (const f of [...fw.files, fw.output.split('/')[0]]) fs.rmSync(path.join(project, f), { recursive: true, force: true });
  for (const f of fw.files) fs.cpSync(path.join(here, name, f), path.join(project, f), { recursive: true });
  fs.copyFileSync(path.join(here, 'shared', 'check.js'), path.join(project, fw.source, 'check.js'));
  fs.writeFileSync(path.join(project, fw.source, 'server-url.js'), `export default ${JSON.stringify(server.url)};\n`);
  installTarball(project);
  const started = Date.now();
  execFileSync(path.join(project, fw.build[0]), fw.build[1], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300000,
    env: { ...process.env, NODE_ENV: 'production', UNI_INPUT_DIR: path.join(project, 'src'), CI: 'true' },
  });
  console.log(`# ${name} build: ${Date.now() - started} ms`);
  return path.join(project, fw.output);
}

// Launches the built app and drives the check object that tests/frameworks/shared/check.js logs.
async function runCheck(root, options) {
  await server.reset({ kill: true });
  const mp = await MiniProgram.create(root, options);
  try {
    mp.launch();
    const logged = mp.logs.find((l) => l.args[0] === 'wxsocket-check');
    assert.ok(logged, 'the app logged its check object at launch');
    const check = logged.args[1];
    await check.ready;
    assert.equal(check.failure, undefined, check.failure && check.failure.message);
    await waitFor(() => check.state === 'open', 'the client to open', 10000);
    assert.deepEqual(mp.instantiated.map((i) => i.path), [mp.instantiated[0].path], 'one instantiation');
    check.client.send({ echo: 'hello 你好' });
    await waitFor(() => check.messages.some((m) => m.echo === 'hello 你好'), 'the echo');
    const reply = await check.client.request({ method: 'time', params: { n: 1 } });
    assert.deepEqual(JSON.parse(JSON.stringify(reply.result)), { method: 'time', params: { n: 1 } });
    server.kill();
    await waitFor(() => check.opens >= 2 && check.state === 'open', 'a reconnect after the server killed the connection', 10000);
    check.client.send({ echo: 'again' });
    await waitFor(() => check.messages.some((m) => m.echo === 'again'), 'the echo after the reconnect');
    check.client.close();
    check.client.free();
    assert.deepEqual(mp.errors.map(String), [], 'nothing thrown out of callbacks or timers');
    assert.deepEqual(mp.refused, [], 'no module refused');
    return mp;
  } finally {
    mp.close();
  }
}

for (const name of Object.keys(FRAMEWORKS)) {
  test(`${name}: the real CLI build runs in the WeChat and iOS shapes: open, echo, request, reconnect`, async () => {
    const out = buildFramework(name);
    assert.ok(fs.existsSync(path.join(out, 'wxsocket', 'wxsocket_bg.wasm.br')), 'the plugin put the module where the ESM entry looks');
    // uni-app's runtime uses WeChat's `global` object (wxsocket does not).
    const shape = name === 'uniapp' ? { appGlobal: true } : {};
    const android = await runCheck(out, shape);
    assert.equal(android.instantiated[0].path, '/wxsocket/wxsocket_bg.wasm.br');
    await runCheck(out, { ...shape, os: 'ios' });
  });
}

test('native example ("Build npm"): the chat page in the WeChat, iOS and Douyin shapes', async () => {
  const ex = await prepareExample({ serverUrl: server.url });
  try {
    for (const options of [{}, { os: 'ios' }, { platform: 'douyin' }]) {
      await server.reset({ kill: true });
      const mp = await MiniProgram.create(ex.miniprogramRoot, options);
      try {
        mp.launch();
        const page = mp.openPage('pages/chat/index');
        await waitFor(() => page.data.state === 'open', `the chat page to connect (${JSON.stringify(options)})`);
        page.onInput({ detail: { value: 'hi 😀' } });
        page.onSend();
        await waitFor(() => page.data.messages.some((m) => m.from === 'server' && m.text === 'hi 😀'), 'the echo');
        await page.onAsk();
        assert.equal(page.data.lastReply.result.method, 'time');
        server.kill();
        await waitFor(() => server.log().connections.length >= 2 && page.data.state === 'open', 'the reconnect after the kill', 15000);
        assert.deepEqual(mp.instantiated.map((i) => i.path), ['/miniprogram_npm/wxsocket/wxsocket_bg.wasm.br']);
        assert.deepEqual(mp.errors.map(String), []);
        if (options.platform === 'douyin') assert.equal(mp.evaluate("typeof wx + ' ' + typeof tt"), 'undefined object');
      } finally {
        mp.close();
      }
    }
  } finally {
    ex.cleanup();
  }
});
