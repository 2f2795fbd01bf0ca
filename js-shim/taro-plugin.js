// `wxsocket/taro`: a Taro plugin for mini-program builds (`taro build --type weapp`, and the other
// mini-program types). Taro's webpack bundles wxsocket's ESM entry and copies no .wasm for it; after each
// build this copies the package's brotli module into the output where that entry looks first
// (wasm-location.js). Usage, the one line in config/index.js: `plugins: ['wxsocket/taro']`.
import { copyFileSync, mkdirSync } from 'fs';
import { dirname, join } from 'path';
import { FRAMEWORK_PATH, BROTLI_SUFFIX, PACKAGE_FILE } from './wasm-location.js';

export default function wxsocketTaro(ctx) {
  ctx.onBuildComplete(function () {
    if (process.env.TARO_ENV === 'h5') return;
    var to = join(ctx.paths.outputPath, (FRAMEWORK_PATH + BROTLI_SUFFIX).slice(1));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(__dirname, PACKAGE_FILE), to);
  });
}
