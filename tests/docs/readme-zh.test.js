// README.zh-CN.md keeps in step with README.md by structure (what is compared: readme-structure.js):
// - the two files as they are have no differences, and each links to the other at its top;
// - the comparison finds each kind of drift in a doctored copy of the Chinese file (a heading dropped or
//   moved to another level, a code line changed, an option or error row dropped, a command changed, a link
//   target changed), and lets a translated comment through.
// When README.md changes, the failure names the section; mirror the change in README.zh-CN.md (an English line
// there is acceptable until it is translated) and log it in the README change notes.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { compare, parse, linksTo } = require('./readme-structure');

const root = path.join(__dirname, '..', '..');
const english = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const chinese = fs.readFileSync(path.join(root, 'README.zh-CN.md'), 'utf8');

function doctored(from, to) {
  assert.ok(chinese.includes(from), `the Chinese README contains ${JSON.stringify(from)} (the doctoring applies)`);
  return chinese.replace(from, to);
}

function only(diffs, kind) {
  assert.strictEqual(diffs.length, 1, `exactly one difference, got: ${JSON.stringify(diffs, null, 1)}`);
  assert.ok(diffs[0].startsWith(`${kind}:`), diffs[0]);
  return diffs[0];
}

test('README.zh-CN.md has the structure of README.md', () => {
  assert.deepStrictEqual(compare(english, chinese), []);
});

test('each README links to the other at its top', () => {
  assert.ok(linksTo(english, 'README.zh-CN.md'), 'README.md links to README.zh-CN.md');
  assert.ok(linksTo(chinese, 'README.md'), 'README.zh-CN.md links to README.md');
});

test('the comparison has something to compare (the parse works)', () => {
  const sections = parse(english);
  assert.ok(sections.length >= 20, `${sections.length} headings`);
  assert.ok(sections.flatMap((s) => s.blocks).length >= 8, 'code blocks found');
  assert.ok(sections.some((s) => s.tables.length > 0), 'tables found');
});

test('a dropped heading is found', () => {
  only(compare(english, doctored('\n## 安全\n', '\n安全\n')), 'headings');
});

test('a heading at another level is found', () => {
  const diff = only(compare(english, doctored('\n### 错误\n', '\n## 错误\n')), 'headings');
  assert.match(diff, /"### Errors"/);
});

test('a changed code line is found, a translated comment is not a difference', () => {
  only(compare(english, doctored('heartbeat: { intervalMs: 15000 }', 'heartbeat: { intervalMs: 10000 }')), 'code blocks');
  only(compare(english, doctored("const { init, SocketClient } = require('wxsocket');", "const { init } = require('wxsocket');")), 'code blocks');
  assert.deepStrictEqual(compare(english, doctored('// 每次连接前都会调用', '// 随便写的注释')), []);
  assert.deepStrictEqual(compare(english, doctored('# 不用 Chromium', '# 另一种说法')), []);
});

test('a listing differs when a path differs, not when its description does', () => {
  only(compare(english, doctored('src/alloc.rs     wasm32', 'src/alloc.rs.bak wasm32')), 'code blocks');
  assert.deepStrictEqual(compare(english, doctored('惊群模拟、示例小程序', '别的说明')), []);
});

test('a dropped or added code block is found', () => {
  const block = '```sh\nbash scripts/test.sh --quick\n```\n';
  only(compare(english, doctored('\n## 安装\n', `\n${block}\n## 安装\n`)), 'code blocks');
});

test('a missing option is found', () => {
  const row = chinese.split('\n').find((l) => l.startsWith('| `requestIdField` |'));
  assert.ok(row, 'the requestIdField row');
  const diff = only(compare(english, doctored(`${row}\n`, '')), 'options table');
  assert.match(diff, /requestIdField/);
});

test('a missing or reordered error code is found', () => {
  const row = chinese.split('\n').find((l) => l.startsWith('| `MESSAGE_TOO_LARGE` |'));
  assert.ok(row, 'the MESSAGE_TOO_LARGE row');
  only(compare(english, doctored(`${row}\n`, '')), 'errors tables');
  const a = chinese.split('\n').find((l) => l.startsWith('| `INVALID_URL` |'));
  const b = chinese.split('\n').find((l) => l.startsWith('| `INSECURE_URL` |'));
  only(compare(english, doctored(`${a}\n${b}\n`, `${b}\n${a}\n`)), 'errors tables');
});

test('a changed command is found', () => {
  const diffs = compare(english, doctored('`bash scripts/test.sh --quick`', '`bash scripts/test.sh --fast`'));
  assert.deepStrictEqual(diffs.map((d) => d.split(':')[0]), ['commands', 'commands']);
});

test('a changed link target is found, and so is a missing link back', () => {
  const diffs = compare(english, doctored('(tests/README.md)', '(tests/README.txt)'));
  assert.deepStrictEqual(diffs.map((d) => d.split(':')[0]), ['links', 'links']);
  assert.ok(!linksTo(doctored('[English](README.md)', 'English'), 'README.md'));
});
