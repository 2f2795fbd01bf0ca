// Summarises a V8 CPU profile (node --cpu-prof, or the DevTools Profiler domain: same format) into the self
// time per message of each function, grouped by what the time is spent on. V8 inlines the JSON builtins
// into their callers, so JSON.stringify / JSON.parse show up as the package's encodeJson / decodeJson / emitJson (or
// as the anonymous import wrapper around them): an anonymous function is named after the call in its first
// lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function sourceLines(root, url, line) {
  try {
    let path = null;
    if (url.startsWith('file://')) path = fileURLToPath(url);
    else if (/^https?:\/\//.test(url)) path = join(root, new URL(url).pathname);
    if (!path) return '';
    // The function's first lines (its header and the call it wraps).
    return readFileSync(path, 'utf8').split('\n').slice(line, line + 3).join(' ');
  } catch {
    return '';
  }
}

function classify(root, cf) {
  const url = cf.url || '';
  let name = cf.functionName || '';
  if (!name && url) {
    const src = sourceLines(root, url, cf.lineNumber).trim();
    const called = /(encodeJson|decodeJson|emitJson|utf8Length)\(/.exec(src);
    name = called ? `(anonymous: ${called[1]})` : '(anonymous)';
  }
  const file = url.split('/').pop();
  if (/encodeJson/.test(name)) return ['JSON.stringify (inside encodeJson)', 'encodeJson'];
  if (/decodeJson/.test(name)) return ['JSON.parse (inside decodeJson)', 'decodeJson'];
  // emitJson parses and hands the value to the listeners (Emitter.emit, usually inlined into it).
  if (/emitJson/.test(name)) return ['JSON.parse (inside emitJson)', 'emitJson'];
  if (/utf8Length|RegExp/.test(name)) return ['UTF-8 length of the frame', name];
  if (name === 'decode' || name === 'decodeUTF8' || /getStringFromWasm0|passStringToWasm0|encodeString/.test(name)) return ['strings copied across the boundary', name];
  if (file.endsWith('.wasm') || /^wasm-function|^\$/.test(name)) return ['inside the wasm module', name];
  if (/wasm-to-js|js-to-wasm/.test(name)) return ['boundary trampolines', name];
  if (name === '(garbage collector)') return ['garbage collector', name];
  if (url.includes('/bench/')) return ['benchmark loop and fake socket', name || '(anonymous)'];
  if (url.includes('/pkg/')) return ['glue (wasm-bindgen and package JS)', name];
  return ['other', name || '(anonymous)'];
}

export function summarize(profile, messages, root) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) || 0) + (profile.timeDeltas[i] || 0));
  }
  let total = 0;
  const groups = new Map();
  const fns = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') continue;
    const [group, name] = classify(root, cf);
    total += us;
    groups.set(group, (groups.get(group) || 0) + us);
    const key = group + ' | ' + name;
    fns.set(key, (fns.get(key) || 0) + us);
  }
  const ns = (us) => Math.round((us * 1000) / messages);
  const pct = (us) => Math.round((1000 * us) / total) / 10;
  return {
    messages,
    nsPerMsg: ns(total),
    groups: [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([group, us]) => ({ group, share: pct(us), nsPerMsg: ns(us) })),
    top: [...fns.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, us]) => {
      const [group, fn] = k.split(' | ');
      return { fn, group, share: pct(us), nsPerMsg: ns(us) };
    }),
  };
}
