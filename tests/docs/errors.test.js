// Every error code the code base can produce has a row in the README's Errors tables.
// Codes come from src/core/error.rs (ErrorCode::as_str) and from the JS glue (wxSocketError('CODE', ...)).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const read = (rel) => fs.readFileSync(path.join(root, rel), 'utf8');

function jsFiles(dir) {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full).filter((f) => f.endsWith('.js')).map((f) => path.join(dir, f));
}

function codesInCode() {
  const codes = new Set();
  for (const m of read('src/core/error.rs').matchAll(/=>\s*"([A-Z][A-Z_]+)"/g)) codes.add(m[1]);
  for (const file of [...jsFiles('src/platform'), ...jsFiles('src/js'), ...jsFiles('js-shim')]) {
    for (const m of read(file).matchAll(/wxSocketError\(\s*'([A-Z][A-Z_]+)'/g)) codes.add(m[1]);
  }
  return codes;
}

// The codes with a row in the section under `heading` of `file`.
function codesInReadmeErrors(file = 'README.md', heading = '### Errors') {
  const readme = read(file);
  const start = readme.indexOf('\n' + heading + '\n');
  assert.ok(start >= 0, `${file} has a "${heading}" section`);
  const rest = readme.slice(start + 1);
  const next = rest.search(/\n##+ /);
  const section = next < 0 ? rest : rest.slice(0, next);
  const rows = new Set();
  for (const m of section.matchAll(/^\| `([A-Z][A-Z_]+)` \|/gm)) rows.add(m[1]);
  return rows;
}

test('the code base produces the codes it is known to (the scan works)', () => {
  const codes = codesInCode();
  for (const c of ['CLOSED', 'CONNECT_FAILED', 'NOT_INITIALIZED', 'NO_PLATFORM']) assert.ok(codes.has(c), c);
});

test('the pointer every error message ends with names a heading of README.md', () => {
  const pointer = /SEE_ERRORS = ' \(see README#([a-z-]+)\)'/.exec(read('src/js/errors.js'));
  assert.ok(pointer, 'src/js/errors.js defines SEE_ERRORS');
  const slug = (title) => title.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
  const anchors = [...read('README.md').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]));
  assert.ok(anchors.includes(pointer[1]), `README.md has a heading with anchor #${pointer[1]}`);
  assert.match(read('src/core/error.rs'), new RegExp(`\\(see README#${pointer[1]}\\)`), 'the Rust Display says the same');
});

test('every error code in the code base has a row in README › Errors', () => {
  const rows = codesInReadmeErrors();
  const missing = [...codesInCode()].filter((c) => !rows.has(c));
  assert.deepStrictEqual(missing, []);
});

// The package's own README (what npm shows, and what "see README#errors" finds in node_modules).
test('every error code in the code base has a row in the package README › Errors', () => {
  const rows = codesInReadmeErrors('pkg-template/README.md', '## Errors');
  const missing = [...codesInCode()].filter((c) => !rows.has(c));
  assert.deepStrictEqual(missing, []);
});
