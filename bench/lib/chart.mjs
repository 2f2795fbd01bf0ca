// The benchmark's chart, hand-written SVG (no dependency): on top the herd's attempts per 100 ms window for
// our default and the peers' policies; below, the overhead throughput ratios as bars.

const W = 960;
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x, y, s, attrs) {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} ${attrs || 'font-size="12" fill="#333"'}>${esc(s)}</text>`;
}

const HERD_SERIES = [
  { policy: 'wxsocket default', label: 'wxsocket default', color: '#1f5fd6', width: 3 },
  { policy: 'reconnecting-websocket', label: 'reconnecting-websocket', color: '#e8891d', width: 1.6 },
  { policy: 'socket.io-client', label: 'socket.io-client', color: '#2a9d4b', width: 1.6 },
  { policy: 'centrifuge-js', label: 'centrifuge-js', color: '#8e44ad', width: 1.6 },
  { policy: 'phoenix', label: 'phoenix', color: '#9a9a9a', width: 1.2 },
];

function herdPanel(herd, top) {
  const h = 300;
  const left = 70;
  const right = W - 200;
  const plotTop = top + 48;
  const plotBottom = top + h - 40;
  const seconds = 20;
  const yMax = 25; // percent of clients per 100 ms window
  const clients = herd.setup.clients;
  const x = (s) => left + ((right - left) * s) / seconds;
  const y = (pct) => plotBottom - ((plotBottom - plotTop) * Math.min(pct, yMax)) / yMax;
  const out = [];
  out.push(text(left, top + 22, `Reconnect herd: attempts per 100 ms (% of ${clients.toLocaleString('en-US')} clients dropped at t = 0)`, 'font-size="14" font-weight="bold" fill="#222"'));
  out.push(text(left, top + 36, `server down ${herd.setup.outage_ms / 1000} s, then ${herd.setup.accept_per_s.toLocaleString('en-US')} accepts/s; cargo run --release --example herd`, 'font-size="11" fill="#666"'));
  // Axes and grid.
  for (let p = 0; p <= yMax; p += 5) {
    out.push(`<line x1="${left}" y1="${y(p).toFixed(1)}" x2="${right}" y2="${y(p).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(text(left - 8, y(p) + 4, p + '%', 'font-size="11" fill="#555" text-anchor="end"'));
  }
  for (let s = 0; s <= seconds; s += 2) {
    out.push(`<line x1="${x(s).toFixed(1)}" y1="${plotBottom}" x2="${x(s).toFixed(1)}" y2="${plotBottom + 4}" stroke="#555"/>`);
    out.push(text(x(s), plotBottom + 17, s + ' s', 'font-size="11" fill="#555" text-anchor="middle"'));
  }
  out.push(`<rect x="${x(0)}" y="${plotTop}" width="${(x(herd.setup.outage_ms / 1000) - x(0)).toFixed(1)}" height="${plotBottom - plotTop}" fill="#f6eaea"/>`);
  out.push(text(x(0) + 4, plotTop + 12, 'server down', 'font-size="10" fill="#a55"'));
  out.push(`<line x1="${left}" y1="${plotBottom}" x2="${right}" y2="${plotBottom}" stroke="#555"/>`);
  out.push(`<line x1="${left}" y1="${plotTop}" x2="${left}" y2="${plotBottom}" stroke="#555"/>`);
  // Physical limit: accepts per window.
  const limitPct = (herd.setup.accept_per_s / 10 / clients) * 100;
  out.push(`<line x1="${x(herd.setup.outage_ms / 1000).toFixed(1)}" y1="${y(limitPct).toFixed(1)}" x2="${right}" y2="${y(limitPct).toFixed(1)}" stroke="#000" stroke-dasharray="5,4"/>`);
  out.push(text(right - 4, y(limitPct) - 5, `server capacity (${limitPct}% per 100 ms)`, 'font-size="10" fill="#000" text-anchor="end"'));
  // Series, drawn with the highlighted one last.
  const series = HERD_SERIES.map((s) => ({ ...s, data: herd.policies.find((p) => p.policy === s.policy) })).filter((s) => s.data);
  const order = series.slice(1).concat(series.slice(0, 1));
  out.push(`<clipPath id="herdclip"><rect x="${left}" y="${plotTop - 1}" width="${right - left}" height="${plotBottom - plotTop + 1}"/></clipPath>`);
  for (const s of order) {
    const w = s.data.attempts_per_100ms;
    const pts = [];
    for (let i = 0; i < w.length && i / 10 <= seconds; i++) {
      // Step line: the window [i, i+1) * 100 ms.
      const pct = (w[i] / clients) * 100;
      pts.push(`${x(i / 10).toFixed(1)},${y(pct).toFixed(1)}`, `${x((i + 1) / 10).toFixed(1)},${y(pct).toFixed(1)}`);
    }
    out.push(`<polyline clip-path="url(#herdclip)" fill="none" stroke="${s.color}" stroke-width="${s.width}" stroke-linejoin="round" points="${pts.join(' ')}"/>`);
  }
  // Legend with the three figures.
  let ly = plotTop + 4;
  out.push(text(right + 14, ly, 'peak / attempts / t99', 'font-size="11" fill="#555"'));
  ly += 18;
  for (const s of series) {
    out.push(`<line x1="${right + 14}" y1="${ly - 4}" x2="${right + 34}" y2="${ly - 4}" stroke="${s.color}" stroke-width="${Math.max(2, s.width)}"/>`);
    out.push(text(right + 40, ly, s.label, 'font-size="11" fill="#222"' + (s.policy === 'wxsocket default' ? ' font-weight="bold"' : '')));
    out.push(text(right + 40, ly + 14, `${s.data.peak_pct.toFixed(1)}% / ${s.data.attempts_per_client.toFixed(2)} / ${s.data.t99_s.toFixed(1)} s`, 'font-size="10" fill="#555"'));
    ly += 36;
  }
  const off = series.filter((s) => s.data.peak_pct > yMax);
  if (off.length) {
    out.push(text(right + 14, ly + 4, off.map((s) => `${s.label} peaks at ${s.data.peak_pct.toFixed(0)}%`).join('; ') + ' (off scale)', 'font-size="10" fill="#777"'));
  }
  return { svg: out.join('\n'), height: h };
}

