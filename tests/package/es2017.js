'use strict';
// Checks that JavaScript uses no syntax newer than ES2017, and none of the things a mini-program runtime
// lacks or bans.
//
// Syntax, two independent ways:
// 1. esbuild as a checker: the file is transformed twice, for `esnext` and for `es2017`. esbuild lowers (or
//    refuses) every construct the target lacks, so any difference means newer syntax: optional chaining,
//    `??`, optional catch binding, object rest/spread, async iteration, class fields and static blocks,
//    private names, numeric separators, BigInt literals, logical assignment, and regular expressions with
//    named groups, lookbehind, the s/v flags or \p{...} (turned into `new RegExp` calls). What it normalises
//    instead (numeric separators, a hashbang, dynamic import()) is checked by hand.
// 2. acorn with `ecmaVersion: 2017`, a strict parser, when it is installed (it comes with miniprogram-ci).
//
// Banned: `eval(`, `new Function`, `Function(`, `import.meta`, `fetch(`, and `globalThis` or `window`
// anywhere but the guarded feature test `typeof X === 'undefined' ? undefined : X` (also in its minified
// form), which reads the global only where it exists.

const esbuild = require('esbuild');

let acorn = null;
try {
  acorn = require('acorn');
} catch (_) {
  acorn = null;
}

function firstDifference(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: ${String(x[i]).slice(0, 160)} → ${String(y[i]).slice(0, 160)}`;
  }
  return '(whitespace only)';
}

/**
 * Syntax problems (syntax newer than ES`year`, default 2017); `module`: parse as an ES module (else as a script, like CommonJS); `useAcorn: false`
 * runs the esbuild check alone (the tests check both on their own).
 */
function syntaxProblems(code, { module = false, useAcorn = true, year = 2017 } = {}) {
  const problems = [];
  const format = module ? 'esm' : undefined;
  let newest;
  try {
    newest = esbuild.transformSync(code, { loader: 'js', target: 'esnext', format, logLevel: 'silent' }).code;
  } catch (e) {
    return [`does not parse: ${e.message.split('\n')[0]}`];
  }
  try {
    const old = esbuild.transformSync(code, { loader: 'js', target: `es${year}`, format, logLevel: 'silent' }).code;
    if (old !== newest) problems.push(`esbuild had to lower syntax for es${year}: ${firstDifference(newest, old)}`);
  } catch (e) {
    problems.push(`esbuild refuses it at es${year}: ${e.message.split('\n').slice(0, 3).join(' ')}`);
  }
  // What esbuild normalises away or leaves alone instead of lowering (so the two outputs agree): checked by hand.
  const code0 = blankStrings(code);
  const separator = year >= 2021 ? null : /(^|[^\w$.])\d[\dA-Fa-fxXoObB]*_[\dA-Fa-f]/.exec(code0);
  if (separator) problems.push(`numeric separator (ES2021) near "${around(code0, separator.index)}"`);
  if (code.startsWith('#!')) problems.push('hashbang (ES2023)');
  const dynamicImport = year >= 2020 ? null : /(^|[^\w$.])import\s*\(/.exec(code0);
  if (dynamicImport) problems.push(`dynamic import() (ES2020) near "${around(code0, dynamicImport.index)}"`);
  if (acorn && useAcorn) {
    try {
      acorn.parse(code, { ecmaVersion: year, sourceType: module ? 'module' : 'script', allowReturnOutsideFunction: !module });
    } catch (e) {
      problems.push(`acorn (ecmaVersion ${year}): ${e.message}`);
    }
  }
  return problems;
}

const GUARDED = /typeof\s+(globalThis|window)\s*(?:===?|!==?)\s*(['"])undefined\2\s*\?\s*(?:void 0|undefined)\s*:\s*\1\b/g;

// Calls and meta-properties: checked in the code as it is (a string that mentions them is suspicious too).
const BANNED_CALLS = [
  [/\beval\s*\(/, 'eval('],
  [/\bnew\s+Function\b/, 'new Function'],
  [/(^|[^.\w$])Function\s*\(/, 'Function('],
  [/\bimport\s*\.\s*meta\b/, 'import.meta'],
  [/\bfetch\s*\(/, 'fetch('],
];
// Global objects: checked outside string literals and comments, as identifiers (not property names).
const BANNED_GLOBALS = [
  [/(^|[^.\w$])globalThis\b/, 'globalThis (unguarded)'],
  [/(^|[^.\w$])window\b(?!\s*:)/, 'window (unguarded)'],
];

// The code with the insides of string literals, template literals and comments blanked out. A simple
// scanner: good enough for generated code (a regular expression literal holding a quote could confuse it,
// which would make the check stricter, not weaker).
function blankStrings(code) {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      while (i < code.length && code[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? code.length : end + 2;
      out += ' ';
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < code.length && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      out += c + c;
      i = j + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function around(text, index) {
  return text.slice(Math.max(0, index - 30), index + 40).replace(/\s+/g, ' ');
}

/** Banned things found in `code`, as short descriptions with their context. */
function bannedUses(code) {
  const found = [];
  for (const [re, what] of BANNED_CALLS) {
    const m = re.exec(code);
    if (m) found.push(`${what} near "${around(code, m.index)}"`);
  }
  const rest = blankStrings(code.replace(GUARDED, 'GUARDED_FEATURE_TEST'));
  for (const [re, what] of BANNED_GLOBALS) {
    const m = re.exec(rest);
    if (m) found.push(`${what} near "${around(rest, m.index)}"`);
  }
  return found;
}

module.exports = { syntaxProblems, bannedUses, hasAcorn: () => acorn !== null };
