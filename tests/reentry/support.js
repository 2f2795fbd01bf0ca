'use strict';
// Shared by the re-entrancy tests: the scripted fake wx, an event recorder, typed-error checks.
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const assert = require('node:assert/strict');
const { ROOT } = require('../e2e/helpers.js');

const EVENTS = ['open', 'message', 'close', 'reconnecting', 'error', 'state'];

async function loadFakeWx() {
  const original = process.emitWarning;
  // fake_wx.js is an ES module in a directory without "type": "module": Node warns once; noise here.
  process.emitWarning = function (warning, ...rest) {
    if (/MODULE_TYPELESS_PACKAGE_JSON|Module type of file/.test(String((warning && warning.message) || warning))) return;
    return original.call(process, warning, ...rest);
  };
  try {
    return (await import(pathToFileURL(path.join(ROOT, 'tests', 'support', 'fake_wx.js')).href)).createFakeWx;
  } finally {
    process.emitWarning = original;
  }
}

/** Every event of `client`, in the order heard. */
function recordEvents(client) {
  const events = [];
  for (const name of EVENTS) client.on(name, (payload) => events.push({ name, payload }));
  return {
    events,
    of: (name) => events.filter((e) => e.name === name).map((e) => e.payload),
    names: () => events.map((e) => (e.name === 'state' ? `state:${e.payload.to}` : e.name === 'error' ? `error:${e.payload.code}` : e.name)),
  };
}

function assertCode(err, code, label) {
  assert.ok(err, `${label}: nothing was thrown`);
  assert.equal(err.name, 'WxSocketError', `${label}: ${err && err.message}`);
  assert.equal(err.code, code, `${label}: ${err.message}`);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  return undefined;
}

/** After the current task's microtasks and one macrotask. */
function nextTick() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

module.exports = { EVENTS, loadFakeWx, recordEvents, assertCode, rejection, nextTick };