function barsPanel(overhead, top) {
  const h = 330;
  const left = 70;
  const right = W - 200;
  const plotTop = top + 44;
  const plotBottom = top + h - 62;
  const yMax = 1.2;
  const y = (r) => plotBottom - ((plotBottom - plotTop) * Math.min(r, yMax)) / yMax;
  const out = [];
  out.push(text(left, top + 22, 'Throughput against the raw path in the same process (1.0 = as fast as hand-written code)', 'font-size="14" font-weight="bold" fill="#222"'));
  const groups = [];
  for (const env of overhead) {
    for (const dir of ['send', 'receive']) {
      groups.push({ label: `${env.label} ${dir}`, rows: env.results.filter((r) => r.direction === dir) });
    }
  }
  const sizes = groups.length ? groups[0].rows.map((r) => r.bytes) : [];
  const slots = groups.length * sizes.length;
  const groupGap = 18;
  const slotW = (right - left - groupGap * (groups.length + 1)) / Math.max(slots, 1);
  const barW = slotW * 0.36;
  for (let v = 0; v <= yMax + 1e-9; v += 0.2) {
    out.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${right}" y2="${y(v).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(text(left - 8, y(v) + 4, v.toFixed(1), 'font-size="11" fill="#555" text-anchor="end"'));
  }
  let xi = left + groupGap;
  for (const g of groups) {
    const gx0 = xi;
    for (const r of g.rows) {
      const ours = r.ratios.oursTaskVsRawTask.median;
      const rws = r.ratios.rwsVsRawWs.median;
      const bx = xi + (slotW - 2 * barW) / 2;
      const fill = ours >= 0.85 ? '#1f5fd6' : '#d65f1f';
      out.push(`<rect x="${bx.toFixed(1)}" y="${y(ours).toFixed(1)}" width="${barW.toFixed(1)}" height="${(plotBottom - y(ours)).toFixed(1)}" fill="${fill}"/>`);
      out.push(text(bx + barW / 2, y(ours) - 3, ours.toFixed(2), 'font-size="9" fill="#222" text-anchor="middle"'));
      out.push(`<rect x="${(bx + barW).toFixed(1)}" y="${y(rws).toFixed(1)}" width="${barW.toFixed(1)}" height="${(plotBottom - y(rws)).toFixed(1)}" fill="#b4b4b4"/>`);
      const label = r.bytes >= 1024 ? r.bytes / 1024 + ' KiB' : r.bytes + ' B';
      out.push(text(xi + slotW / 2, plotBottom + 14, label, 'font-size="10" fill="#555" text-anchor="middle"'));
      xi += slotW;
    }
    out.push(text((gx0 + xi) / 2, plotBottom + 32, g.label, 'font-size="11" fill="#222" text-anchor="middle" font-weight="bold"'));
    xi += groupGap;
  }
  out.push(`<line x1="${left}" y1="${y(1).toFixed(1)}" x2="${right}" y2="${y(1).toFixed(1)}" stroke="#000"/>`);
  out.push(`<line x1="${left}" y1="${y(0.85).toFixed(1)}" x2="${right}" y2="${y(0.85).toFixed(1)}" stroke="#c00" stroke-dasharray="6,4"/>`);
  out.push(text(right + 6, y(0.85) + 4, 'target 0.85', 'font-size="10" fill="#c00"'));
  out.push(`<line x1="${left}" y1="${plotBottom}" x2="${right}" y2="${plotBottom}" stroke="#555"/>`);
  // Legend.
  const ly = y(0.7);
  out.push(`<rect x="${right + 14}" y="${ly}" width="14" height="10" fill="#1f5fd6"/>`);
  out.push(text(right + 34, ly + 9, 'wxsocket / raw task', 'font-size="11" fill="#222"'));
  out.push(`<rect x="${right + 14}" y="${ly + 18}" width="14" height="10" fill="#d65f1f"/>`);
  out.push(text(right + 34, ly + 27, '(below target)', 'font-size="11" fill="#222"'));
  out.push(`<rect x="${right + 14}" y="${ly + 36}" width="14" height="10" fill="#b4b4b4"/>`);
  out.push(text(right + 34, ly + 45, 'reconnecting-websocket', 'font-size="11" fill="#222"'));
  out.push(text(right + 34, ly + 59, '/ raw WebSocket', 'font-size="11" fill="#222"'));
  out.push(text(left, top + h - 12, 'Medians of paired rounds; JSON encode/decode included on every path; 64 B, 1 KiB, 16 KiB messages over an in-process fake socket.', 'font-size="10" fill="#666"'));
  return { svg: out.join('\n'), height: h };
}

export function renderChart({ herd, overhead, caption }) {
  let top = 0;
  const parts = [];
  if (herd) {
    const p = herdPanel(herd, top);
    parts.push(p.svg);
    top += p.height;
  }
  if (overhead && overhead.length) {
    const p = barsPanel(overhead, top);
    parts.push(p.svg);
    top += p.height;
  }
  const height = top + 24;
  parts.push(text(10, height - 8, caption, 'font-size="10" fill="#888"'));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}">`,
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
