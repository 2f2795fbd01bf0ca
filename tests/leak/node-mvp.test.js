'use strict';
// Leak check in Node, MVP build (the mini-program glue and module for iOS below 15): see node-check.js.
// Run: node --test tests/leak/node-mvp.test.js (builds pkg/ with scripts/build-pkg.sh if it is missing).
const test = require('node:test');
const { nodeLeakCheck, TOTAL } = require('./node-check.js');

test(`${TOTAL} clients created, used and freed in Node leave nothing behind (MVP build)`, { timeout: 300000 }, () => nodeLeakCheck('mvp'));
