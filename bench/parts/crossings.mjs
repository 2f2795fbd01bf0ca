// Boundary crossings per message: how many times one `client.send(obj)` and one inbound frame cross between
// JavaScript and WebAssembly, by name. The Node entry's instance is made with every import (wasm → JS) and
// every export (JS → wasm) wrapped in a counter; counts are per message over `N` messages on the fake wx
// (so one-off work such as growing a buffer averages out). Names lose wasm-bindgen's hash suffix.
import { openBenchClient } from '../lib/open-client.mjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPackage, output, log, ROOT } from './common.mjs';

const N = 1000;
const counts = { imports: new Map(), exports: new Map() };
let counting = false;

// The shipped module's import and export names are short (wasm-opt --minify-imports in scripts/build-pkg.sh); the package build
// leaves the map back to wasm-bindgen's names beside its work files.
const NAMES_FILE = join(ROOT, 'target', 'wxsocket-pkg', 'wasm-names.json');
const names = existsSync(NAMES_FILE) ? JSON.parse(readFileSync(NAMES_FILE, 'utf8')) : { imports: {}, exports: {} };

function clean(name) {
  return name.replace(/^__wbg_/, '').replace(/_[0-9a-f]{16}$/, '');
}

function bump(map, name) {
  if (counting) map.set(name, (map.get(name) || 0) + 1);
}

const { pkg } = loadPackage({
  capture: {
    wrap(module, imports, Real) {
      const wrapped = {};
      for (const [mod, fns] of Object.entries(imports)) {
        wrapped[mod] = {};
        for (const [name, f] of Object.entries(fns)) {
          const label = clean(names.imports[name] || name);
          wrapped[mod][name] = typeof f === 'function'
            ? function (...args) {
                bump(counts.imports, label);
                return f.apply(this, args);
              }
            : f;
        }
      }
      const inst = new Real(module, wrapped);
      const exports = {};
      for (const [name, v] of Object.entries(inst.exports)) {
        exports[name] = typeof v === 'function'
          ? function (...args) {
              bump(counts.exports, clean(names.exports[name] || name));
              return v.apply(this, args);
            }
          : v;
      }
      return { exports };
    },
  },
});
await pkg.init();

function measure(label, fn) {
  counts.imports.clear();
  counts.exports.clear();
  counting = true;
  for (let i = 0; i < N; i++) fn();
  counting = false;
  const per = (map) => Object.fromEntries([...map.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / N]));
  const imports = per(counts.imports);
  const exports = per(counts.exports);
  const total = (o) => Object.values(o).reduce((a, b) => a + b, 0);
  const r = { imports, exports, importCalls: total(imports), exportCalls: total(exports) };
  log(`  ${label}: ${r.exportCalls} JS->wasm + ${r.importCalls} wasm->JS calls per message`);
  return r;
}

const rig = openBenchClient(pkg, 1024);
const { client, task, obj, frame } = rig;
for (let i = 0; i < 100; i++) {
  client.send(obj);
  task.message(frame);
}
const send = measure('send', () => client.send(obj));
const receive = measure('receive', () => task.message(frame));

// Every other kind of inbound frame (the issue-12 bound: none above 1 JS->wasm and 4 wasm->JS calls).
// A message while a request waits for its reply (the pending request never gets one here).
client.request({ op: 'never answered' }, { timeoutMs: 1e9 }).catch(() => {});
const whilePending = measure('receive while a request is pending', () => task.message(frame));
// A reply that settles a request: the request is made outside the count (its send is the send case). With
// automatic ids (numbers) and with string ids chosen by the caller.
let replies = 0;
function replyCase(label, idOf) {
  counts.imports.clear();
  counts.exports.clear();
  for (let i = 0; i < N; i++) {
    const data = idOf(i) === undefined ? { op: 'echo' } : { id: idOf(i), op: 'echo' };
    // request() puts the automatic id on `data`.
    client.request(data).then(() => { replies += 1; });
    counting = true;
    task.message(JSON.stringify({ id: data.id, ok: true }));
    counting = false;
  }
  const per = (map) => Object.fromEntries([...map.entries()].map(([k, v]) => [k, v / N]));
  const r = { imports: per(counts.imports), exports: per(counts.exports), importCalls: sum(counts.imports) / N, exportCalls: sum(counts.exports) / N };
  log(`  ${label}: ${r.exportCalls} JS->wasm + ${r.importCalls} wasm->JS calls per message`);
  return r;
}
const reply = replyCase('reply settling a request (automatic number id)', () => undefined);
const replyText = replyCase('reply settling a request (string id)', (i) => 'r' + i);
const notJson = measure('text that is not JSON', () => task.message('not json {'));
const binaryFrame = new ArrayBuffer(1024);
const binary = measure('binary frame', () => task.message(binaryFrame));
client.close();
client.free();

// The heartbeat's pong, on a client with the heartbeat on.
const beat = (() => {
  const r2 = openBenchClient(pkg, 64, { heartbeat: true });
  const m = measure('pong', () => r2.task.message('pong'));
  r2.client.close();
  r2.client.free();
  return m;
})();

function sum(map) {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}

await new Promise((resolve) => setTimeout(resolve, 0));
const inbound = { receive, whilePending, reply, replyText, notJson, binary, pong: beat };
const worst = Object.entries(inbound).reduce((w, [k, v]) => (v.exportCalls + v.importCalls > w.total ? { kind: k, total: v.exportCalls + v.importCalls, in: v.exportCalls, out: v.importCalls } : w), { total: -1 });
log(`  worst inbound case: ${worst.kind}, ${worst.in} in / ${worst.out} out (bound: 1 in / 4 out); replies settled: ${replies}`);
output({ messages: N, bytes: 1024, send, receive, inbound, worstInbound: worst, checksum: rig.checksum });
