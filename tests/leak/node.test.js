'use strict';
// Leak check in Node over the package's Node entry (`require('./pkg')`, the one module every entry ships):
// see node-check.js. Run: node --test tests/leak/node.test.js (builds pkg/ with scripts/build-pkg.sh if it
// is missing).
const test = require('node:test');
const { nodeLeakCheck, TOTAL } = require('./node-check.js');

test(`${TOTAL} clients created, used and freed in Node leave nothing behind`, { timeout: 300000 }, () => nodeLeakCheck());
