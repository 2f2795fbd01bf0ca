// Where the time of one send and one receive goes in Node: node --cpu-prof over profile-target.mjs (our
// client alone, 1 KiB messages on the fake wx), then the self time of every sampled function per message,
// grouped (../lib/profile-summary.mjs). Profiling slows everything a little: shares matter, not totals.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, output, log } from './common.mjs';
import { summarize } from '../lib/profile-summary.mjs';

const dir = join(ROOT, 'bench', 'tmp', 'cpuprof');

function profile(mode) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', join(ROOT, 'bench/parts/profile-target.mjs'), mode], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error('profile-target failed: ' + r.stderr);
  const messages = JSON.parse(r.stdout.trim().split('\n').pop()).messages;
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  return { messages, prof };
}

const result = { bytes: 1024, runtime: 'node ' + process.version };
for (const mode of ['send', 'receive']) {
  const { messages, prof } = profile(mode);
  result[mode] = summarize(prof, messages, ROOT);
  log(`  profile ${mode}: ` + result[mode].groups.map((g) => `${g.group} ${g.share}%`).join(', '));
}
rmSync(dir, { recursive: true, force: true });
output(result);
