// What a leak check measures, in Node and in a page: the WebAssembly instance's memory, the wasm-bindgen
// externref table (JS values Rust holds), the closures wasm-bindgen made for Rust (counted through the
// import object) and the JS heap. Plain ESM without dependencies, served as is to the page.
//
// capture(): wraps WebAssembly.Instance / instantiate / instantiateStreaming before the package loads, so
// the instance's exports and the import functions are seen. Returns a probe with `stats()`.

export function capture() {
  var probe = { exports: null, closures: [], made: 0 };
  var WA = WebAssembly;

  // Every closure wasm-bindgen makes for Rust (a function with `_wbg_cb_unref`) is registered with the
  // glue's FinalizationRegistry (both glues do, whether JS values live in an externref table or an array):
  // remembered weakly here.
  var register = FinalizationRegistry.prototype.register;
  FinalizationRegistry.prototype.register = function (target) {
    if (typeof target === 'function' && typeof target._wbg_cb_unref === 'function') {
      probe.made += 1;
      probe.closures.push(new WeakRef(target));
    }
    return register.apply(this, arguments);
  };
  function wrapImports(imports) {
    return imports;
  }

  var Instance = WA.Instance;
  WA.Instance = function (module, imports) {
    var inst = new Instance(module, wrapImports(imports));
    probe.exports = inst.exports;
    return inst;
  };
  WA.Instance.prototype = Instance.prototype;
  var instantiate = WA.instantiate;
  WA.instantiate = function (src, imports) {
    return instantiate.call(WA, src, wrapImports(imports)).then(function (r) {
      probe.exports = r instanceof Instance ? r.exports : r.instance.exports;
      return r;
    });
  };
  if (typeof WA.instantiateStreaming === 'function') {
    var streaming = WA.instantiateStreaming;
    WA.instantiateStreaming = function (src, imports) {
      return streaming.call(WA, src, wrapImports(imports)).then(function (r) {
        probe.exports = r.instance.exports;
        return r;
      });
    };
  }

  // Bytes the allocator can hand out before the memory has to grow, found by allocating 4 KiB blocks
  // (through the glue's malloc and free exports) until it grows, then freeing them. `memory − free` is
  // what the module holds.
  function freeBytes() {
    var e = probe.exports;
    var malloc = e.__wbindgen_export;
    var free = e.__wbindgen_export3;
    if (typeof malloc !== 'function' || typeof free !== 'function') return null;
    var size = 4096;
    var before = e.memory.buffer.byteLength;
    var blocks = [];
    while (blocks.length < 100000) {
      var p = malloc(size, 8) >>> 0;
      if (p === 0) break;
      if (e.memory.buffer.byteLength !== before) {
        free(p, size, 8);
        break;
      }
      blocks.push(p);
    }
    for (var i = blocks.length - 1; i >= 0; i--) free(blocks[i], size, 8);
    return { free: blocks.length * size, memory: before };
  }

  // `deep`: also measure what the module holds (the allocator probe may grow the memory by a page, so it
  // runs only at the first and last reading; `wasmMemory` is read before it, `wasmMemoryAfter` after).
  probe.stats = function (deep) {
    var e = probe.exports;
    // A module built without reference types has no externref table (its glue keeps JS values in an array).
    var table = e.__wbindgen_externrefs || null;
    var refs = table === null ? null : 0;
    // Slots below 1028 are wasm-bindgen's reserved ones and its stack for borrowed values.
    for (var i = 1028; table !== null && i < table.length; i++) {
      var v = table.get(i);
      if (v !== undefined && v !== null) refs += 1;
    }
    var closures = 0;
    probe.closures = probe.closures.filter(function (w) { return w.deref() !== undefined; });
    closures = probe.closures.length;
    var memory = e.memory.buffer.byteLength;
    var f = deep ? freeBytes() : null;
    return {
      wasmMemory: memory,
      wasmMemoryAfter: e.memory.buffer.byteLength,
      wasmHeld: f === null ? null : f.memory - f.free,
      tableSize: table === null ? null : table.length,
      liveRefs: refs,
      liveClosures: closures,
      closuresMade: probe.made,
    };
  };
  return probe;
}

// Runs `total` cycles of `cycle(i)` (`batch` at a time, concurrently), taking figures after `warmup`
// cycles and then every `every` cycles, each after a full garbage collection. `between()` runs after each
// batch; `settle()` lets pending callbacks run; `gc()` collects; `heap()` is the JS heap in use.
export async function runCycles(o) {
  var rows = [];
  async function take(done, deep) {
    for (var k = 0; k < 3; k++) {
      await o.settle();
      o.gc();
    }
    var s = o.probe.stats(deep);
    s.cycles = done;
    s.jsHeap = o.heap();
    rows.push(s);
    if (o.log) o.log(s);
  }
  var done = 0;
  var t0 = Date.now();
  while (done < o.total) {
    var n = Math.min(o.batch, o.total - done);
    var work = [];
    for (var j = 0; j < n; j++) work.push(o.cycle(done + j));
    await Promise.all(work);
    done += n;
    if (o.between) await o.between();
    if (done === o.warmup || done === o.total) await take(done, true);
    else if (done > o.warmup && (done - o.warmup) % o.every === 0) await take(done, false);
  }
  return { rows: rows, ms: Date.now() - t0 };
}

// Least-squares slope of `key` per cycle over the rows: growth per client, robust to collector noise.
export function slope(rows, key) {
  var n = rows.length;
  if (n < 2) return 0;
  var mx = 0, my = 0;
  rows.forEach(function (r) { mx += r.cycles / n; my += r[key] / n; });
  var num = 0, den = 0;
  rows.forEach(function (r) { num += (r.cycles - mx) * (r[key] - my); den += (r.cycles - mx) * (r.cycles - mx); });
  return den === 0 ? 0 : num / den;
}
