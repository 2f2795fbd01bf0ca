'use strict';
// scripts/timeline.js renders a recorded demo log (tests/docs/fixtures/demo-timeline.json, written by
// `bash scripts/demo.sh`) into an SVG that parses as XML (a strict parser: any error or warning fails) and
// holds one mark per retry, ping, heartbeat timeout, fault and app event of the log, state bars covering
// the run, the queue-depth and delivery lines, and no script or external reference. The counts are read
// from the log, so a mark the renderer drops or doubles fails; a doctored log (one retry and one ping fewer)
// shows the marks follow the log; a malformed document is refused by the same parse.
// docs/timeline.svg (the picture in the README) is checked the same way.

const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { DOMParser, onWarningStopParsing } = require('@xmldom/xmldom');
const { renderTimeline } = require('../../scripts/timeline.js');

const root = path.join(__dirname, '..', '..');
const log = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'demo-timeline.json'), 'utf8'));

function parseSvg(text) {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, 'image/svg+xml');
  assert.strictEqual(doc.documentElement.nodeName, 'svg');
  return doc;
}

// Elements whose class list holds `name`.
function marks(doc, name) {
  const all = Array.from(doc.getElementsByTagName('*'));
  return all.filter((e) => (e.getAttribute('class') || '').split(/\s+/).includes(name));
}

const count = (l, kind) => l.events.filter((e) => e.kind === kind).length;

test('the recorded log has what the picture shows (the fixture is a real run)', () => {
  for (const kind of ['state', 'retry', 'ping', 'heartbeat-timeout', 'fault', 'app', 'queue', 'delivered']) {
    assert.ok(count(log, kind) > 0, `the log has ${kind} events`);
  }
});

function checkPicture(l, svg) {
  const doc = parseSvg(svg);
  for (const kind of ['retry', 'ping', 'heartbeat-timeout', 'fault', 'app']) {
    assert.strictEqual(marks(doc, kind).length, count(l, kind), `${kind} marks`);
  }
  // One bar per state interval of positive length: before the first change, between changes, after the last.
  const changes = l.events.filter((e) => e.kind === 'state').map((e) => e.t);
  const bounds = [0, ...changes, l.durationMs];
  const intervals = bounds.slice(1).filter((t, i) => t > bounds[i]).length;
  const bars = marks(doc, 'state');
  assert.strictEqual(bars.length, intervals, 'a bar per state interval');
  assert.ok(marks(doc, 'state-open').length > 0 && marks(doc, 'state-waiting').length > 0, 'open and waiting bars');
  const width = bars.reduce((sum, b) => sum + Number(b.getAttribute('width')), 0);
  const plot = Number(doc.documentElement.getAttribute('width'));
  assert.ok(width > plot / 2 && width < plot, `the state bars span the run (${width} of ${plot})`);
  assert.strictEqual(marks(doc, 'queue-depth').length, 1, 'the queue-depth line');
  assert.strictEqual(marks(doc, 'delivered').length, 2, 'the messages and requests lines');
  const text = svg;
  for (const e of l.events.filter((ev) => ev.kind === 'retry')) {
    assert.ok(text.includes(`#${e.attempt} ${Math.round(e.delayMs)} ms`), `retry #${e.attempt} labelled with its delay`);
  }
  for (const e of l.events.filter((ev) => ev.kind === 'heartbeat-timeout' && typeof ev.detectedMs === 'number')) {
    assert.ok(text.includes(`found in ${Math.round(e.detectedMs)} ms`), 'a timeout labelled with its detection time');
  }
  assert.strictEqual(doc.getElementsByTagName('script').length, 0, 'no script');
  assert.ok(!/\b(href|src)=/.test(svg), 'no external reference');
  return doc;
}

test('the recorded log renders to an SVG with a mark for each of its events', () => {
  checkPicture(log, renderTimeline(log));
});

test('the marks follow the log: one retry and one ping fewer, one mark fewer of each', () => {
  const full = parseSvg(renderTimeline(log));
  const lastOf = (kind) => log.events.map((e) => e.kind).lastIndexOf(kind);
  const fewer = { ...log, events: log.events.filter((e, i) => i !== lastOf('retry') && i !== lastOf('ping')) };
  const doc = checkPicture(fewer, renderTimeline(fewer));
  assert.strictEqual(marks(doc, 'retry').length, marks(full, 'retry').length - 1);
  assert.strictEqual(marks(doc, 'ping').length, marks(full, 'ping').length - 1);
});

test('the parse refuses a malformed document', () => {
  assert.throws(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'));
  assert.throws(() => parseSvg(renderTimeline(log).replace('</svg>', '')));
});

test('a log without events is refused', () => {
  assert.throws(() => renderTimeline({}), /no events/);
});

test('docs/timeline.svg, the picture in the README, is a rendered demo log', () => {
  const svg = fs.readFileSync(path.join(root, 'docs', 'timeline.svg'), 'utf8');
  const doc = parseSvg(svg);
  for (const kind of ['retry', 'ping', 'heartbeat-timeout', 'fault', 'app', 'state']) {
    assert.ok(marks(doc, kind).length > 0, `docs/timeline.svg has ${kind} marks`);
  }
  assert.ok(fs.readFileSync(path.join(root, 'README.md'), 'utf8').includes('](docs/timeline.svg)'), 'README.md shows it');
});
