// Helpers shared by the Node parts of the benchmark.
import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const require = createRequire(join(ROOT, 'package.json'));

// The package's Node entry (pkg/index.cjs); with `capture`, the WebAssembly instance it makes is kept,
// to read its memory (the package does not expose it).
export function loadPackage(options) {
  const capture = options && options.capture;
  const Real = WebAssembly.Instance;
  let instance = null;
  if (capture) {
    WebAssembly.Instance = function (module, imports) {
      const made = capture.wrap ? capture.wrap(module, imports, Real) : new Real(module, imports);
      instance = made;
      return made;
    };
  }
  try {
    const pkg = require(join(ROOT, 'pkg'));
    return { pkg, instance };
  } finally {
    WebAssembly.Instance = Real;
  }
}

// Writes a part's result where the orchestrator reads it (argv[2]), or prints it.
export function output(result) {
  const out = process.argv[2];
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  } else {
    console.log(JSON.stringify(result, null, 2));
  }
}

export function log(line) {
  process.stderr.write(line + '\n');
}
