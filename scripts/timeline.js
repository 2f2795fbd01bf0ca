'use strict';
// The demo's event log as a picture: a self-contained SVG (no scripts, fonts or links) with one lane per
// concern over a shared time axis: the client's state, the faults and app events injected, the retries with
// their delays, heartbeat pings and the timeouts that found a dead connection, the queue depth, and the
// messages and requests delivered.
//
//   node scripts/timeline.js <log.json> <out.svg>      (scripts/demo.js writes both at the end of a run)
//
// The log (written by scripts/demo.js): { title, subtitle, durationMs, events: [{ t, kind, ... }] } with t in
// milliseconds since the start, and kinds:
//   state { from, to }           retry { attempt, delayMs }      ping {}   (the client sent a heartbeat ping)
//   heartbeat-timeout { detectedMs }   fault { name }   app { name }   queue { depth }
//   delivered { messages, requests }   (running totals: echoes received, requests answered)
// Other kinds (open, close, error) are kept in the log and shown as hover text only.
// Every mark carries a class naming what it is (`state state-open`, `retry`, `ping`, `heartbeat-timeout`,
// `fault`, `app`), so a test can count them.

const fs = require('node:fs');

const LAYOUT = {
  width: 1100,
  left: 130, // room for the lane labels
  right: 30,
  top: 64, // room for the title
  laneGap: 10,
  axisHeight: 28,
  legendHeight: 22,
  lanes: { state: 26, events: 40, retry: 56, heartbeat: 34, queue: 70, delivered: 70 },
  tickEveryMs: 1000,
};

const COLOURS = {
  connecting: '#f2c14e', open: '#4caf50', waiting: '#f08a4b', closing: '#9e9e9e', closed: '#616161',
  fault: '#d64541', app: '#7b5ea7', retry: '#e0912f', ping: '#8e63ce', timeout: '#d64541',
  queue: '#3f7fbf', messages: '#2e8b57', requests: '#1f5f99', grid: '#e3e3e3', text: '#222', muted: '#777',
};

const LANE_LABELS = {
  state: 'state', events: 'faults, app', retry: 'retries (delay)', heartbeat: 'heartbeat', queue: 'queue depth',
  delivered: 'delivered',
};

function escapeXml(s) {
  return String(s).replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch]);
}

