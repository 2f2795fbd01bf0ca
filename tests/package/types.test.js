'use strict';
// index.d.ts in a mini-program TypeScript setup (lib ES2020 without DOM, miniprogram-api-typings): the usage
// example type-checks, with `wx` as `platform`; every wrong option in wrong-option.ts is an error.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..');
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

function runTsc(project) {
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, project)], { cwd: repo, encoding: 'utf8' });
  return { status: r.status, out: (r.stdout || '') + (r.stderr || '') };
}

test('index.d.ts declares the entry functions and the class', () => {
  const dts = fs.readFileSync(path.join(repo, 'pkg', 'index.d.ts'), 'utf8');
  for (const re of [/export function init\(options\?: InitOptions\): Promise<void>;/, /export function connect</, /export const version: string;/,
    /export const SocketClient: SocketClientConstructor;/, /export class WxSocketError extends Error/, /export interface SocketClientOptions</]) {
    assert.match(dts, re);
  }
});

// skipLibCheck is off and lib is ES2020 alone: index.d.ts itself must need no DOM types.
test('the usage example type-checks (wx as platform, no DOM lib)', () => {
  const { status, out } = runTsc('tsconfig.json');
  assert.equal(status, 0, out);
});

test('wrong options do not type-check, each one reported', () => {
  const { status, out } = runTsc('tsconfig.wrong.json');
  assert.notEqual(status, 0, 'tsc must fail');
  const source = fs.readFileSync(path.join(__dirname, 'wrong-option.ts'), 'utf8').split('\n');
  const expected = source.map((l, i) => (/\/\/ error$/.test(l) ? i + 1 : null)).filter(Boolean);
  const reported = [...out.matchAll(/wrong-option\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1]));
  assert.deepEqual([...new Set(reported)].sort((a, b) => a - b), expected, out);
  // The report names the option's type (the constructor's overloads nest it under "No overload matches").
  assert.match(out, /wrong-option\.ts\(5,\d+\): error TS\d+: [^\n]*\n(?: +[^\n]*\n)*? +Type 'string' is not assignable to type 'boolean \| HeartbeatOptions/);
});
