// Part 5: the engine's herd simulation (examples/herd.rs), run with --json; its figures as they are.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, output, log } from './common.mjs';

const tmp = join(ROOT, 'bench', 'tmp');
mkdirSync(tmp, { recursive: true });
const file = join(tmp, 'herd-raw.json');
rmSync(file, { force: true });
const r = spawnSync('cargo', ['run', '--quiet', '--release', '--example', 'herd', '--', '--json', file], { cwd: ROOT, encoding: 'utf8' });
if (r.status !== 0) {
  process.stderr.write(r.stderr);
  throw new Error('cargo run --example herd failed');
}
for (const line of r.stdout.trim().split('\n')) log('  ' + line);
const herd = JSON.parse(readFileSync(file, 'utf8'));
output({ command: 'cargo run --release --example herd -- --json PATH', ...herd });
