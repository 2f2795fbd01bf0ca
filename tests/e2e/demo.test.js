'use strict';
// The README's first command runs the demo (scripts/demo.sh, which builds what is missing and then runs
// scripts/demo.js): the demo must run and its verdict, checked against the server's own frame log, must pass.
// A merge once left scripts/demo.js without a closing brace and nothing noticed; this test would have.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { ROOT } = require('./helpers.js');

test('the demo runs to its verdict: every row PASS, exit 0, the timeline written', { timeout: 180000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-demo-'));
  try {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'demo.js')], {
      cwd: ROOT,
      env: { ...process.env, WXSOCKET_DEMO_OUT: out, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    // Verdict rows start with PASS or FAIL (colour codes stripped).
    const plain = stdout.replace(/\x1b\[[0-9;]*m/g, '');
    const rows = plain.split('\n').filter((l) => /^\s+(PASS|FAIL)\s/.test(l));
    assert.equal(code, 0, `the demo exited ${code}:\n${plain.slice(-3000)}\n${stderr.slice(-2000)}`);
    assert.ok(rows.length >= 8, `the verdict has its rows:\n${plain.slice(-3000)}`);
    assert.deepEqual(rows.filter((l) => /^\s+FAIL/.test(l)), [], 'no row failed');
    assert.match(plain, /OK: nothing the client could save was lost/);
    const svg = fs.readFileSync(path.join(out, 'timeline.svg'), 'utf8');
    assert.match(svg, /^<svg[\s>]/);
    const log = JSON.parse(fs.readFileSync(path.join(out, 'timeline.json'), 'utf8'));
    assert.ok(log.events.some((e) => e.kind === 'heartbeat-timeout'), 'the timeline has the heartbeat timeout');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
