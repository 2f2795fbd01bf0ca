// What profile.mjs profiles: our client only, sending (argv[2] = 'send') or receiving ('receive') 1 KiB
// messages on the fake wx for about `MS` milliseconds.
import { performance } from 'node:perf_hooks';
import { openBenchClient } from '../lib/open-client.mjs';
import { loadPackage } from './common.mjs';

const MS = 2000;
const mode = process.argv[2];
const bytes = Number(process.argv[3] || 1024);
const { pkg } = loadPackage();
await pkg.init();
const rig = openBenchClient(pkg, bytes);
const { client, task, obj, frame } = rig;
const end = performance.now() + MS;
let n = 0;
while (performance.now() < end) {
  if (mode === 'send') for (let i = 0; i < 1000; i++) client.send(obj);
  else for (let i = 0; i < 1000; i++) task.message(frame);
  n += 1000;
}
client.close();
client.free();
process.stdout.write(JSON.stringify({ messages: n, checksum: rig.checksum }) + '\n');
