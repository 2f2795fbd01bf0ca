// Part 4: memory over 200,000 connect/close cycles and 1,000,000 messages (run with node --expose-gc).
//
// The package does not expose its WebAssembly memory, so this part keeps the instance the Node entry
// makes (WebAssembly.Instance is wrapped while pkg/index.cjs loads) and reads `exports.memory.buffer.byteLength`.
// The module is built for the WebAssembly MVP, so wasm-bindgen keeps the JS values it holds in an array in
// the glue (there is no externref table; `externrefTable` stays null): a leak of them shows in the JS heap
// figure, which is read after forced GCs. A wasm memory never shrinks: its size is the high-water mark of the Rust allocator, so growth after
// warm-up means the allocator needed more (a leak, or fragmentation). The JS heap is read after forced GCs.
//
// Cycles: new SocketClient on the fake wx (../lib/fakes.mjs), the task opens, one send and one inbound
// message, close(), the task reports its close, free(). Messages: one open client; 1 KiB messages, sends and
// inbound frames in alternating batches (500,000 each).
import { createBenchWx } from '../lib/fakes.mjs';
import { makeMessage } from '../lib/payload.mjs';
import { loadPackage, output, log } from './common.mjs';

if (typeof global.gc !== 'function') {
  console.error('memory.mjs needs node --expose-gc');
  process.exit(2);
}

// 200,000: the JS heap's readings after GC move by up to about 100 KB with no trend (400,000 cycles
// measured: +64 KB, then -87 KB), so the run is long enough for that to be under 0.5 B a cycle.
const CYCLES = 200000;
const CYCLE_WARMUP = 5000;
const MESSAGES = 1000000;
const MESSAGE_WARMUP = 50000;
const URL = 'wss://bench.example/ws';

const { pkg, instance } = loadPackage({ capture: {} });
await pkg.init();
// Found by kind: the shipped module's export names are shortened (wasm-opt --minify-imports-and-exports).
const memory = Object.values(instance.exports).find((v) => v instanceof WebAssembly.Memory);
// wasm-bindgen's table of JS values held by Rust: a JsValue that is never dropped keeps its slot, so a
// growing table is a leak even while the linear memory stays put.
const table = Object.values(instance.exports).find((v) => v instanceof WebAssembly.Table) || null;

async function settle() {
  // Let FinalizationRegistry callbacks and timers run, then collect (twice: weak callbacks free more).
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 10));
    global.gc();
  }
}

async function sample(label, extra) {
  await settle();
  const m = process.memoryUsage();
  return {
    at: label,
    wasmBytes: memory.buffer.byteLength,
    wasmPages: memory.buffer.byteLength / 65536,
    externrefTable: table ? table.length : null,
    heapUsed: m.heapUsed,
    external: m.external,
    ...extra,
  };
}

const wx = createBenchWx();
const small = { type: 'hello', seq: 1 };
let acc = 0;
const onMessage = (v) => {
  acc += v.seq;
};

function cycle() {
  const c = new pkg.SocketClient({ url: URL, platform: wx.wx, lifecycle: false });
  const task = wx.last;
  task.open();
  c.on('message', onMessage);
  c.send(small);
  task.message('{"type":"hi","seq":1}');
  c.close();
  task.closed(1000, '');
  task.drop();
  c.free();
  wx.forget();
}

// Timers still pending (e.g. a connect-timeout timer left behind) would keep memory alive and show here.
const cycles = [];
cycles.push(await sample('start'));
for (let i = 0; i < CYCLE_WARMUP; i++) cycle();
cycles.push(await sample('after ' + CYCLE_WARMUP + ' warm-up cycles', { cycles: CYCLE_WARMUP }));
// Eight equal steps after warm-up: the verdict (bench/run.mjs) fits a line through these readings, so one
// reading that a late GC left high does not decide it.
const STEPS = 8;
const step = CYCLES / STEPS;
for (let done = 0; done < CYCLES; ) {
  for (let i = 0; i < step; i++) cycle();
  done += step;
  cycles.push(await sample('after ' + done + ' more cycles', { cycles: CYCLE_WARMUP + done }));
}
log(`  cycles: wasm ${cycles[1].wasmBytes} -> ${cycles[cycles.length - 1].wasmBytes} B, heap ${cycles[1].heapUsed} -> ${cycles[cycles.length - 1].heapUsed} B`);

// Messages.
const obj = makeMessage(1024);
const frame = JSON.stringify(obj);
const client = new pkg.SocketClient({ url: URL, platform: wx.wx, lifecycle: false });
const task = wx.last;
task.open();
client.on('message', onMessage);
function messages(n) {
  const batch = 10000;
  for (let done = 0; done < n; done += batch) {
    for (let i = 0; i < batch / 2; i++) client.send(obj);
    for (let i = 0; i < batch / 2; i++) task.message(frame);
  }
}
const msgs = [];
msgs.push(await sample('start'));
messages(MESSAGE_WARMUP);
msgs.push(await sample('after ' + MESSAGE_WARMUP + ' warm-up messages', { messages: MESSAGE_WARMUP }));
const mstep = MESSAGES / STEPS;
for (let done = 0; done < MESSAGES; ) {
  messages(mstep);
  done += mstep;
  msgs.push(await sample('after ' + done + ' more messages', { messages: MESSAGE_WARMUP + done }));
}
const stats = client.stats;
client.close();
client.free();
log(`  messages: wasm ${msgs[1].wasmBytes} -> ${msgs[msgs.length - 1].wasmBytes} B, heap ${msgs[1].heapUsed} -> ${msgs[msgs.length - 1].heapUsed} B`);

function growth(series) {
  const a = series[1];
  const b = series[series.length - 1];
  return { wasmBytes: b.wasmBytes - a.wasmBytes, externrefTable: b.externrefTable - a.externrefTable, heapUsed: b.heapUsed - a.heapUsed };
}

output({
  runtime: 'node ' + process.version,
  memoryFrom: 'the WebAssembly.Instance made by pkg/index.cjs (captured; the package exposes no memory accessor)',
  cycles: { count: CYCLES, warmup: CYCLE_WARMUP, samples: cycles, growthAfterWarmup: growth(cycles) },
  messages: {
    count: MESSAGES,
    warmup: MESSAGE_WARMUP,
    bytes: 1024,
    sent: stats.messagesSent,
    received: stats.messagesReceived,
    samples: msgs,
    growthAfterWarmup: growth(msgs),
  },
  checksum: acc,
});
