// What a leak check measures, in Node and in a page: the WebAssembly instance's memory, the JS values Rust
// holds (wasm-bindgen keeps them in the glue's array for a module without reference types, such as the
// MVP module the package ships, or in an externref table otherwise), the closures wasm-bindgen made for
// Rust (counted through the import object) and the JS heap. Plain ESM without dependencies, served as is
// to the page.
//
// capture(): wraps WebAssembly.Instance / instantiate / instantiateStreaming and Array.prototype.fill
// before the package loads, so the instance's exports and the glue's array of JS values are seen. Returns
// a probe with `stats()`.

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

  // The glue of a module without reference types makes its array of JS values as
  // `new Array(N).fill(undefined)` and then pushes its reserved values `undefined, null, true, false`:
  // every array filled with undefined while the package loads is remembered (weakly), and the first
  // reading picks the one with that shape and puts Array.prototype.fill back.
  var fill = Array.prototype.fill;
  var filled = [];
  Array.prototype.fill = function (value) {
    if (arguments.length === 1 && value === undefined && Array.isArray(this) && this.length >= 32 && filled.length < 256) {
      filled.push({ ref: new WeakRef(this), base: this.length });
    }
    return fill.apply(this, arguments);
  };
  function glueHeap() {
    if (probe.heap !== undefined) return probe.heap;
    Array.prototype.fill = fill;
    probe.heap = null;
    for (var k = 0; k < filled.length; k++) {
      var a = filled[k].ref.deref();
      var b = filled[k].base;
      if (a && a.length >= b + 4 && a[b] === undefined && a[b + 1] === null && a[b + 2] === true && a[b + 3] === false) {
        probe.heap = { array: a, first: b + 4 };
        break;
      }
    }
    filled = [];
    return probe.heap;
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
  // (through the glue's malloc and free exports, named by `probe.allocator`: wasm-bindgen's names unless
  // the caller sets the module's own) until it grows, then freeing them. `memory − free` is what the
  // module holds.
  probe.allocator = { malloc: '__wbindgen_export', free: '__wbindgen_export3' };
  // The instance's memory, found by its kind: the package build gives it a short export name.
  function memoryOf(e) {
    for (var k in e) if (e[k] instanceof WA.Memory) return e[k];
    throw new Error('the instance exports no memory');
  }
  function freeBytes() {
    var e = probe.exports;
    var malloc = e[probe.allocator.malloc];
    var free = e[probe.allocator.free];
    if (typeof malloc !== 'function' || typeof free !== 'function') return null;
    var size = 4096;
    var before = memoryOf(e).buffer.byteLength;
    var blocks = [];
    while (blocks.length < 100000) {
      var p = malloc(size, 8) >>> 0;
      if (p === 0) break;
      if (memoryOf(e).buffer.byteLength !== before) {
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
    // Where the JS values Rust holds live: `refsIn` 'externref table' or 'glue array' (null: not found),
    // `tableSize` its length (it only grows when more values are held at once than ever before), `liveRefs`
    // the slots in use.
    var table = e.__wbindgen_externrefs || null;
    var heap = table === null ? glueHeap() : null;
    var refs = table === null && heap === null ? null : 0;
    // Externref table: slots below 1028 are wasm-bindgen's reserved ones and its stack for borrowed values.
    for (var i = 1028; table !== null && i < table.length; i++) {
      var v = table.get(i);
      if (v !== undefined && v !== null) refs += 1;
    }
    // Glue array: the same reserved slots and stack below `first`; a free slot holds the index of the next
    // free one (a number), so slots holding numbers are not counted (a number Rust holds as a JsValue is
    // missed; the array's length still shows it if such values pile up).
    for (var j = heap === null ? 0 : heap.first; heap !== null && j < heap.array.length; j++) {
      if (typeof heap.array[j] !== 'number') refs += 1;
    }
    var closures = 0;
    probe.closures = probe.closures.filter(function (w) { return w.deref() !== undefined; });
    closures = probe.closures.length;
    var memory = memoryOf(e).buffer.byteLength;
    var f = deep ? freeBytes() : null;
    return {
      wasmMemory: memory,
      wasmMemoryAfter: memoryOf(e).buffer.byteLength,
      wasmHeld: f === null ? null : f.memory - f.free,
      refsIn: table !== null ? 'externref table' : heap !== null ? 'glue array' : null,
      tableSize: table !== null ? table.length : heap !== null ? heap.array.length : null,
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
