'use strict';
// Importing wxsocket must never crash a mini-program at launch. Mini-program bundlers (uni-app's Vite,
// Taro's webpack) may pick any entry that package.json offers except the Node ones, and webpack turns
// `import.meta.url` into `document.baseURI`: so no such entry may name `import.meta`, nor read `document`,
// `window` or `self` outside a `typeof` guard. Each entry is parsed (TypeScript's parser) and every free
// reference to those names is checked for a guard in an enclosing `typeof X` test.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const pkg = path.resolve(__dirname, '..', '..', 'pkg');
const NAMES = ['document', 'window', 'self'];

// The files a bundler may pick: every target of exports["."] but the Node ones, ./miniprogram, main,
// module and the miniprogram folder's entry. ('wxsocket/web' is for browsers only, asked for by name.)
function pickable(manifest) {
  const files = new Set();
  const walk = (v, key) => {
    if (key === 'node' || key === 'types') return;
    if (typeof v === 'string') files.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], k);
  };
  walk(manifest.exports['.'], '.');
  walk(manifest.exports['./miniprogram'], '.');
  for (const f of [manifest.main, manifest.module, `${manifest.miniprogram}/index.js`]) files.add(f.replace(/^\.\//, ''));
  return [...files].filter((f) => f.endsWith('.js') || f.endsWith('.mjs') || f.endsWith('.cjs')).sort();
}

function guardedBy(node, name) {
  const mentionsTypeof = (n) => {
    let found = false;
    const visit = (m) => {
      if (found) return;
      if (ts.isTypeOfExpression(m) && ts.isIdentifier(m.expression) && m.expression.text === name) found = true;
      else ts.forEachChild(m, visit);
    };
    visit(n);
    return found;
  };
  for (let child = node, parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (ts.isTypeOfExpression(parent)) return true;
    if (ts.isBinaryExpression(parent) && parent.right === child &&
      (parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || parent.operatorToken.kind === ts.SyntaxKind.CommaToken) &&
      mentionsTypeof(parent.left)) return true;
    if (ts.isConditionalExpression(parent) && child !== parent.condition && mentionsTypeof(parent.condition)) return true;
    if (ts.isIfStatement(parent) && child !== parent.expression && mentionsTypeof(parent.expression)) return true;
  }
  return false;
}

// Whether `scope` (a function or the file) declares `name` itself: a parameter, or a var/let/const/function
// in its own body (not in a nested function). Such a name is a local, not the global.
function declares(scope, name) {
  if (!ts.isSourceFile(scope) && scope.parameters && scope.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name)) return true;
  let found = false;
  const visit = (m) => {
    if (found) return;
    if (m !== scope && ts.isFunctionLike(m)) {
      if (ts.isFunctionDeclaration(m) && m.name && m.name.text === name) found = true;
      return;
    }
    if (ts.isVariableDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === name) found = true;
    else ts.forEachChild(m, visit);
  };
  ts.forEachChild(scope, visit);
  return found;
}

function isLocal(node, name) {
  for (let p = node.parent; p; p = p.parent) {
    if ((ts.isFunctionLike(p) || ts.isSourceFile(p)) && declares(p, name)) return true;
  }
  return false;
}

/** Problems in `code`: each `import.meta` and each unguarded free reference to document, window or self. */
function launchHazards(code, file) {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found = [];
  const where = (n) => {
    const { line, character } = source.getLineAndCharacterOfPosition(n.getStart(source));
    return `${file}:${line + 1}:${character + 1} "${code.slice(n.getStart(source), n.getStart(source) + 50).replace(/\s+/g, ' ')}"`;
  };
  const visit = (n) => {
    if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) found.push('import.meta at ' + where(n));
    if (ts.isIdentifier(n) && NAMES.includes(n.text)) {
      const p = n.parent;
      const isName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) ||
        ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p) ||
          ts.isBindingElement(p)) && p.name === n);
      if (!isName && !isLocal(n, n.text) && !guardedBy(n, n.text)) found.push(`${n.text} (no typeof guard) at ` + where(n));
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}

test('the checker finds import.meta and unguarded document/window/self, and accepts guarded ones', () => {
  assert.equal(launchHazards('var u = new URL("./x.wasm", import.meta.url);', 'a.js').length, 1);
  assert.equal(launchHazards('var b = document.baseURI || self.location.href;', 'b.js').length, 2);
  assert.equal(launchHazards('function f() { return window.x; }', 'c.js').length, 1);
  assert.deepEqual(launchHazards('function g() { var self = this; return function () { return self.t; }; }', 'f.js'), [], 'a local named self');
  assert.deepEqual(launchHazards('if (typeof document != "undefined" && document) { document.addEventListener("x", function () { return document.hidden; }); }', 'd.js'), []);
  assert.deepEqual(launchHazards('var w = typeof window !== "undefined" ? window : void 0; var o = { document: 1 }; o.self = 2;', 'e.js'), []);
});

test('no entry a mini-program bundler may pick names import.meta or reads document, window or self unguarded', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  const files = pickable(manifest);
  for (const must of ['index.mjs', 'index.cjs', 'miniprogram_dist/index.js']) assert.ok(files.includes(must), `${must} is checked (${files.join(', ')})`);
  assert.ok(!files.includes('web.mjs'), 'the browser-only entry is not among them');
  for (const file of files) {
    assert.deepEqual(launchHazards(fs.readFileSync(path.join(pkg, file), 'utf8'), file), [], file);
  }
});

test("the browser entry 'wxsocket/web' keeps the literal URL pattern bundlers turn into an asset", () => {
  const code = fs.readFileSync(path.join(pkg, 'web.mjs'), 'utf8');
  assert.match(code, /new URL\("\.\/wxsocket_bg\.wasm", import\.meta\.url\)/);
});
