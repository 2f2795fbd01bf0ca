'use strict';
// Typings with no holes, against the built pkg/index.d.ts:
// - holes.ts (strict, a mini-program project: no DOM, wx from miniprogram-api-typings) and events.js (the
//   event maps through JSDoc, checkJs) compile, every `@ts-expect-error` in them still an error;
// - browser.ts (strict, DOM lib): the DOM's WebSocket is a platform;
// - each pin bites: with one hole reopened in a copy of index.d.ts (codec 'text' not narrowing, `code` a
//   plain string, WxSocketError an interface, `any` in connectSocket, a logger level of any string, `any` in
//   the event map), the same files fail, and only inside the function (or file) that pins that hole.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..', '..');
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = path.join(repo, 'pkg');
const holes = path.join(__dirname, 'holes.ts');
const events = path.join(__dirname, 'events.js');

function runTsc(project) {
  const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: repo, encoding: 'utf8' });
  const out = (r.stdout || '') + (r.stderr || '');
  const errors = [...out.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+)/gm)].map((m) => ({
    file: path.resolve(repo, m[1]),
    line: Number(m[2]),
    code: m[3],
  }));
  return { status: r.status, out, errors };
}

// The lines of `export function NAME(` … its closing `}` in holes.ts: where one hole is pinned.
function region(name) {
  const lines = fs.readFileSync(holes, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`export function ${name}(`));
  assert.ok(start >= 0, `holes.ts has function ${name}`);
  const end = lines.findIndex((l, i) => i > start && l === '}');
  return { file: holes, from: start + 1, to: end + 1 };
}

// holes.ts and events.js compiled against a copy of the package whose index.d.ts has `edits` applied.
function compileAgainst(edits) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxsocket-holes-'));
  try {
    const copy = path.join(dir, 'wxsocket');
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(pkg, 'package.json'), path.join(copy, 'package.json'));
    let dts = fs.readFileSync(path.join(pkg, 'index.d.ts'), 'utf8');
    for (const [from, to] of edits) {
      assert.ok(dts.includes(from), `index.d.ts contains ${JSON.stringify(from)} (the hole can be reopened)`);
      dts = dts.split(from).join(to);
    }
    fs.writeFileSync(path.join(copy, 'index.d.ts'), dts);
    const config = JSON.parse(fs.readFileSync(path.join(__dirname, 'tsconfig.json'), 'utf8'));
    config.compilerOptions.baseUrl = dir;
    config.compilerOptions.paths = { wxsocket: [copy] };
    config.compilerOptions.typeRoots = [path.join(repo, 'node_modules')];
    config.files = [holes, events];
    const project = path.join(dir, 'tsconfig.json');
    fs.writeFileSync(project, JSON.stringify(config));
    return runTsc(project);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('holes.ts and events.js compile (strict, mini-program project): every @ts-expect-error is still an error', () => {
  const { status, out } = runTsc(path.join(__dirname, 'tsconfig.json'));
  assert.equal(status, 0, out);
  const expected = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('@ts-expect-error')).length;
  assert.ok(expected(holes) >= 9 && expected(events) >= 4, 'the pins are there');
});

test('browser.ts compiles (strict, DOM lib): the DOM WebSocket is a platform', () => {
  const { status, out } = runTsc(path.join(__dirname, 'tsconfig.browser.json'));
  assert.equal(status, 0, out);
});

const HOLES = [
  {
    hole: "codec 'text' does not narrow message",
    where: [region('textCodec')],
    edits: [
      ["  new (options: SocketClientOptions<string> & { codec: 'text' }): SocketClient<string, string>;\n", ''],
      ["codec?: unknown extends In ? 'json' | 'text' : [In] extends [string] ? 'json' | 'text' : 'json';", "codec?: 'json' | 'text';"],
    ],
  },
  {
    hole: 'code is any string',
    where: [region('errorCodes'), { file: events, from: 1, to: Infinity }],
    edits: [['code: WxSocketErrorCode;', 'code: string;'], ['code: WxSocketEventErrorCode;', 'code: string;']],
  },
  {
    hole: 'WxSocketError is only a type',
    where: [region('errorClass')],
    edits: [
      ['export class WxSocketError extends Error {', 'export interface WxSocketError extends Error {'],
      ['constructor(code: WxSocketErrorCode, message: string);', ''],
    ],
  },
  {
    hole: 'connectSocket and the WebSocket constructor take and give any',
    where: [region('platform')],
    edits: [
      ['connectSocket(options: ConnectSocketOptions): SocketTaskLike | Promise<SocketTaskLike>;', 'connectSocket(options: any): any;'],
      ['=> WebSocketLike;', '=> any;'],
    ],
  },
  {
    hole: 'a logger level is any string',
    where: [region('logger')],
    edits: [['level?: LogLevel;', 'level?: string;']],
  },
  {
    hole: 'the event map is any',
    where: [{ file: events, from: 1, to: Infinity }],
    edits: [['export interface SocketClientEvents<In = unknown> {', 'export interface SocketClientEvents<In = unknown> { [event: string]: any;']],
  },
];

for (const { hole, where, edits } of HOLES) {
  test(`a reopened hole is caught where it is pinned: ${hole}`, () => {
    const { status, out, errors } = compileAgainst(edits);
    assert.notEqual(status, 0, `tsc must fail\n${out}`);
    assert.ok(errors.length > 0, out);
    const inside = (e) => where.some((w) => e.file === w.file && e.line >= w.from && e.line <= w.to);
    const named = where.map((w) => `${path.basename(w.file)}:${w.from}-${w.to}`).join(', ');
    assert.deepEqual(errors.filter((e) => !inside(e)), [], `errors outside ${named}\n${out}`);
  });
}
