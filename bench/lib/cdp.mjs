// The one headless Chromium launcher (the benchmark's browser part and the leak check), driven over the
// DevTools protocol (npm ws). Launch flags are the ones this machine's Chromium needs as root; the profile
// is a fresh temporary folder. `launch(bin, { args, url })`: extra flags, and the page to open first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, delimiter } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

// CHROMIUM_BIN, or the first of chromium, chromium-browser, google-chrome on the PATH.
export function findChromium() {
  if (process.env.CHROMIUM_BIN && existsSync(process.env.CHROMIUM_BIN)) return process.env.CHROMIUM_BIN;
  const dirs = (process.env.PATH || '').split(delimiter).filter(Boolean);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of dirs) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function launch(bin, { args: extra = [], url = 'about:blank' } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'wxsocket-bench-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-extensions', '--disable-default-apps', '--mute-audio',
    '--remote-debugging-port=0', '--user-data-dir=' + profile, ...extra, url,
  ];
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const portFile = join(profile, 'DevToolsActivePort');
  let port = null;
  // Up to 60 s: a loaded 2-core machine has taken more than 10 s to start Chromium.
  for (let i = 0; i < 1200 && port === null; i++) {
    if (proc.exitCode !== null) break;
    if (existsSync(portFile)) {
      const first = readFileSync(portFile, 'utf8').split('\n')[0];
      if (/^\d+$/.test(first)) port = Number(first);
    }
    if (port === null) await sleep(50);
  }
  const cleanup = () => {
    try { proc.kill('SIGTERM'); } catch { /* gone */ }
    try { rmSync(profile, { recursive: true, force: true }); } catch { /* best effort */ }
  };
  if (port === null) {
    cleanup();
    throw new Error('Chromium did not start its DevTools endpoint: ' + stderr.trim().split('\n').slice(-3).join(' | '));
  }
  const base = 'http://127.0.0.1:' + port;
  const version = await (await fetch(base + '/json/version')).json();
  const targets = await (await fetch(base + '/json/list')).json();
  const page = targets.find((t) => t.type === 'page');
  if (!page) {
    cleanup();
    throw new Error('Chromium has no page target');
  }
  const session = await connect(page.webSocketDebuggerUrl);
  return {
    version: version.Browser,
    session,
    // Resolves with the exit code if Chromium exits by itself; `stderr()` is its last output.
    exited,
    stderr: () => stderr,
    async close() {
      session.close();
      proc.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      try { rmSync(profile, { recursive: true, force: true }); } catch { /* best effort */ }
    },
  };
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    let id = 0;
    const pending = new Map();
    const listeners = new Set();
    ws.on('message', (buf) => {
      const msg = JSON.parse(buf.toString());
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { resolve: ok, reject: fail } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) fail(new Error(msg.error.message));
        else ok(msg.result);
      } else if (msg.method) {
        for (const l of listeners) l(msg);
      }
    });
    ws.once('error', reject);
    ws.once('open', () => {
      resolve({
        send(method, params) {
          return new Promise((ok, fail) => {
            id += 1;
            pending.set(id, { resolve: ok, reject: fail });
            ws.send(JSON.stringify({ id, method, params: params || {} }));
          });
        },
        on(fn) { listeners.add(fn); },
        close() { ws.close(); },
      });
    });
  });
}

// Evaluates an async expression in the page and returns its value (JSON-serialisable).
export async function evaluate(session, expression) {
  const r = await session.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) {
    const d = r.exceptionDetails;
    throw new Error('page: ' + ((d.exception && d.exception.description) || d.text));
  }
  return r.result.value;
}
