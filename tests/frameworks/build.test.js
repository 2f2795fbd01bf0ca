'use strict';
// Real framework builds of the npm pack tarball, run in the phone-shaped harness against the real test
// server: a minimal uni-app project (Vue 3 + Vite) built with `uni build -p mp-weixin` and `-p mp-toutiao`,
// and a minimal Taro 4 project (React, webpack 5) built with `taro build --type weapp` and `--type tt`, each
// with the one config line the README shows, plus the native example ("Build npm" by miniprogram-ci). WeChat
// builds run in the WeChat shape and the iOS shape (refuses exported Globals), Douyin builds in the Douyin
// shape (`tt` and TTWebAssembly, no `wx`); the native example in all three: open, echo, a request, and a
// reconnect after the server kills every connection.
//
// The frameworks' CLIs are installed by scripts/setup.sh from tests/frameworks/<name>/package.json and
// package-lock.json (pinned), once, outside the clone: ${XDG_CACHE_HOME:-~/.cache}/wxsocket/frameworks/<name>.

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

// Each framework's targets: the CLI's arguments, where the build lands, and the harness shapes it runs in.
const WECHAT_SHAPES = [{}, { os: 'ios' }];
const DOUYIN_SHAPES = [{ platform: 'douyin' }];
const FRAMEWORKS = {
  uniapp: {
    files: ['vite.config.js', 'index.html', 'src'],
    source: 'src',
    cli: 'node_modules/.bin/uni',
    targets: [
      { args: ['build', '-p', 'mp-weixin'], output: 'dist/build/mp-weixin', shapes: WECHAT_SHAPES },
      { args: ['build', '-p', 'mp-toutiao'], output: 'dist/build/mp-toutiao', shapes: DOUYIN_SHAPES },
    ],
    // uni-app's runtime uses the platform's `global` object (wxsocket does not).
    shape: { appGlobal: true },
  },
  taro: {
    files: ['config', 'src', 'babel.config.js', 'project.config.json'],
    source: 'src',
    cli: 'node_modules/.bin/taro',
    targets: [
      { args: ['build', '--type', 'weapp'], output: 'dist', shapes: WECHAT_SHAPES },
      { args: ['build', '--type', 'tt'], output: 'dist', shapes: DOUYIN_SHAPES },
    ],
    shape: {},
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

// Holds `dir` (a lock directory) while `f` runs: the framework installs are shared by every clone on the
// machine, and two test runs building in one install would overwrite each other's output. A lock older than
// 15 minutes is taken as left by a run that died.
function withLock(dir, f) {
  const deadline = Date.now() + 20 * 60 * 1000;
  for (;;) {
    try {
      fs.mkdirSync(dir);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let age = 0;
      try {
        age = Date.now() - fs.statSync(dir).mtimeMs;
      } catch (gone) {
        continue;
      }
      if (age > 15 * 60 * 1000) fs.rmSync(dir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${dir} is still held by another test run`);
      else execFileSync('sleep', ['0.5']);
    }
  }
  try {
    return f();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const builtCopies = [];
test.after(() => {
  for (const dir of builtCopies) fs.rmSync(dir, { recursive: true, force: true });
});

// Copies the project into its cached install, builds it for one target there (under the install's lock),
// and returns a copy of the output directory of its own, which no later build can change.
function buildFramework(name, target) {
  return withLock(path.join(cache, `${name}.lock`), () => {
    const out = buildInInstall(name, target);
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), `wxsocket-${name}-`));
    fs.cpSync(out, copy, { recursive: true });
    builtCopies.push(copy);
    return copy;
  });
}

function buildInInstall(name, target) {
  const fw = FRAMEWORKS[name];
  const project = path.join(cache, name);
  if (!fs.existsSync(path.join(project, fw.cli))) {
    throw new Error(`${name} is not installed in ${project}: run bash scripts/setup.sh --frameworks`);
  }
  for (const f of [...fw.files, target.output.split('/')[0]]) fs.rmSync(path.join(project, f), { recursive: true, force: true });
  for (const f of fw.files) fs.cpSync(path.join(here, name, f), path.join(project, f), { recursive: true });
  fs.copyFileSync(path.join(here, 'shared', 'check.js'), path.join(project, fw.source, 'check.js'));
  fs.writeFileSync(path.join(project, fw.source, 'server-url.js'), `export default ${JSON.stringify(server.url)};\n`);
  installTarball(project);
  const started = Date.now();
  execFileSync(path.join(project, fw.cli), target.args, {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300000,
    env: { ...process.env, NODE_ENV: 'production', UNI_INPUT_DIR: path.join(project, 'src'), CI: 'true' },
  });
  console.log(`# ${name} ${target.args.join(' ')}: ${Date.now() - started} ms`);
  return path.join(project, target.output);
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
    if (options.platform === 'douyin') assert.equal(mp.evaluate("typeof wx + ' ' + typeof tt"), 'undefined object', 'Douyin: only tt');
    return mp;
  } finally {
    mp.close();
  }
}

// One after another (each awaited): a build and its checks are never interleaved with another's.
test('framework builds', async (t) => {
  for (const [name, fw] of Object.entries(FRAMEWORKS)) {
    for (const target of fw.targets) {
      const shapes = target.shapes.map((o) => JSON.stringify(o)).join(', ');
      await t.test(`${name}: \`${target.args.join(' ')}\` runs in the harness (${shapes}): open, echo, request, reconnect`, async () => {
        const out = buildFramework(name, target);
        assert.ok(fs.existsSync(path.join(out, 'wxsocket', 'wxsocket_bg.wasm.br')), 'the plugin put the module where the ESM entry looks');
        for (const options of target.shapes) {
          const mp = await runCheck(out, { ...fw.shape, ...options });
          assert.equal(mp.instantiated[0].path, '/wxsocket/wxsocket_bg.wasm.br');
        }
      });
    }
  }
});

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