function fmt(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function seconds(ms) {
  return (ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1) + ' s';
}

function el(name, attrs, content) {
  const a = Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  return content === undefined ? `<${name}${a}/>` : `<${name}${a}>${content}</${name}>`;
}

function hover(text) {
  return el('title', {}, escapeXml(text));
}

// The state intervals: from each state event to the next (the last to the end).
function stateSpans(events, end) {
  const states = events.filter((e) => e.kind === 'state');
  const spans = [];
  let current = states.length ? { state: states[0].from, from: 0 } : null;
  for (const e of states) {
    if (current) spans.push({ state: current.state, from: current.from, to: e.t });
    current = { state: e.to, from: e.t };
  }
  if (current) spans.push({ state: current.state, from: current.from, to: end });
  return spans.filter((s) => s.to > s.from);
}

// A step line through running values [{ t, v }], as an SVG path.
function stepPath(points, x, y, end) {
  if (!points.length) return '';
  let d = `M${fmt(x(0))},${fmt(y(0))}`;
  let last = 0;
  for (const p of points) {
    d += ` H${fmt(x(p.t))} V${fmt(y(p.v))}`;
    last = p.v;
  }
  d += ` H${fmt(x(end))}`;
  return { d, last };
}

function renderTimeline(log) {
  if (!log || !Array.isArray(log.events)) throw new Error('timeline: the log has no events array');
  const events = log.events.slice().sort((a, b) => a.t - b.t);
  const end = Math.max(log.durationMs || 0, ...events.map((e) => e.t + (e.kind === 'retry' ? e.delayMs || 0 : 0)), 1);
  const plotWidth = LAYOUT.width - LAYOUT.left - LAYOUT.right;
  const x = (t) => LAYOUT.left + (t / end) * plotWidth;

  // Lane positions, top to bottom.
  const lanes = {};
  let y = LAYOUT.top;
  for (const [name, height] of Object.entries(LAYOUT.lanes)) {
    lanes[name] = { top: y, height, mid: y + height / 2, bottom: y + height };
    y += height + LAYOUT.laneGap;
  }
  const axisTop = y;
  const legendTop = axisTop + LAYOUT.axisHeight;
  const height = legendTop + LAYOUT.legendHeight + LAYOUT.laneGap;
  const parts = [];

  // Grid and axis.
  for (let t = 0; t <= end; t += LAYOUT.tickEveryMs) {
    parts.push(el('line', { class: 'grid', x1: fmt(x(t)), x2: fmt(x(t)), y1: LAYOUT.top, y2: axisTop, stroke: COLOURS.grid }));
    parts.push(el('text', { class: 'axis', x: fmt(x(t)), y: axisTop + 16, 'text-anchor': 'middle' }, seconds(t)));
  }
  for (const [name, lane] of Object.entries(lanes)) {
    parts.push(el('text', { class: 'lane-label', x: LAYOUT.left - 10, y: fmt(lane.mid + 4), 'text-anchor': 'end' }, LANE_LABELS[name]));
  }

  // State bars.
  for (const s of stateSpans(events, end)) {
    parts.push(el('rect', {
      class: `state state-${s.state}`, x: fmt(x(s.from)), y: lanes.state.top, width: fmt(Math.max(x(s.to) - x(s.from), 0.5)),
      height: lanes.state.height, fill: COLOURS[s.state] || COLOURS.muted,
    }, hover(`${s.state}: ${seconds(s.from)} to ${seconds(s.to)} (${Math.round(s.to - s.from)} ms)`)));
  }

  // Faults and app events: a flag and its name, alternating heights so neighbours do not overlap.
  events.filter((e) => e.kind === 'fault' || e.kind === 'app').forEach((e, i) => {
    const lane = lanes.events;
    const labelY = lane.top + (i % 2 === 0 ? 14 : 30);
    parts.push(el('g', { class: e.kind }, [
      hover(`${e.kind}: ${e.name} at ${seconds(e.t)}`),
      el('line', { x1: fmt(x(e.t)), x2: fmt(x(e.t)), y1: lane.top, y2: lane.bottom, stroke: COLOURS[e.kind], 'stroke-width': 2 }),
      el('text', { x: fmt(x(e.t) + 4), y: labelY, fill: COLOURS[e.kind] }, escapeXml(e.name)),
    ].join('')));
  });

  // Retries: a bracket from when the retry was scheduled to when it runs, with its number and delay.
  events.filter((e) => e.kind === 'retry').forEach((e, i) => {
    const lane = lanes.retry;
    const row = lane.top + 10 + (i % 3) * 16;
    const x0 = x(e.t);
    const x1 = x(e.t + (e.delayMs || 0));
    parts.push(el('g', { class: 'retry' }, [
      hover(`retry #${e.attempt} after ${Math.round(e.delayMs)} ms (scheduled at ${seconds(e.t)})`),
      el('path', { d: `M${fmt(x0)},${row - 4} V${row} H${fmt(x1)} V${row - 4}`, fill: 'none', stroke: COLOURS.retry, 'stroke-width': 2 }),
      el('text', { x: fmt(x1 + 3), y: row + 4, fill: COLOURS.retry }, `#${e.attempt} ${Math.round(e.delayMs)} ms`),
    ].join('')));
  });

  // Heartbeat: a dot per ping the server received, a cross per timeout with the detection time.
  for (const e of events.filter((ev) => ev.kind === 'ping')) {
    parts.push(el('circle', { class: 'ping', cx: fmt(x(e.t)), cy: fmt(lanes.heartbeat.mid), r: 3, fill: COLOURS.ping }, hover(`ping at ${seconds(e.t)}`)));
  }
  for (const e of events.filter((ev) => ev.kind === 'heartbeat-timeout')) {
    const cx = x(e.t);
    const cy = lanes.heartbeat.mid;
    const arm = 6;
    const detected = e.detectedMs === null || e.detectedMs === undefined ? '' : `found in ${Math.round(e.detectedMs)} ms`;
    parts.push(el('g', { class: 'heartbeat-timeout' }, [
      hover(`heartbeat timeout at ${seconds(e.t)}${detected ? ': dead connection ' + detected : ''}`),
      el('path', { d: `M${fmt(cx - arm)},${fmt(cy - arm)} L${fmt(cx + arm)},${fmt(cy + arm)} M${fmt(cx - arm)},${fmt(cy + arm)} L${fmt(cx + arm)},${fmt(cy - arm)}`, stroke: COLOURS.timeout, 'stroke-width': 3 }),
      detected ? el('text', { x: fmt(cx + arm + 3), y: fmt(cy + 4), fill: COLOURS.timeout }, detected) : '',
    ].join('')));
  }

  // Queue depth: a filled step line, its peak written beside the lane.
  const depth = events.filter((e) => e.kind === 'queue').map((e) => ({ t: e.t, v: e.depth }));
  const peak = Math.max(1, ...depth.map((p) => p.v));
  const qLane = lanes.queue;
  const qy = (v) => qLane.bottom - (v / peak) * qLane.height;
  const queueLine = stepPath(depth, x, qy, end);
  if (queueLine) {
    parts.push(el('path', { class: 'queue-depth', d: `${queueLine.d} V${qLane.bottom} H${fmt(x(0))} Z`, fill: COLOURS.queue, 'fill-opacity': 0.35, stroke: COLOURS.queue }, hover(`queue depth, peak ${peak}`)));
  }
  parts.push(el('text', { class: 'peak', x: fmt(x(end) + 2), y: qLane.top + 10, fill: COLOURS.queue, 'text-anchor': 'end' }, `peak ${peak}`));

  // Deliveries: running totals of messages echoed and requests answered, each scaled to its own final total.
  const delivered = events.filter((e) => e.kind === 'delivered');
  const dLane = lanes.delivered;
  for (const [field, colour, name] of [['messages', COLOURS.messages, 'messages echoed'], ['requests', COLOURS.requests, 'requests answered']]) {
    const points = delivered.map((e) => ({ t: e.t, v: e[field] }));
    const total = Math.max(1, ...points.map((p) => p.v));
    const line = stepPath(points, x, (v) => dLane.bottom - (v / total) * dLane.height, end);
    if (!line) continue;
    parts.push(el('path', { class: `delivered delivered-${field}`, d: line.d, fill: 'none', stroke: colour, 'stroke-width': 2 }, hover(`${name}: ${line.last}`)));
  }
  const last = delivered[delivered.length - 1];
  if (last) {
    parts.push(el('text', { class: 'totals', x: fmt(x(0) + 4), y: dLane.top + 10 },
      el('tspan', { fill: COLOURS.messages }, `${last.messages} messages`) + ' · ' + el('tspan', { fill: COLOURS.requests }, `${last.requests} requests`)));
  }

  // The legend of the state colours, under the axis.
  let legendX = LAYOUT.left;
  for (const state of ['connecting', 'open', 'waiting', 'closing', 'closed']) {
    parts.push(el('rect', { class: 'legend', x: legendX, y: legendTop + 4, width: 12, height: 12, fill: COLOURS[state] }));
    parts.push(el('text', { class: 'legend', x: legendX + 16, y: legendTop + 14 }, state));
    legendX += 16 + state.length * 7 + 18;
  }

  const count = (kind) => events.filter((e) => e.kind === kind).length;
  const counted = (kind, one, many) => `${count(kind)} ${count(kind) === 1 ? one : many}`;
  const summary = `${counted('retry', 'retry', 'retries')} · ${counted('ping', 'ping', 'pings')} · ` +
    `${counted('heartbeat-timeout', 'heartbeat timeout', 'heartbeat timeouts')} · ${counted('fault', 'fault', 'faults')} · ` +
    `queue peak ${peak}` + (last ? ` · ${last.messages} messages, ${last.requests} requests delivered` : '');
  const style = [
    `text { font: 12px sans-serif; fill: ${COLOURS.text}; }`,
    `.title { font-size: 16px; font-weight: bold; }`,
    `.subtitle, .axis, .summary { fill: ${COLOURS.muted}; }`,
    `.lane-label { font-weight: bold; }`,
  ].join(' ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${LAYOUT.width}" height="${fmt(height)}" viewBox="0 0 ${LAYOUT.width} ${fmt(height)}">`,
    el('title', {}, escapeXml(log.title || 'wxsocket timeline')),
    el('style', {}, style),
    el('rect', { x: 0, y: 0, width: LAYOUT.width, height: fmt(height), fill: '#fff' }),
    el('text', { class: 'title', x: LAYOUT.left, y: 22 }, escapeXml(log.title || 'wxsocket timeline')),
    el('text', { class: 'subtitle', x: LAYOUT.left, y: 40 }, escapeXml(log.subtitle || '')),
    el('text', { class: 'summary', x: LAYOUT.left, y: 56 }, escapeXml(summary)),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function main(argv) {
  if (argv.length !== 2) {
    console.error('usage: node scripts/timeline.js <log.json> <out.svg>');
    process.exit(2);
  }
  const log = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
  fs.writeFileSync(argv[1], renderTimeline(log));
  console.log(`timeline: ${argv[1]}`);
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { renderTimeline };
